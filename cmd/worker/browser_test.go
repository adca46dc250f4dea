package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/testsite"
)

// chromium finds a headless-capable Chromium: Debian's package installs
// /usr/bin/chromium. Without one the test skips, except in CI, which installs
// it and must run the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: CI installs Debian's chromium package (.ci/run)")
	}
	t.Skip("no chromium on PATH")
	return ""
}

// artifactDir is where the test keeps its screenshot: $ARTIFACTS_DIR when
// set, else the test's artifact directory (kept with -artifacts).
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("ARTIFACTS_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// TestBrowserFollowsTheTimeline fills a database with run-once over the
// generated site, starts a real serve process on it, and drives headless
// Chromium through the timeline: the page's text, a filter from the form, a
// development's own page, and a screenshot kept as an artifact.
func TestBrowserFollowsTheTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser and a worker process")
	}
	browser := chromium(t)
	base, out := serveGeneratedSite(t)
	ctx, cancel := browserContext(t, browser)
	defer cancel()

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("read "+sel, err)
		return s
	}
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Location())
		must("read the location", err)
		return s
	}

	must("load the timeline", chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("ol.timeline")),
	))
	timeline := text("main")
	for _, want := range []string{"Taobao", "WeChat Pay", "DingTalk", "淘宝正式接入微信支付", "announced", "launched", testsite.HostileTitle} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline does not show %q:\n%s", want, timeline)
		}
	}

	must("apply the kind filter", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("select[name=kind]"), "payment"),
		chromedp.Click(chromedp.CSS("form.filters button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS("option[value=payment][selected]")),
	))
	filtered, at := text("ol.timeline"), location()
	if !strings.Contains(at, "kind=payment") || !strings.Contains(filtered, "WeChat Pay") || strings.Contains(filtered, "DingTalk") {
		t.Errorf("after the filter, at %s:\n%s", at, filtered)
	}
	dir := artifactDir(t)
	keep := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives a PNG
		must("take a screenshot", err)
		if len(shot) < 1000 || string(shot[1:4]) != "PNG" {
			t.Fatalf("screenshot of %d bytes is not a PNG", len(shot))
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	keep("timeline-payment.png")

	must("follow a development", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("ol.timeline li.development h2 a")),
		chromedp.WaitVisible(chromedp.CSS("article.development")),
	))
	if at := location(); !regexp.MustCompile(`/developments/\d+$`).MatchString(at) {
		t.Errorf("followed to %s", at)
	}
	page := text("article.development")
	for _, want := range []string{"Steps", "announced", "launched", "淘宝正式接入微信支付", "The alert in Slack", "Events"} {
		if !strings.Contains(page, want) {
			t.Errorf("the development page does not show %q:\n%s", want, page)
		}
	}
	keep("development.png")
}

// serveGeneratedSite runs run-once over the generated site into a new
// database, alerting to the Slack stand-in, then starts a real serve
// process on that database and returns its address and output.
func serveGeneratedSite(t *testing.T) (string, *strings.Builder) {
	t.Helper()
	site := testsite.New(t)
	slack := slackfake.New(t, slackfake.WithToken("xoxb-browser"), slackfake.WithChannel("C0WEB", "alibaba-tencent"))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "worker.yaml")
	yaml := "database: " + filepath.Join(dir, "worker.db") + "\nschedule: \"@every 1h\"\n" +
		"slack:\n  token: xoxb-browser\n  channel: C0WEB\n  api_url: " + slack.APIURL() + "\n" +
		"http:\n  allow_private_networks: true\n  timeout: 10s\n  per_host_rate: 0\n" +
		"alerts:\n  max_age: 0\n" +
		"sources:\n  - name: generated\n    url: " + site.FeedURL() + "\n    type: feed\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("run-once exit %d:\n%s", code, stderr)
	}

	addr := freeAddr(t)
	serve, out := startWorker(t, "serve", "--config", cfg, "--listen", addr)
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for code, _ := get(base + "/readyz"); code != 200; code, _ = get(base + "/readyz") {
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within 10 s:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		_ = serve.Wait()
	})
	return base, out

}

// browserContext starts headless Chromium with a fresh profile and the
// flags a sandboxed CI needs, closed when the test ends.
func browserContext(t *testing.T, browser string) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(420, 900), // a phone's width
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	return ctx, func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	}
}
