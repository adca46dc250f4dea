package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
)

// fixture is the shared fixture news site served on loopback.
type fixture struct {
	corpus   string
	site     *httptest.Server
	expected expectedSite
	labels   map[string]label // by site path
}

type expectedSite struct {
	Developments []struct {
		Key      string   `json:"key"`
		Articles []string `json:"articles"`
	} `json:"developments"`
	Negatives []string `json:"negatives"`
	Backfill  struct {
		Developments []struct {
			Key      string   `json:"key"`
			Articles []string `json:"articles"`
		} `json:"developments"`
	} `json:"backfill"`
}

type label struct {
	File     string `json:"file"`
	Headline []struct {
		Kind  string `json:"kind"`
		Stage string `json:"stage"`
	} `json:"headline"`
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	corpus := sharedtest.Path(t, "corpus")
	f := &fixture{corpus: corpus, labels: map[string]label{}}
	readJSON(t, filepath.Join(corpus, "site", "expected.json"), &f.expected)
	var labels []label
	readJSON(t, filepath.Join(corpus, "labels.json"), &labels)
	for _, l := range labels {
		f.labels["/"+strings.TrimPrefix(l.File, "/")] = l
	}
	f.site = httptest.NewServer(http.FileServer(http.Dir(corpus)))
	t.Cleanup(f.site.Close)
	return f
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// config writes a worker config for the fixture site with the given Slack
// section and returns its path.
func (f *fixture) config(t *testing.T, slack string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.corpus, "site", "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(f.site.URL)
	src := strings.ReplaceAll(string(b), "127.0.0.1:PORT", u.Host)
	src = src[strings.Index(src, "sources:"):]
	dir := t.TempDir()
	cfg := "database: " + filepath.Join(dir, "worker.db") + "\nschedule: \"@every 1h\"\n" + slack +
		"http:\n  allow_private_networks: true\n  timeout: 10s\n  per_host_rate: 0\n  per_host_concurrency: 4\n" +
		"alerts:\n  max_age: 0\n" + src
	p := filepath.Join(dir, "worker.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// allowed is how many top-level alerts a development may have: one per
// distinct kind and stage among its articles' headline events.
func (f *fixture) allowed(articles []string) int {
	pairs := map[string]bool{}
	for _, p := range articles {
		for _, e := range f.labels[p].Headline {
			pairs[e.Kind+"/"+e.Stage] = true
		}
	}
	return max(1, len(pairs))
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb, func(string) (string, bool) { return "", false })
	return out.String(), errb.String(), code
}

func mentions(text string, paths []string) bool {
	return slices.ContainsFunc(paths, func(p string) bool { return strings.Contains(text, p) })
}

func TestRunOnceAlertsEachDevelopmentOnceWithThreads(t *testing.T) {
	f := newFixture(t)
	slack := slackfake.New(t, slackfake.WithToken("xoxb-test-secret"), slackfake.WithChannel("C0E2E", "alibaba-tencent"))
	cfg := f.config(t, "slack:\n  token: xoxb-test-secret\n  channel: C0E2E\n  api_url: "+slack.APIURL()+"\n")

	_, stderr, code := runCLI(t, "run-once", "--config", cfg, "--log-format", "json")
	if code != 0 {
		t.Fatalf("run-once exit %d:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "xoxb-test-secret") {
		t.Error("the token appears in the output")
	}
	msgs := slack.Messages("C0E2E")
	var top, replies []slackfake.Message
	for _, m := range msgs {
		if !m.IsReply() {
			top = append(top, m)
		} else {
			replies = append(replies, m)
		}
	}
	var devPaths []string
	for _, d := range f.expected.Developments {
		devPaths = append(devPaths, d.Articles...)
		var hits []slackfake.Message
		for _, m := range top {
			if mentions(m.Text+string(m.Blocks), d.Articles) {
				hits = append(hits, m)
			}
		}
		if len(hits) < 1 || len(hits) > f.allowed(d.Articles) {
			t.Errorf("development %s: %d top-level alerts, want 1..%d", d.Key, len(hits), f.allowed(d.Articles))
			continue
		}
		// Every other article of the development is in the alert's thread.
		threads := map[string]bool{}
		for _, h := range hits {
			threads[h.TS] = true
		}
		for _, p := range d.Articles {
			inTop := slices.ContainsFunc(hits, func(m slackfake.Message) bool { return strings.Contains(m.Text+string(m.Blocks), p) })
			inThread := slices.ContainsFunc(replies, func(m slackfake.Message) bool {
				return threads[m.ThreadTS] && strings.Contains(m.Text+string(m.Blocks), p)
			})
			if !inTop && !inThread {
				t.Errorf("development %s: article %s is neither the alert nor in its thread", d.Key, p)
			}
		}
	}
	for _, m := range top {
		if !mentions(m.Text+string(m.Blocks), devPaths) {
			t.Errorf("alert matching no development: %.200s", m.Text)
		}
		if mentions(m.Text+string(m.Blocks), f.expected.Negatives) && !mentions(m.Text+string(m.Blocks), devPaths) {
			t.Errorf("negative alerted: %.200s", m.Text)
		}
	}
	for _, m := range replies {
		if !slices.ContainsFunc(top, func(p slackfake.Message) bool { return p.TS == m.ThreadTS }) {
			t.Errorf("reply to an unknown thread %s", m.ThreadTS)
		}
	}

	// Nothing new: nothing posted.
	before := len(slack.Messages("C0E2E"))
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	if after := len(slack.Messages("C0E2E")); after != before {
		t.Errorf("the re-run posted %d messages", after-before)
	}
}

func TestRunOnceWebhookAndBackfill(t *testing.T) {
	f := newFixture(t)
	slack := slackfake.New(t)
	cfg := f.config(t, "slack:\n  webhook_url: "+slack.WebhookURL()+"\n")
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("run-once exit %d:\n%s", code, stderr)
	}
	posts := webhookPosts(slack)
	count := func(articles []string) int {
		n := 0
		for _, m := range posts {
			if mentions(m.Text+string(m.Blocks), articles) {
				n++
			}
		}
		return n
	}
	for _, d := range f.expected.Developments {
		if n := count(d.Articles); n < 1 || n > f.allowed(d.Articles) {
			t.Errorf("development %s: %d webhook alerts", d.Key, n)
		}
	}
	for _, d := range f.expected.Backfill.Developments {
		if n := count(d.Articles); n != 0 {
			t.Errorf("development %s is only on listing page 3 but was alerted without --since", d.Key)
		}
	}
	// The backfill reaches page 3 and alerts what only it lists, once.
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg, "--since", "2021-01-01"); code != 0 {
		t.Fatalf("backfill exit %d:\n%s", code, stderr)
	}
	posts = webhookPosts(slack)
	for _, d := range f.expected.Backfill.Developments {
		if n := count(d.Articles); n < 1 || n > f.allowed(d.Articles) {
			t.Errorf("backfill development %s: %d alerts", d.Key, n)
		}
	}
	for _, d := range f.expected.Developments {
		if n := count(d.Articles); n > f.allowed(d.Articles) {
			t.Errorf("development %s alerted again by the backfill (%d)", d.Key, n)
		}
	}
}

func TestRunOnceNamesFailedSourcesAndExitsZero(t *testing.T) {
	f := newFixture(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer broken.Close()
	cfg := f.config(t, "")
	b, _ := os.ReadFile(cfg)
	b = append(b, []byte("  - name: broken-feed\n    url: "+broken.URL+"/feed.xml\n    type: feed\n")...)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "run-once", "--config", cfg, "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d, want 0 with a failed source:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "source broken-feed failed") || !strings.Contains(stderr, "500") {
		t.Errorf("the failed source and its reason are not named:\n%s", stderr)
	}
	if !strings.Contains(stderr, "run-once --force") {
		t.Errorf("the summary does not say how to fetch the failed source now:\n%s", stderr)
	}
	if !strings.Contains(stdout, `"blocks"`) {
		t.Errorf("--dry-run printed no payloads:\n%.500s", stdout)
	}
}

func TestUsageAndConfigErrorsExitTwo(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown command": {"frobnicate"},
		"unknown flag":    {"run-once", "--bogus"},
		"bad since":       {"run-once", "--since", "yesterday", "--config", writeTemp(t, "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n")},
		"extract no file": {"extract"},
		"bad config":      {"config", "check", "--config", writeTemp(t, "sources:\n  - {name: a, url: 'x', type: feed}\n")},
		"missing config":  {"config", "check", "--config", "/nonexistent/worker.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := runCLI(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
		})
	}
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func webhookPosts(s *slackfake.Server) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range s.Messages(slackfake.DefaultChannelID) {
		if m.Webhook {
			out = append(out, m)
		}
	}
	return out
}

// countingSite serves the fixture corpus and records every request.
type countingSite struct {
	mu   sync.Mutex
	reqs []siteRequest
}

type siteRequest struct {
	path        string
	conditional bool
	status      int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (c *countingSite) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.reqs = append(c.reqs, siteRequest{
			path:        r.URL.Path,
			conditional: r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "",
			status:      rec.status,
		})
	})
}

func (c *countingSite) take() []siteRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.reqs
	c.reqs = nil
	return out
}

func TestSecondRunMakesOnlyConditionalRequests(t *testing.T) {
	f := newFixture(t)
	counter := &countingSite{}
	f.site.Config.Handler = counter.wrap(http.FileServer(http.Dir(f.corpus)))
	cfg := f.config(t, "")

	// Alerts go to standard output: a dry run would record nothing.
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("first run exit %d:\n%s", code, stderr)
	}
	first := counter.take()
	pages := 0
	for _, r := range first {
		if strings.HasPrefix(r.path, "/articles/") {
			pages++
		}
	}
	if pages == 0 {
		t.Fatal("the first run fetched no article pages")
	}

	stdout, stderr, code := runCLI(t, "run-once", "--config", cfg)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	second := counter.take()
	if len(second) != 5 {
		t.Errorf("second run made %d requests, want one per source (5): %+v", len(second), second)
	}
	for _, r := range second {
		if !r.conditional || r.status != http.StatusNotModified {
			t.Errorf("second run: %s conditional=%v status %d, want a conditional request answered 304", r.path, r.conditional, r.status)
		}
	}
	if strings.TrimSpace(stdout) != "" {
		t.Errorf("second run would post:\n%s", stdout)
	}
}

func TestEventsListFormats(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, "")
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg, "--no-alerts"); code != 0 {
		t.Fatalf("run-once exit %d:\n%s", code, stderr)
	}
	out, stderr, code := runCLI(t, "events", "list", "--config", cfg, "--format", "json")
	if code != 0 {
		t.Fatalf("events list exit %d:\n%s", code, stderr)
	}
	var rows []struct {
		Date        sources.Date
		Headline    bool
		Alerted     bool
		Alibaba     []string `json:"alibaba"`
		Tencent     []string `json:"tencent"`
		Development *developmentRef
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("events list --format json: %v\n%.300s", err, out)
	}
	var news, background, alerted int
	last := ""
	for _, r := range rows {
		if len(r.Alibaba) == 0 || len(r.Tencent) == 0 {
			t.Errorf("row without its alibaba and tencent entities: %+v", r)
		}
		if r.Headline != (r.Development != nil) || r.Development != nil && (r.Development.ID == 0 || r.Development.What == "") {
			t.Errorf("headline %v with development %+v", r.Headline, r.Development)
		}
		if r.Headline {
			news++
		} else {
			background++
		}
		if r.Alerted {
			alerted++
		}
		if d := r.Date.String(); d != "" {
			if d < last {
				t.Errorf("timeline out of order: %s after %s", d, last)
			}
			last = d
		}
	}
	if news < len(f.expected.Developments) || background == 0 || alerted != 0 {
		t.Errorf("timeline: %d news, %d background, %d alerted (--no-alerts)", news, background, alerted)
	}
	csvOut, _, code := runCLI(t, "events", "list", "--config", cfg, "--format", "csv", "--since", "2024-01-01")
	if code != 0 || !strings.HasPrefix(csvOut, "\uFEFFdate,pair,a,b,kind,stage,headline,development,what") {
		t.Errorf("csv: exit %d\n%.200s", code, csvOut)
	}
	if strings.Count(csvOut, "\uFEFF") != 1 {
		t.Errorf("csv: want one byte order mark, at the start")
	}
	for _, line := range strings.Split(strings.TrimSpace(csvOut), "\n")[1:] {
		if line < "2024" {
			t.Errorf("--since 2024-01-01 kept %q", line)
		}
	}
	table, _, _ := runCLI(t, "events", "list", "--config", cfg)
	if !strings.Contains(table, "DATE") || !strings.Contains(table, "WeChat Pay") {
		t.Errorf("table:\n%.300s", table)
	}
}

func TestReadOnlyCommandsNeverCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "worker.db")
	cfg := writeTemp(t, "database: "+db+"\nsources:\n  - {name: wire, url: 'https://news.example/feed.xml', type: feed}\n")
	for _, args := range [][]string{{"events", "list"}, {"db", "check"}, {"db", "backup", filepath.Join(dir, "b.db")}} {
		_, stderr, code := runCLI(t, append(args, "--config", cfg)...)
		if code != 1 || !strings.Contains(stderr, "no database at "+db) || !strings.Contains(stderr, "run-once") {
			t.Errorf("%v: exit %d, %q; want 1 naming the missing database", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only command created %s: %v", filepath.Dir(db), err)
	}
}
