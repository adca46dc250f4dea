package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const healthyArticle = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Taobao starts accepting WeChat Pay at checkout – Test Wire</title>
<meta property="article:published_time" content="%s">
</head><body><nav><a href="/">Home</a></nav><article><h1>Taobao starts accepting WeChat Pay at checkout</h1>
<p>Alibaba's Taobao marketplace now lets shoppers pay with Tencent's WeChat Pay at checkout, the company said on Monday, the latest step in the opening between the two rivals.</p>
<p>The option appears on the payment page for all users after an update rolled out this week, according to a statement from Taobao.</p>
<p>Analysts said the move would help merchants reach WeChat users who do not have Alipay accounts.</p>
</article><footer>© Test Wire</footer></body></html>`

// hostileServer serves sources that misbehave in every way a web server can.
func hostileServer(t *testing.T, inward string) *httptest.Server {
	t.Helper()
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 256 { // 256 MiB of zeros, about 250 KB compressed
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	published := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)

	mux := http.NewServeMux()
	mux.HandleFunc("/healthy/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>ok</title>
<item><title>Taobao starts accepting WeChat Pay</title><link>/healthy/story.html</link><pubDate>%s</pubDate></item>
<item><title>inward</title><link>%s/secret.html</link></item>
<item><title>inward v6</title><link>%s/secret6.html</link></item>
<item><title>redirect inward</title><link>/healthy/redirect-in</link></item>
</channel></rss>`, time.Now().Add(-time.Hour).Format(time.RFC1123Z), inward, strings.Replace(inward, "127.0.0.1", "[::1]", 1))
	})
	mux.HandleFunc("/healthy/story.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, healthyArticle, published)
	})
	mux.HandleFunc("/healthy/redirect-in", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inward+"/via-redirect.html", http.StatusFound)
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		for {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Length", fmt.Sprint(1<<30))
		chunk := bytes.Repeat([]byte("<item>x</item>"), 4096)
		for sent := 0; sent < 1<<30; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop?n="+fmt.Sprint(time.Now().UnixNano()), http.StatusFound)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>cut`))
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 4096)...))
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.WriteTimeout = 3 * time.Minute
	srv.Start()
	t.Cleanup(srv.CloseClientConnections)
	t.Cleanup(srv.Close)
	return srv
}

func TestHostileSources(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a worker process against misbehaving servers")
	}
	var inwardHits atomic.Int64
	inwardSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inwardHits.Add(1)
		fmt.Fprint(w, "<html><body>internal</body></html>")
	}))
	defer inwardSrv.Close()
	inward := inwardSrv.URL // http://127.0.0.1:PORT — a loopback address, not the source's host

	srv := hostileServer(t, inward)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	healthy := "http://localhost:" + port // the healthy source's own host name
	bad := map[string]string{
		"trickle": "/trickle", "hang": "/hang", "huge": "/huge", "gzip-bomb": "/bomb", "redirect-loop": "/loop",
		"status-500": "/500", "status-429": "/429", "broken-xml": "/broken.xml", "binary": "/binary", "status-404": "/404",
	}
	var cfg strings.Builder
	dir := t.TempDir()
	fmt.Fprintf(&cfg, "database: %s\ntimezone: UTC\nhttp:\n  allow_private_networks: true\n  timeout: 8s\n  per_host_rate: 0\n  per_host_concurrency: 16\n  max_body_bytes: 5000000\nalerts:\n  max_age: 0\nsources:\n",
		filepath.Join(dir, "w.db"))
	fmt.Fprintf(&cfg, "  - {name: healthy, url: '%s/healthy/feed.xml', type: feed}\n", healthy)
	for name, path := range bad {
		fmt.Fprintf(&cfg, "  - {name: %s, url: '%s%s', type: feed}\n", name, srv.URL, path)
	}
	cfgPath := filepath.Join(dir, "worker.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	cmd, out := startWorker(t, "run-once", "--config", cfgPath, "--dry-run", "--log-format", "json")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run-once: %v\n%s", err, out)
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("run did not end within two minutes:\n%s", out)
	}
	elapsed := time.Since(start)
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	t.Logf("run took %v, peak RSS %d MiB", elapsed.Round(time.Millisecond), rss/1024)
	if rss > 300*1024 {
		t.Errorf("peak RSS %d MiB, want under 300", rss/1024)
	}
	output := out.String()
	if n := strings.Count(output, `"channel"`); n != 1 || !strings.Contains(output, "/healthy/story.html") {
		t.Errorf("want the healthy story alerted exactly once, got %d payloads:\n%s", n, output)
	}
	if n := inwardHits.Load(); n != 0 {
		t.Errorf("the worker reached the loopback address %d times", n)
	}
	for name := range bad {
		if !strings.Contains(output, "source "+name+" failed: ") {
			t.Errorf("source %s is not named as failed with its reason", name)
		}
	}
	for name, reason := range map[string]string{
		"status-500": "500", "status-429": "429", "status-404": "404", "redirect-loop": "redirect",
		"huge": "size", "gzip-bomb": "size", "broken-xml": "feed", "binary": "content type",
	} {
		line := lineWith(output, "source "+name+" failed: ")
		if !strings.Contains(strings.ToLower(line), reason) {
			t.Errorf("source %s: reason %q not in %q", name, reason, line)
		}
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
