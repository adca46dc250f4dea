package worker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
)

// soakSite serves static feeds answered 304 once seen, and one feed that
// lists a new page on every request, so each pass records an article.
func soakSite(t *testing.T, passes *atomic.Int64) *httptest.Server {
	mux := http.NewServeMux()
	var fresh atomic.Int64
	mux.HandleFunc("/static/{n}/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("n") == "0" {
			passes.Add(1)
		}
		w.Header().Set("ETag", `"s1"`)
		if r.Header.Get("If-None-Match") == `"s1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>/page/static-%s</link></item></channel></rss>`,
			r.PathValue("n"))
	})
	mux.HandleFunc("/fresh/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		n := fresh.Add(1)
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>n</title><link>/page/fresh-%d</link></item></channel></rss>`, n)
	})
	mux.HandleFunc("/page/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html lang="en"><head><title>Report %s</title></head><body><article><h1>Report %s</h1>
<p>Taobao now lets shoppers pay with WeChat Pay at checkout, the company said, in report %s.</p></article></body></html>`,
			r.PathValue("id"), r.PathValue("id"), r.PathValue("id"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// settled reads the goroutine count and the heap in use after a collection,
// taking the least of a few readings so that a pass in flight does not count.
func settled() (goroutines int, heap uint64) {
	goroutines, heap = 1<<30, 1<<62
	for range 5 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		goroutines = min(goroutines, runtime.NumGoroutine())
		heap = min(heap, ms.HeapAlloc)
		time.Sleep(15 * time.Millisecond)
	}
	return goroutines, heap
}

func TestServeSoakGoroutinesAndHeapStayFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve for about a hundred passes")
	}
	var passes atomic.Int64
	site := soakSite(t, &passes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	var srcs []Source
	for _, path := range []string{"/static/0/feed.xml", "/static/1/feed.xml", "/static/2/feed.xml", "/fresh/feed.xml"} {
		f, err := feed.New(path, site.URL+path, client, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Source: f, URL: site.URL + path})
	}
	w, err := New(Config{Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()),
		Notifier: alerts.NewWriter(io.Discard, alerts.FormatText), Sources: srcs, Location: time.UTC, SourceConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "snapshot.db")
	done := make(chan error, 1)
	go func() {
		done <- w.Serve(ctx, ServeOptions{
			BackupEvery: 300 * time.Millisecond, BackupPath: backup,
			Schedule: "every 25ms", MaxJitter: time.Millisecond, RetryEvery: 20 * time.Millisecond,
			parse: func(string, *time.Location) (cron.Schedule, error) { return period(25 * time.Millisecond), nil },
		})
	}()
	waitPasses := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for passes.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d passes of %d within two minutes", passes.Load(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitPasses(20) // warm: connections open, caches filled
	g0, h0 := settled()
	waitPasses(120)
	g1, h1 := settled()
	t.Logf("after 20 passes: %d goroutines, heap %d KiB; after 120: %d goroutines, heap %d KiB", g0, h0>>10, g1, h1>>10)
	if g1 > g0+4 {
		t.Errorf("goroutines grew from %d to %d over 100 passes", g0, g1)
	}
	if h1 > h0+h0/2+(1<<20) {
		t.Errorf("heap grew from %d KiB to %d KiB over 100 passes", h0>>10, h1>>10)
	}
	if rep, err := store.Check(ctx, backup); err != nil || rep.Counts.Articles == 0 {
		t.Errorf("serve's snapshot of the database: %+v, %v", rep, err)
	}
	if n := runDurations(t, w); n < 100 {
		t.Errorf("worker_run_duration_seconds has %d samples after 120 passes", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// runDurations is the sample count of the run-duration histogram.
func runDurations(t *testing.T, w *Worker) uint64 {
	t.Helper()
	mfs, err := w.m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "worker_run_duration_seconds" {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}
