package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSnapshotCheckAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "worker.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-09-04")})
	snap := filepath.Join(dir, "backup", "worker.db.backup")
	if err := s.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	rec(t, s, RecordInput{Article: art("https://a.example/2", "2024-09-04")}) // after the snapshot
	if err := s.Snapshot(ctx, snap); err != nil {
		t.Fatalf("a second snapshot over the first: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(ctx, snap)
	if err != nil || rep.Counts.Articles != 2 || rep.SchemaVersion != SchemaVersion() {
		t.Fatalf("check of the snapshot: %+v, %v", rep, err)
	}

	// The database is damaged: its first pages overwritten.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 4096), 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Check(ctx, path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("check of a damaged file: %v, want ErrCorrupt", err)
	}
	aside, err := Restore(ctx, snap, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(aside); err != nil {
		t.Errorf("the damaged database was not kept aside: %v", err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := unseenOf(t, s, "https://a.example/1", "https://a.example/2", "https://a.example/3"); len(got) != 1 {
		t.Errorf("after the restore unseen = %v; want only a.example/3", got)
	}
	// A file that is not a database is never restored.
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if _, err := Restore(ctx, junk, path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("restore from junk: %v, want ErrCorrupt", err)
	}
}
