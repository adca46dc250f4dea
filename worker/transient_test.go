package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// openStore opens a database in a test folder, closed at the end.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// workerOn builds a worker, with an HTTP client of its own (as a new
// process has), on a shared store.
func workerOn(t *testing.T, st *store.Store, n alerts.Notifier, mod func(*worker.Config), urls ...string) *worker.Worker {
	t.Helper()
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second, Robots: true})
	var srcs []worker.Source
	for i, u := range urls {
		f, err := feed.New(fmt.Sprintf("feed-%d", i), u, client, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, worker.Source{Source: f, URL: u})
	}
	cfg := worker.Config{Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: n,
		Sources: srcs, Location: time.UTC}
	if mod != nil {
		mod(&cfg)
	}
	w, err := worker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// conditionalFeed serves one feed (ETag, 304) listing paths, and counts page
// fetches.
func conditionalFeed(mux *http.ServeMux, paths ...string) {
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"f1"`)
		if r.Header.Get("If-None-Match") == `"f1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title>`)
		for _, p := range paths {
			fmt.Fprintf(w, `<item><title>x</title><link>%s</link></item>`, p)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
}

func TestARobotsTxtThatFailsOnceDoesNotLoseTheStory(t *testing.T) {
	var robotsHits, pageHits atomic.Int64
	mux := http.NewServeMux()
	conditionalFeed(mux, "/a/wire.html")
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if robotsHits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	})
	mux.HandleFunc("/a/wire.html", func(w http.ResponseWriter, r *http.Request) {
		pageHits.Add(1)
		fmt.Fprint(w, pages["/a/wire.html"])
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st := openStore(t)
	out := &strings.Builder{}
	rep, err := workerOn(t, st, alerts.NewWriter(out, "json"), nil, srv.URL+"/feed.xml").RunOnce(context.Background(), worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := rep.Sources[0].ArticleErrors; len(errs) != 1 || !strings.Contains(errs[0].Error(), "robots.txt unreachable") {
		t.Fatalf("first run: article errors %v, want the unreachable robots.txt", errs)
	}
	// The next run (a new process) lists the feed again instead of being
	// answered 304, and reads the story.
	rep, err = workerOn(t, st, alerts.NewWriter(out, "json"), nil, srv.URL+"/feed.xml").RunOnce(context.Background(), worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sources[0].NotModified || rep.Sources[0].Articles != 1 || pageHits.Load() != 1 {
		t.Errorf("second run: %+v, page fetched %d times; want the story recorded", rep.Sources[0], pageHits.Load())
	}
	if !strings.Contains(out.String(), "/a/wire.html") {
		t.Errorf("the story was not alerted:\n%s", out)
	}
}

func TestForceRefetchesWhatAPermanentFailureLeft(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	mux := http.NewServeMux()
	conditionalFeed(mux, "/a/wire.html")
	mux.HandleFunc("/a/wire.html", func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, pages["/a/wire.html"])
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st := openStore(t)
	w := workerOn(t, st, alerts.NewWriter(&strings.Builder{}, "json"), nil, srv.URL+"/feed.xml")
	if rep, err := w.RunOnce(context.Background(), worker.RunOptions{}); err != nil || len(rep.Sources[0].ArticleErrors) != 1 {
		t.Fatalf("first run: %+v, %v", rep.Sources, err)
	}
	broken.Store(false)
	rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
	if err != nil || !rep.Sources[0].NotModified {
		t.Fatalf("a 404 is for good: the next run is answered 304: %+v, %v", rep.Sources[0], err)
	}
	rep, err = w.RunOnce(context.Background(), worker.RunOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sources[0].NotModified || rep.Sources[0].Articles != 1 {
		t.Errorf("--force: %+v; want the feed fetched in full and the page recorded", rep.Sources[0])
	}
}
