package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestInstanceIDIsStableAndDistinct(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, filepath.Join(dir, "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	id1, err := a.InstanceID(ctx)
	if err != nil || len(id1) != 16 {
		t.Fatalf("InstanceID = %q, %v", id1, err)
	}
	a.Close()
	a, err = Open(ctx, filepath.Join(dir, "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if id, _ := a.InstanceID(ctx); id != id1 {
		t.Errorf("reopened database changed identity: %q then %q", id1, id)
	}
	b, err := Open(ctx, filepath.Join(dir, "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if id, _ := b.InstanceID(ctx); id == id1 {
		t.Errorf("two databases share identity %q", id)
	}
}
