package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/worker"
)

func TestAPassReadsAtMostTheCapNewestFirstAndTheRestLater(t *testing.T) {
	const items = 7
	base := time.Now().Add(-48 * time.Hour).UTC()
	var (
		mu      sync.Mutex
		fetched []int
	)
	mux := http.NewServeMux()
	conditional := func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("ETag", `"big"`)
		if r.Header.Get("If-None-Match") == `"big"` {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
		return false
	}
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		if conditional(w, r) {
			return
		}
		fmt.Fprint(w, `<rss version="2.0"><channel><title>big</title>`)
		for i := range items {
			fmt.Fprintf(w, `<item><title>n%d</title><link>/p/%d</link><pubDate>%s</pubDate></item>`,
				i, i, base.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	mux.HandleFunc("/p/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		mu.Lock()
		fetched = append(fetched, n)
		mu.Unlock()
		fmt.Fprintf(w, `<html lang="en"><head><title>Item %d</title></head><body><article><h1>Item %d</h1><p>Markets were quiet today.</p></article></body></html>`, n, n)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	w := workerOn(t, openStore(t), alerts.NewWriter(&strings.Builder{}, "json"), func(c *worker.Config) {
		c.Sources[0].MaxNewItems = 3
		c.ArticleConcurrency = 1
	}, srv.URL+"/feed.xml")

	for pass, want := range []struct{ articles, later int }{{3, 4}, {3, 1}, {1, 0}} {
		rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s := rep.Sources[0]; s.Articles != want.articles || s.Later != want.later {
			t.Errorf("pass %d: %d articles, %d later; want %d and %d", pass+1, s.Articles, s.Later, want.articles, want.later)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := fmt.Sprint(fetched); got != "[4 5 6 1 2 3 0]" {
		t.Errorf("pages fetched in order %s; want the newest three first, oldest first within a pass", got)
	}
	rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
	if err != nil || !rep.Sources[0].NotModified {
		t.Errorf("once every item is read the feed is asked conditionally: %+v, %v", rep.Sources[0], err)
	}
}
