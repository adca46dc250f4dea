package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/worker"
)

// A server that answers chat.postMessage with {"ok": true} and no ts is not
// Slack: its "success" must not make the development's further coverage go
// out at top level, as replies under a parent that has no ts.
func TestNoReplyUnderAParentWithoutTS(t *testing.T) {
	var mu sync.Mutex
	var posts []url.Values
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/chat.postMessage":
			mu.Lock()
			posts = append(posts, r.PostForm)
			mu.Unlock()
			fmt.Fprint(w, `{"ok": true}`)
		default:
			fmt.Fprint(w, `{"ok": false, "error": "unknown_method"}`)
		}
	}))
	t.Cleanup(api.Close)
	bot, err := alerts.NewBot(secret.New("xoxb-1-notslack"), "C0TEST", api.URL+"/api/", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	w := newWorker(t, s, bot, s.URL+"/feed.xml")
	ctx := context.Background()
	for range 2 {
		_, _ = w.RunOnce(ctx, worker.RunOptions{})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 1 {
		t.Errorf("%d posts; want only the alert's first attempt (then a person must look)", len(posts))
	}
	for _, p := range posts {
		if p.Get("thread_ts") == "" && strings.HasPrefix(p.Get("text"), "Also reported") {
			t.Errorf("a reply went out at top level: %q", p.Get("text"))
		}
	}
}
