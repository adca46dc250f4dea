package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// A feed on a loopback address links to (and redirects into) another
// loopback service on another port of the same host. Without
// allow_private_networks neither the feed's own origin nor the other port
// may be reached: a host name is no licence to dial a private address.
// With it, the feed's own origin is read and the other port still refused.
func TestSourceHostGivesNoWayIntoLoopback(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow_private_networks=%v", allow), func(t *testing.T) { testSourceHost(t, allow) })
	}
}

func testSourceHost(t *testing.T, allowPrivate bool) {
	var inner atomic.Int64
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page("en", "Taobao starts accepting WeChat Pay at checkout", "internal admin page"))
	}))
	t.Cleanup(service.Close)
	var outer atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		outer.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>%s/admin</link></item><item><title>b</title><link>/hop</link></item></channel></rss>`, service.URL)
	})
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, service.URL+"/other", http.StatusFound)
	})
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: allowPrivate})
	f, err := feed.New("loopback", site.URL+"/feed.xml", client, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: alerts.NewWriter(io.Discard, alerts.FormatJSON),
		Sources: []worker.Source{{Source: f, URL: site.URL + "/feed.xml"}}, Location: time.UTC,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := inner.Load(); n != 0 {
		t.Errorf("the loopback service on another port was reached %d times", n)
	}
	failed := rep.Failed()
	if allowPrivate {
		if n := outer.Load(); n != 1 || len(failed) != 0 {
			t.Errorf("feed fetched %d times, failed sources %+v; want the source's own origin read once", n, failed)
		}
		errs := rep.Sources[0].ArticleErrors
		if len(errs) != 2 || !errors.Is(errs[0], fetch.ErrPrivateAddress) || !errors.Is(errs[1], fetch.ErrPrivateAddress) {
			t.Errorf("article errors %v; want the link and the redirect refused by the address guard", errs)
		}
	} else {
		if n := outer.Load(); n != 0 {
			t.Errorf("the loopback feed was fetched %d times without allow_private_networks", n)
		}
		if len(failed) != 1 || !errors.Is(failed[0].Err, fetch.ErrPrivateAddress) {
			t.Errorf("failed sources %+v; want the loopback source refused by the address guard", failed)
		}
	}
	tl, err := st.Timeline(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 0 {
		t.Errorf("%d events stored from refused pages", len(tl))
	}
}
