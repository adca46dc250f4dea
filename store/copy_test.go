package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/internal/pgtest"
	"github.com/wallwatch/worker/sources"
)

// fillForCopy records a storyline of two steps with a reply, posts the
// first alert and saves a source's state.
func fillForCopy(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")}, Alert: true, Now: t0})
	rec(t, s, RecordInput{Article: art("https://b.example/2", "2024-02-22"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")}, Alert: true, Now: t0})
	rec(t, s, RecordInput{Article: art("https://c.example/3", "2024-04-02"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageLaunched, "2024-04-01")}, Alert: true, Now: t0})
	ds, err := s.Claim(ctx, "me:1:1", t0, time.Minute, 1, nil)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v, %d", err, len(ds))
	}
	if err := s.MarkSent(ctx, ds[0].ID, "me:1:1", "C1", "1.0001", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSourceState(ctx, SourceState{Name: "feed", LastAttempt: t0, LastSuccess: t0}); err != nil {
		t.Fatal(err)
	}
}

// contents is what a store shows of itself.
func contents(t *testing.T, s *Store) (string, []TimelineEntry, OutboxState, []SourceState) {
	t.Helper()
	ctx := context.Background()
	id, err := s.InstanceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := s.Timeline(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ob, err := s.Outbox(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return id, tl, ob, st
}

func testCopy(t *testing.T, to string) {
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "old.db")
	src, err := Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	fillForCopy(t, src)
	wantID, wantTL, wantOB, wantST := contents(t, src)
	src.Close()

	rep, err := CopyDatabase(ctx, from, to)
	if err != nil {
		t.Fatalf("CopyDatabase: %v", err)
	}
	if rep.Rows["articles"] != 3 || rep.Rows["outbox"] == 0 {
		t.Errorf("copied %v", rep.Rows)
	}
	dst, err := Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	id, tl, ob, st := contents(t, dst)
	if id != wantID {
		t.Errorf("instance id %q, want the source's %q", id, wantID)
	}
	if d := cmp.Diff(wantTL, tl); d != "" {
		t.Errorf("timeline (-source +copy):\n%s", d)
	}
	if d := cmp.Diff(wantOB, ob); d != "" {
		t.Errorf("outbox (-source +copy):\n%s", d)
	}
	if d := cmp.Diff(wantST, st); d != "" {
		t.Errorf("source state (-source +copy):\n%s", d)
	}
	// The copy goes on: a new article gets a new id, its alert threads on.
	res := rec(t, dst, RecordInput{Article: art("https://d.example/4", "2024-02-23"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")}, Alert: true, Now: t0})
	if res.ArticleID != 4 {
		t.Errorf("the next article is #%d, want 4", res.ArticleID)
	}
	if _, err := CopyDatabase(ctx, from, to); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("a second copy into the same database: %v, want a refusal", err)
	}
}

func TestCopyDatabase(t *testing.T) {
	t.Run("to SQLite", func(t *testing.T) { testCopy(t, filepath.Join(t.TempDir(), "new.db")) })
	t.Run("to PostgreSQL", func(t *testing.T) {
		if os.Getenv(pgEnv) == "" {
			t.Skipf("%s not set", pgEnv)
		}
		testCopy(t, pgtest.Database(t))
	})
}
