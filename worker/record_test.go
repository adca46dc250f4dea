package worker_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// A pass whose articles cannot be recorded keeps nothing of them, saves no
// validators for the source, and the next pass reads the feed and its pages
// again and records them: batching never turns a failed write into a 304.
func TestArticlesNotRecordedAreReadAgain(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	path := filepath.Join(t.TempDir(), "w.db")
	var out strings.Builder
	w := newWorkerAt(t, path, alerts.NewWriter(&out, "json"), s.URL+"/feed.xml")

	// Another connection to the same file makes every article write fail,
	// as a full disk or a broken file would.
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if !errors.Is(err, worker.ErrNotRecorded) {
		t.Fatalf("first pass returned %v, want an error saying writes failed", err)
	}
	src := rep.Sources[0]
	if src.Articles != 0 || len(src.NotRecorded) != 3 || !strings.Contains(src.NotRecorded[0].Error(), "disk full") {
		t.Fatalf("first pass: %d articles, not recorded %v; want none recorded and three errors naming the cause", src.Articles, src.NotRecorded)
	}
	if out.Len() != 0 {
		t.Errorf("alerted articles that were not recorded: %s", out.String())
	}

	if _, err := db.ExecContext(ctx, `DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	fetched := s.fetches.Load()
	rep, err = w.RunOnce(ctx, worker.RunOptions{IgnoreDeferral: true})
	if err != nil {
		t.Fatal(err)
	}
	src = rep.Sources[0]
	if src.NotModified || src.Articles != 3 || len(src.ArticleErrors) != 0 || s.fetches.Load()-fetched != 3 {
		t.Fatalf("second pass: not modified %v, %d articles, errors %v, %d pages fetched; want the three read and recorded",
			src.NotModified, src.Articles, src.ArticleErrors, s.fetches.Load()-fetched)
	}
	if !strings.Contains(out.String(), "Taobao") {
		t.Errorf("the development was not alerted after the failed pass: %q", out.String())
	}
}

// A worker given NewDetector builds its detector once, when the first page
// is read, and not at all for passes that read no page.
func TestDetectorBuiltOnceWhenAPageIsRead(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	path := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	f, err := feed.New("feed-0", s.URL+"/feed.xml", client, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var built atomic.Int32
	newWorker := func() *worker.Worker {
		w, err := worker.New(worker.Config{
			Store: st, Fetch: client, Notifier: alerts.NewWriter(&strings.Builder{}, "json"),
			Sources: []worker.Source{{Source: f, URL: s.URL + "/feed.xml"}}, Location: time.UTC,
			NewDetector: func() *detect.Detector { built.Add(1); return detect.New(detect.DefaultLexicon()) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := newWorker()
	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sources[0].Articles != 3 || rep.Sources[0].Headline == 0 || built.Load() != 1 {
		t.Fatalf("first pass: %d articles, %d headline events, detector built %d times; want 3, some, once",
			rep.Sources[0].Articles, rep.Sources[0].Headline, built.Load())
	}
	for _, w := range []*worker.Worker{w, newWorker()} {
		rep, err := w.RunOnce(ctx, worker.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Sources[0].NotModified || built.Load() != 1 {
			t.Errorf("pass with nothing new: not modified %v, detector built %d times in all; want once", rep.Sources[0].NotModified, built.Load())
		}
	}
}
