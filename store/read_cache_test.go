package store

import (
	"context"
	"testing"

	"github.com/wallwatch/worker/sources"
)

func TestHistoryReaderRefreshesOnEveryCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	r := s.NewHistoryReader()
	defer r.Close()
	read := func() *History {
		t.Helper()
		h, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	empty := read()
	if len(empty.Developments) != 0 || read() != empty {
		t.Fatal("an unchanged database was read again")
	}
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-09-04"), Alert: true, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, launched, "2024-09-04"),
	}})
	one := read()
	if one == empty || len(one.Developments) != 1 {
		t.Fatalf("after a record: %d developments", len(one.Developments))
	}
	// An update in place (the alert's ts) is a change too.
	ds := claim1(t, s, "w", t0, 1, nil)
	send(t, s, ds[0], "w", t0)
	sent := read()
	if sent == one || sent.Developments[0].Steps[0].Slack == nil {
		t.Fatal("the posted alert is not in the new snapshot")
	}
	// So is a commit by another process's connection to the same file.
	other, err := Open(ctx, s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rec(t, other, RecordInput{Article: art("https://b.example/2", "2021-09-28"), Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, announced, "2021-09-28"),
	}})
	if h := read(); len(h.Developments) != 2 {
		t.Fatalf("after another connection's commit: %d developments", len(h.Developments))
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if h := read(); len(h.Developments) != 2 {
		t.Fatal("a read after Close")
	}
}
