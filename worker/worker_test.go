package worker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// A small news site of its own, so the pipeline is tested on a plain clone:
// two outlets report one development (one of them in Chinese), one article
// names both companies without any connection.
var pages = map[string]string{
	"/a/wire.html": page("en", "Taobao starts accepting WeChat Pay at checkout",
		"Alibaba's Taobao now lets shoppers pay with Tencent's WeChat Pay at checkout, the company said on Monday.",
		"The option is available to all users after an update this week, a Taobao spokesperson said."),
	"/a/cn.html": page("zh", "淘宝正式接入微信支付 全部用户可用",
		"淘宝宣布正式接入微信支付，用户在结算时可以直接选择微信支付完成付款。",
		"淘宝方面表示，该功能已面向全部用户开放。"),
	"/a/earnings.html": page("en", "Tencent and Alibaba report quarterly results",
		"Tencent reported a rise in games revenue while Alibaba's cloud unit grew faster than expected.",
		"Neither company commented on competition between WeChat and Taobao."),
}

func page(lang, title string, paras ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title>
<meta property="article:published_time" content="%s"></head><body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`,
		lang, title, time.Now().Add(-2*time.Hour).Format(time.RFC3339), title)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>", p)
	}
	b.WriteString(`</article><aside><h2>Related</h2><ul><li><a href="/x">DingTalk meetings open to WeChat users</a></li></ul></aside></body></html>`)
	return b.String()
}

type site struct {
	*httptest.Server
	fetches atomic.Int64
}

func newSite(t *testing.T) *site {
	s := &site{}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>`)
		for _, p := range []string{"/a/wire.html", "/a/cn.html", "/a/earnings.html"} {
			fmt.Fprintf(w, "<item><title>x</title><link>%s</link></item>", p)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	for p, body := range pages {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			s.fetches.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		})
	}
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadGateway)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func newWorker(t *testing.T, s *site, n alerts.Notifier, urls ...string) *worker.Worker {
	t.Helper()
	return newWorkerAt(t, filepath.Join(t.TempDir(), "w.db"), n, urls...)
}

// newWorkerAt is newWorker with its database at path.
func newWorkerAt(t *testing.T, path string, n alerts.Notifier, urls ...string) *worker.Worker {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	var srcs []worker.Source
	for i, u := range urls {
		f, err := feed.New(fmt.Sprintf("feed-%d", i), u, client, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, worker.Source{Source: f, URL: u})
	}
	w, err := worker.New(worker.Config{
		Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: n,
		Sources: srcs, Location: time.UTC,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRunOnceOneAlertPerDevelopment(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	slack := slackfake.New(t)
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, s, bot, s.URL+"/feed.xml", s.URL+"/broken.xml")

	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if failed := rep.Failed(); len(failed) != 1 || failed[0].Name != "feed-1" || !strings.Contains(failed[0].Err.Error(), "502") {
		t.Errorf("failed sources = %+v, want feed-1 with its 502", failed)
	}
	var top, replies []slackfake.Message
	for _, m := range slack.Messages(slackfake.DefaultChannelID) {
		if m.IsReply() {
			replies = append(replies, m)
		} else {
			top = append(top, m)
		}
	}
	if len(top) != 1 || len(replies) != 1 {
		t.Fatalf("%d alerts and %d replies, want 1 and 1: %+v", len(top), len(replies), slack.Messages(slackfake.DefaultChannelID))
	}
	if !strings.Contains(top[0].Text+string(top[0].Blocks), "Taobao") || !strings.Contains(top[0].Text+string(top[0].Blocks), "WeChat Pay") {
		t.Errorf("alert does not name the development: %s", top[0].Text)
	}
	if replies[0].ThreadTS != top[0].TS {
		t.Errorf("the second outlet's report is not in the alert's thread")
	}
	for _, m := range append(top, replies...) {
		if strings.Contains(m.Text+string(m.Blocks), "earnings.html") {
			t.Errorf("the article without a connection was posted: %s", m.Text)
		}
	}
	if rep.Delivery.Posted != 1 || rep.Delivery.Replies != 1 || rep.Delivery.Pending != 0 {
		t.Errorf("delivery report %+v", rep.Delivery)
	}

	// Nothing changed: one conditional request, no page fetched, nothing posted.
	fetched := s.fetches.Load()
	rep, err = w.RunOnce(ctx, worker.RunOptions{Sources: []string{"feed-0"}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Sources[0].NotModified || s.fetches.Load() != fetched {
		t.Errorf("second run: not modified %v, %d pages fetched", rep.Sources[0].NotModified, s.fetches.Load()-fetched)
	}
	if n := len(slack.Messages(slackfake.DefaultChannelID)); n != 2 {
		t.Errorf("second run posted %d messages", n-2)
	}
}

func TestSlackOutageKeepsAlertsForTheNextRun(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	slack := slackfake.New(t)
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, s, bot, s.URL+"/feed.xml")
	// Slack stores the first message but answers 503, then is down for the
	// rest of the run (the deadline allows no retry within it).
	slack.FailNext(1, slackfake.FailLie)
	rep, err := w.RunOnce(ctx, worker.RunOptions{DeliveryDeadline: 500 * time.Millisecond})
	if !errors.Is(err, worker.ErrUndelivered) {
		t.Fatalf("a run that could not deliver: error %v, want ErrUndelivered", err)
	}
	if rep.Delivery.Pending == 0 || rep.Delivery.Posted != 0 {
		t.Fatalf("during the outage: %+v", rep.Delivery)
	}
	rep, err = w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivery.Pending != 0 {
		t.Errorf("after the outage %d still pending", rep.Delivery.Pending)
	}
	var top int
	for _, m := range slack.Messages(slackfake.DefaultChannelID) {
		if !m.IsReply() {
			top++
		}
	}
	if top != 1 {
		t.Errorf("%d alerts after the outage, want exactly 1", top)
	}
}

func TestLinksIntoLoopbackAreRefused(t *testing.T) {
	var inward atomic.Int64
	in := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inward.Add(1) }))
	defer in.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>x</title><link>%s/internal</link></item></channel></rss>`, in.URL)
	})
	src := httptest.NewServer(mux)
	defer src.Close()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The source's own origin may be on loopback; the link it lists may not.
	client := fetch.New(fetch.Options{Timeout: 5 * time.Second, AllowPrivate: true})
	feedURL := strings.Replace(src.URL, "127.0.0.1", "localhost", 1) + "/feed.xml"
	f, _ := feed.New("f", feedURL, client, time.UTC)
	w, err := worker.New(worker.Config{Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()),
		Notifier: alerts.NewWriter(&strings.Builder{}, "json"), Sources: []worker.Source{{Source: f, URL: feedURL}}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if inward.Load() != 0 {
		t.Errorf("the worker reached a loopback address listed by a feed")
	}
	if len(rep.Sources[0].ArticleErrors) != 1 || !strings.Contains(rep.Sources[0].ArticleErrors[0].Error(), "private or loopback") {
		t.Errorf("article errors = %v", rep.Sources[0].ArticleErrors)
	}
}

func TestOverlappingPassesOfASourceAreSkippedAndCounted(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title></channel></rss>`)
	}))
	defer srv.Close()
	defer close(release)
	s := &site{Server: srv}
	w := newWorker(t, s, alerts.NewWriter(&strings.Builder{}, "json"), srv.URL+"/feed.xml")

	done := make(chan worker.Report)
	go func() {
		rep, _ := w.RunOnce(context.Background(), worker.RunOptions{})
		done <- rep
	}()
	<-entered // the first pass is in flight
	rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sources[0].Skipped == "" {
		t.Errorf("an overlapping pass was not skipped: %+v", rep.Sources[0])
	}
	if got := testutil.ToFloat64(w.Metrics().SourceSkips.WithLabelValues("feed-0")); got != 1 {
		t.Errorf("skips counted = %v, want 1", got)
	}
	release <- struct{}{}
	if first := <-done; first.Sources[0].Skipped != "" || first.Sources[0].Err != nil {
		t.Errorf("the first pass: %+v", first.Sources[0])
	}
}

func TestAliveTellsDeadAndReusedPids(t *testing.T) {
	if !worker.Alive(worker.Owner()) {
		t.Error("this process is not alive")
	}
	host, _ := os.Hostname()
	cmd := exec.Command("sleep", "0")
	if err := cmd.Run(); err != nil {
		t.Skip("no sleep command:", err)
	}
	dead := fmt.Sprintf("%s:%d:12345", host, cmd.Process.Pid)
	if worker.Alive(dead) {
		t.Errorf("an exited process is alive: %s", dead)
	}
	reused := fmt.Sprintf("%s:%d:1", host, os.Getpid()) // our pid, another start time
	if worker.Alive(reused) {
		t.Errorf("a reused pid counts as the old owner: %s", reused)
	}
	if !worker.Alive("other-host:1:1") {
		t.Error("an owner on another host must be assumed alive (its lease ends by time)")
	}
}

func TestLookUpBeforeRepostOnlyWhenSlackMayHaveStoredIt(t *testing.T) {
	for name, tc := range map[string]struct {
		fail       string
		wantLookup bool
	}{
		"429 refuses for certain":      {fail: slackfake.FailRateLimit, wantLookup: false},
		"503 leaves it unknown":        {fail: slackfake.FailUnavailable, wantLookup: true},
		"a lie is found, not reposted": {fail: slackfake.FailLie, wantLookup: true},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t)
			slack := slackfake.New(t)
			slack.SetRetryAfter("0")
			bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			w := newWorker(t, s, bot, s.URL+"/feed.xml")
			slack.FailNext(1, tc.fail)
			rep, err := w.RunOnce(context.Background(), worker.RunOptions{DeliveryDeadline: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			var lookups, posts int
			for _, c := range slack.Calls() {
				switch c.Method {
				case "conversations.history", "conversations.replies":
					lookups++
				case "chat.postMessage":
					posts++
				}
			}
			if (lookups > 0) != tc.wantLookup {
				t.Errorf("%d look-ups, want look-up %v", lookups, tc.wantLookup)
			}
			var top int
			for _, m := range slack.Messages(slackfake.DefaultChannelID) {
				if !m.IsReply() {
					top++
				}
			}
			if top != 1 || rep.Delivery.Pending != 0 {
				t.Errorf("%d alerts stored, %d pending; want exactly 1 and none", top, rep.Delivery.Pending)
			}
		})
	}
}

func TestAPermanentlyBrokenPageDoesNotHoldTheSourceBack(t *testing.T) {
	for name, tc := range map[string]struct {
		status      int
		want304Next bool
	}{
		"404 is for good": {status: http.StatusNotFound, want304Next: true},
		"503 may pass":    {status: http.StatusServiceUnavailable, want304Next: false},
		"500 may pass":    {status: http.StatusInternalServerError, want304Next: false},
		"410 is for good": {status: http.StatusGone, want304Next: true},
		"429 means later": {status: http.StatusTooManyRequests, want304Next: false},
	} {
		t.Run(name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"f1"`)
				if r.Header.Get("If-None-Match") == `"f1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>/a/wire.html</link></item>`+
					`<item><title>b</title><link>/broken.html</link></item></channel></rss>`)
			})
			mux.HandleFunc("/a/wire.html", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, pages["/a/wire.html"]) })
			mux.HandleFunc("/broken.html", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tc.status) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			w := newWorker(t, &site{Server: srv}, alerts.NewWriter(&strings.Builder{}, "json"), srv.URL+"/feed.xml")
			rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sources[0].Articles != 1 || len(rep.Sources[0].ArticleErrors) != 1 {
				t.Fatalf("first run: %+v", rep.Sources[0])
			}
			rep, err = w.RunOnce(context.Background(), worker.RunOptions{IgnoreDeferral: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sources[0].NotModified != tc.want304Next {
				t.Errorf("second run not modified = %v, want %v", rep.Sources[0].NotModified, tc.want304Next)
			}
		})
	}
}
