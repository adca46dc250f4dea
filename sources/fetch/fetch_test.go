package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	kgzip "github.com/klauspost/compress/gzip"
	"github.com/wallwatch/worker/sources"
)

// serve starts a test server for h and returns it with the host name the
// requests to it should trust.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// hostOf is the host name of a test server's URL.
func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}

// newClient returns a client with short timeouts for tests, whose trusted
// origins may be the test servers on loopback.
func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowPrivate = true
	return newGuardedClient(t, o)
}

// newGuardedClient is newClient with o.AllowPrivate as given.
func newGuardedClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// trusted is a request for srv's path that trusts srv's origin.
func trusted(srv *httptest.Server, path string) Request {
	return Request{URL: srv.URL + path, TrustedOrigin: srv.URL + "/feed.xml"}
}

func gzipBytes(t testing.TB, b []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

const page = "<!doctype html><html><head><title>t</title></head><body><p>Taobao adds WeChat Pay</p></body></html>"

func TestGetResponses(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	var zl, raw bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write([]byte(page))
	zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.DefaultCompression)
	fw.Write([]byte(page))
	fw.Close()

	type answer struct {
		status  int
		header  map[string]string
		body    string
		rawBody []byte
	}
	tests := map[string]struct {
		answer   answer
		accept   []string
		wantBody string
		wantErr  error // errors.Is
		wantCode int   // *StatusError code, when wantErr is nil and the request fails
		wantTill time.Duration
		retry    bool // want *RetryAfterError
	}{
		"html page": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/html; charset=utf-8"}, body: page},
			accept:   PageTypes,
			wantBody: page,
		},
		"no content type is sniffed and accepted": {
			answer:   answer{status: 200, body: page},
			accept:   PageTypes,
			wantBody: page,
		},
		"feed mislabelled as html": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "<rss></rss>"},
			accept:   FeedTypes,
			wantBody: "<rss></rss>",
		},
		"wildcard accept": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "hello"},
			accept:   []string{"text/*"},
			wantBody: "hello",
		},
		"nil accept takes any type": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "application/x-whatever"}, body: "hello"},
			wantBody: "hello",
		},
		"gzip body": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "gzip"}, rawBody: gzipBytes(t, []byte(page), gzip.DefaultCompression)},
			accept:   PageTypes,
			wantBody: page,
		},
		"deflate body, zlib wrapped": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "deflate"}, rawBody: zl.Bytes()},
			wantBody: page,
		},
		"deflate body, raw": {
			answer:   answer{status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "deflate"}, rawBody: raw.Bytes()},
			wantBody: page,
		},
		"corrupt gzip": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "gzip"}, body: "not gzip at all"},
			wantErr: kgzip.ErrHeader,
		},
		"unsupported encoding": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "br"}, body: "xx"},
			wantErr: ErrContentType,
		},
		"wrong content type": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "image/png"}, body: png},
			accept:  PageTypes,
			wantErr: ErrContentType,
		},
		"binary body labelled html": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: png},
			accept:  PageTypes,
			wantErr: ErrContentType,
		},
		"pdf labelled html": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "%PDF-1.7\n..."},
			wantErr: ErrContentType,
		},
		"NUL bytes": {
			answer:  answer{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "<html>\x00\x01\x02</html>"},
			wantErr: ErrContentType,
		},
		"404": {
			answer:   answer{status: 404, body: "no such page"},
			wantCode: 404,
		},
		"500": {
			answer:   answer{status: 500, body: "oops"},
			wantCode: 500,
		},
		"503 without Retry-After": {
			answer:   answer{status: 503},
			wantCode: 503,
		},
		"429 without Retry-After": {
			answer:   answer{status: 429},
			wantCode: 429,
		},
		"redirect without Location": {
			answer:   answer{status: 302},
			wantCode: 302,
		},
		"429 retry after an hour in seconds": {
			answer:   answer{status: 429, header: map[string]string{"Retry-After": "3600"}},
			retry:    true,
			wantCode: 429,
			wantTill: time.Hour,
		},
		"429 retry after an hour as HTTP date": {
			answer:   answer{status: 429, header: map[string]string{"Retry-After": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}},
			retry:    true,
			wantCode: 429,
			wantTill: time.Hour,
		},
		"503 retry after two minutes": {
			answer:   answer{status: 503, header: map[string]string{"Retry-After": "120"}},
			retry:    true,
			wantCode: 503,
			wantTill: 2 * time.Minute,
		},
		"absurd Retry-After is capped at a day": {
			answer:   answer{status: 503, header: map[string]string{"Retry-After": "99999999999999999999"}},
			retry:    true,
			wantCode: 503,
			wantTill: 24 * time.Hour,
		},
		"Retry-After in the past means now": {
			answer:   answer{status: 429, header: map[string]string{"Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"}},
			retry:    true,
			wantCode: 429,
			wantTill: 0,
		},
	}
	const secret = "SECRET-BODY-TEXT"
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.answer.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.answer.status)
				if tt.answer.rawBody != nil {
					w.Write(tt.answer.rawBody)
					return
				}
				io.WriteString(w, tt.answer.body)
				if tt.answer.status != 200 {
					io.WriteString(w, secret)
				}
			})
			c := newClient(t, Options{})
			req := trusted(srv, "/a/page")
			req.Accept = tt.accept
			start := time.Now()
			resp, err := c.Get(context.Background(), req)
			failing := tt.wantErr != nil || tt.wantCode != 0
			if !failing {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if diff := cmp.Diff(tt.wantBody, string(resp.Body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
				if resp.URL != req.URL || resp.StatusCode != 200 {
					t.Errorf("URL, status = %s, %d; want %s, 200", resp.URL, resp.StatusCode, req.URL)
				}
				return
			}
			if err == nil {
				t.Fatalf("Get succeeded; want an error")
			}
			if !strings.HasPrefix(err.Error(), "fetch "+req.URL+": ") {
				t.Errorf("error %q does not start with %q", err, "fetch "+req.URL+": ")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "IHDR") {
				t.Errorf("error %q includes the body", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v; want %v", err, tt.wantErr)
			}
			if tt.wantCode != 0 {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != tt.wantCode {
					t.Errorf("error %v; want status %d", err, tt.wantCode)
				}
			}
			var re *RetryAfterError
			if got := errors.As(err, &re); got != tt.retry {
				t.Fatalf("error %v: RetryAfterError = %v, want %v", err, got, tt.retry)
			}
			if tt.retry {
				if re.Code != tt.wantCode {
					t.Errorf("RetryAfterError.Code = %d; want %d", re.Code, tt.wantCode)
				}
				want := start.Add(tt.wantTill)
				if d := re.Until.Sub(want); d < -2*time.Second || d > 2*time.Second {
					t.Errorf("Until = %s; want about %s", re.Until, want)
				}
			}
		})
	}
}

func TestStatusErrorMessage(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal details", 500)
	})
	c := newClient(t, Options{})
	req := trusted(srv, "/y")
	_, err := c.Get(context.Background(), req)
	want := fmt.Sprintf("fetch %s/y: http status 500", srv.URL)
	if err == nil || err.Error() != want {
		t.Errorf("error = %v; want %q", err, want)
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.WriteString(w, page)
	})
	tests := map[string]struct {
		opts       Options
		accept     []string
		wantUA     string
		wantAccept string
	}{
		"defaults": {wantUA: DefaultUserAgent, wantAccept: "*/*"},
		"own agent and page types": {
			opts: Options{UserAgent: "newsbot/2"}, accept: PageTypes,
			wantUA: "newsbot/2", wantAccept: "text/html, application/xhtml+xml",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, tt.opts)
			req := trusted(srv, "/")
			req.Accept = tt.accept
			if _, err := c.Get(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"User-Agent": tt.wantUA, "Accept": tt.wantAccept, "Accept-Encoding": "gzip, deflate"}
			for k, v := range want {
				if got.Get(k) != v {
					t.Errorf("%s = %q; want %q", k, got.Get(k), v)
				}
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	tests := map[string]http.HandlerFunc{
		// Headers at once, then one byte a second: only the whole-request
		// timeout ends it.
		"trickle": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(200)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				w.Write([]byte("a"))
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
				}
			}
		},
		"never answers": func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		},
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, h)
			c := newClient(t, Options{Timeout: 300 * time.Millisecond})
			// A backstop, so that a missing timeout fails rather than hangs.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.Get(ctx, trusted(srv, "/"))
			elapsed := time.Since(start)
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("error %v; want ErrTimeout", err)
			}
			if elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
				t.Errorf("ended after %s; want about 300ms", elapsed)
			}
		})
	}
}

func TestCallerCancellation(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newClient(t, Options{Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, trusted(srv, "/"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Errorf("error %v; want the caller's context.DeadlineExceeded", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %s after the caller's deadline", time.Since(start))
	}
}

// gzipBomb is 1 GiB of zeros in about 1 MiB: one gzip member of 1 MiB of
// zeros, repeated (a gzip stream may hold many members).
func gzipBomb(t testing.TB) (member []byte, repeat int) {
	member = gzipBytes(t, make([]byte, 1<<20), gzip.BestCompression)
	return member, 1024
}

func TestBodyCaps(t *testing.T) {
	const limit = 1 << 20
	chunk := bytes.Repeat([]byte("<p>a</p>"), 8<<10)
	member, repeat := gzipBomb(t)
	tests := map[string]struct {
		header map[string]string
		write  func(w io.Writer) error // until it errors or is done
		total  int64                   // bytes the full answer has
		want   error
	}{
		"1 GiB streamed": {
			header: map[string]string{"Content-Type": "text/html"},
			write: func(w io.Writer) error {
				for n := 0; n < 1<<30; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return err
					}
				}
				return nil
			},
			total: 1 << 30,
			want:  ErrTooLarge,
		},
		"1 GiB announced": {
			header: map[string]string{"Content-Type": "text/html", "Content-Length": strconv.Itoa(1 << 30)},
			write: func(w io.Writer) error {
				for n := 0; n < 1<<30; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return err
					}
				}
				return nil
			},
			total: 1 << 30,
			want:  ErrTooLarge,
		},
		"gzip bomb": {
			header: map[string]string{"Content-Type": "text/html", "Content-Encoding": "gzip"},
			write: func(w io.Writer) error {
				for range repeat {
					if _, err := w.Write(member); err != nil {
						return err
					}
				}
				return nil
			},
			total: int64(len(member) * repeat),
			want:  ErrTooLarge,
		},
		"exactly the limit, streamed": {
			header: map[string]string{"Content-Type": "text/plain"},
			write: func(w io.Writer) error {
				_, err := w.Write(bytes.Repeat([]byte("a"), limit))
				return err
			},
			total: limit,
		},
		"one byte over the limit, streamed": {
			header: map[string]string{"Content-Type": "text/plain"},
			write: func(w io.Writer) error {
				_, err := w.Write(bytes.Repeat([]byte("a"), limit+1))
				return err
			},
			total: limit + 1,
			want:  ErrTooLarge,
		},
		"exactly the limit, announced": {
			header: map[string]string{"Content-Type": "text/plain", "Content-Length": strconv.Itoa(limit)},
			write: func(w io.Writer) error {
				_, err := w.Write(bytes.Repeat([]byte("a"), limit))
				return err
			},
			total: limit,
		},
		"gzip exactly the limit": {
			header: map[string]string{"Content-Type": "text/plain", "Content-Encoding": "gzip"},
			write: func(w io.Writer) error {
				_, err := w.Write(gzipBytes(t, bytes.Repeat([]byte("a"), limit), gzip.DefaultCompression))
				return err
			},
			total: -1,
		},
		"gzip one byte over": {
			header: map[string]string{"Content-Type": "text/plain", "Content-Encoding": "gzip"},
			write: func(w io.Writer) error {
				_, err := w.Write(gzipBytes(t, bytes.Repeat([]byte("a"), limit+1), gzip.DefaultCompression))
				return err
			},
			total: -1,
			want:  ErrTooLarge,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var written atomic.Int64
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				tt.write(countingWriter{w, &written})
			})
			c := newClient(t, Options{MaxBodyBytes: limit, Timeout: 10 * time.Second})
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			resp, err := c.Get(context.Background(), trusted(srv, "/"))
			elapsed := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if len(resp.Body) != limit {
					t.Errorf("body is %d bytes; want %d", len(resp.Body), limit)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v; want %v", err, tt.want)
			}
			if elapsed > 3*time.Second {
				t.Errorf("took %s", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB while reading", alloc>>20)
			}
			srv.Close() // wait for the handler to see the closed connection
			if tt.total > 64<<20 && written.Load() > tt.total/8 {
				t.Errorf("server wrote %d of %d bytes; the read should stop near the limit", written.Load(), tt.total)
			}
		})
	}
}

type countingWriter struct {
	w http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func TestRedirects(t *testing.T) {
	var hits atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			if n == 0 {
				io.WriteString(w, page)
				return
			}
			// Relative, and each status that redirects.
			codes := []int{301, 302, 303, 307, 308}
			http.Redirect(w, r, strconv.Itoa(n-1), codes[n%len(codes)])
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/file", http.StatusMovedPermanently)
		case r.URL.Path == "/js":
			w.Header().Set("Location", "javascript:alert(1)")
			w.WriteHeader(http.StatusFound)
		}
	})
	tests := map[string]struct {
		opts     Options
		path     string
		wantPath string
		wantErr  error
		wantHits int64
	}{
		"five redirects are followed": {path: "/chain/5", wantPath: "/chain/0", wantHits: 6},
		"six are too many":            {path: "/chain/6", wantErr: ErrTooManyRedirect, wantHits: 6},
		"loop":                        {path: "/loop", wantErr: ErrTooManyRedirect, wantHits: 6},
		"own cap":                     {opts: Options{MaxRedirects: 2}, path: "/chain/3", wantErr: ErrTooManyRedirect, wantHits: 3},
		"no redirects":                {opts: Options{MaxRedirects: -1}, path: "/chain/1", wantErr: ErrTooManyRedirect, wantHits: 1},
		"to ftp":                      {path: "/ftp", wantErr: ErrScheme, wantHits: 1},
		"to javascript":               {path: "/js", wantErr: ErrScheme, wantHits: 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			hits.Store(0)
			c := newClient(t, tt.opts)
			resp, err := c.Get(context.Background(), trusted(srv, tt.path))
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hit %d times; want %d", got, tt.wantHits)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v; want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := srv.URL + tt.wantPath; resp.URL != want {
				t.Errorf("final URL %s; want %s", resp.URL, want)
			}
		})
	}
}

func TestUnsupportedURLs(t *testing.T) {
	c := newClient(t, Options{})
	tests := map[string]struct {
		url  string
		want error
	}{
		"ftp":       {url: "ftp://example.com/x", want: ErrScheme},
		"file":      {url: "file:///etc/passwd", want: ErrScheme},
		"relative":  {url: "/just/a/path", want: ErrScheme},
		"no host":   {url: "http:///path"},
		"bad parse": {url: "http://a b.com/%zz"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: tt.url})
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v; want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "fetch "+tt.url) {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Wed, 04 Sep 2024 10:30:00 GMT"
	var bodyWrites atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			if r.URL.Path == "/with-new-etag" {
				w.Header().Set("ETag", `"v2"`)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/rss+xml")
		bodyWrites.Add(1)
		io.WriteString(w, "<rss/>")
	})
	c := newClient(t, Options{})
	req := trusted(srv, "/feed")
	req.Accept = FeedTypes
	first, err := c.Get(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	wantV := sources.Validators{ETag: etag, LastModified: lastMod}
	if diff := cmp.Diff(wantV, first.Validators); diff != "" || first.NotModified || string(first.Body) != "<rss/>" {
		t.Fatalf("first answer: NotModified %v, body %q, validators (-want +got):\n%s", first.NotModified, first.Body, diff)
	}

	tests := map[string]struct {
		path       string
		validators sources.Validators
		want       sources.Validators
	}{
		"etag and date":           {path: "/feed", validators: wantV, want: wantV},
		"etag only":               {path: "/feed", validators: sources.Validators{ETag: etag}, want: sources.Validators{ETag: etag}},
		"date only":               {path: "/feed", validators: sources.Validators{LastModified: lastMod}, want: sources.Validators{LastModified: lastMod}},
		"server sends a new etag": {path: "/with-new-etag", validators: wantV, want: sources.Validators{ETag: `"v2"`, LastModified: lastMod}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			before := bodyWrites.Load()
			req := trusted(srv, tt.path)
			req.Validators = tt.validators
			resp, err := c.Get(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !resp.NotModified || resp.Body != nil || resp.StatusCode != 304 {
				t.Errorf("NotModified %v, status %d, body %q; want a bodiless 304", resp.NotModified, resp.StatusCode, resp.Body)
			}
			if diff := cmp.Diff(tt.want, resp.Validators); diff != "" {
				t.Errorf("validators (-want +got):\n%s", diff)
			}
			if bodyWrites.Load() != before {
				t.Error("server sent the body again")
			}
		})
	}
}

func TestPerHostConcurrency(t *testing.T) {
	tests := map[string]struct {
		limit    int
		requests int
		want     int64
	}{
		"limit 1": {limit: 1, requests: 5, want: 1},
		"limit 2": {limit: 2, requests: 8, want: 2},
		"limit 3": {limit: 3, requests: 9, want: 3},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var inFlight, peak atomic.Int64
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				// Hold the request until the limit is reached (or a while
				// has passed), so a lower peak means the client held back.
				for deadline := time.Now().Add(300 * time.Millisecond); inFlight.Load() < int64(tt.limit) && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(5 * time.Millisecond)
				io.WriteString(w, page)
			})
			c := newClient(t, Options{PerHostConcurrency: tt.limit})
			var wg sync.WaitGroup
			errs := make(chan error, tt.requests)
			for range tt.requests {
				wg.Go(func() {
					if _, err := c.Get(context.Background(), trusted(srv, "/")); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := peak.Load(); got != tt.want {
				t.Errorf("at most %d requests were in flight; want %d", got, tt.want)
			}
		})
	}
}

func TestTimeoutExcludesQueueing(t *testing.T) {
	// Five requests to a host that takes one at a time, each answering in
	// 100ms: the last waits 400ms for its turn, which must not count against
	// its 400ms timeout.
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(w, page)
	})
	c := newClient(t, Options{PerHostConcurrency: 1, Timeout: 400 * time.Millisecond})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), trusted(srv, "/")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestPerHostRate(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	c := newClient(t, Options{PerHostRate: 4, AllowPrivate: true})

	start := time.Now()
	for range 3 {
		if _, err := c.Get(context.Background(), trusted(srv, "/")); err != nil {
			t.Fatal(err)
		}
	}
	// A burst of one, then one every 250ms.
	if elapsed := time.Since(start); elapsed < 480*time.Millisecond {
		t.Errorf("3 requests at 4/s took %s; want at least 500ms", elapsed)
	}

	// Another host name is another host: no wait behind 127.0.0.1.
	start = time.Now()
	if _, err := c.Get(context.Background(), Request{URL: fmt.Sprintf("http://localhost:%d/", port), TrustedOrigin: fmt.Sprintf("http://localhost:%d/", port)}); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 200*time.Millisecond {
		t.Errorf("first request to another host waited %s; want no wait", elapsed)
	}
}

func TestLimitWaitEndsWithContext(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		io.WriteString(w, page)
	})
	defer close(release)
	tests := map[string]Options{
		"waiting for a slot": {PerHostConcurrency: 1},
		"waiting for rate":   {PerHostRate: 0.01},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, opts)
			busy, cancelBusy := context.WithCancel(context.Background())
			defer cancelBusy()
			started := make(chan struct{})
			go func() {
				close(started)
				c.Get(busy, trusted(srv, "/slow"))
			}()
			<-started
			time.Sleep(50 * time.Millisecond) // let it take the slot or the token

			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Get(ctx, trusted(srv, "/"))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v; want context.Canceled", err)
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("cancelled wait ended after %s", elapsed)
			}
		})
	}
}

func TestRobots(t *testing.T) {
	const robots = `User-agent: *
Disallow: /private/
Crawl-delay: 0.2

User-agent: otherbot
Disallow: /
`
	var robotsHits atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			io.WriteString(w, robots)
			return
		}
		if r.URL.Path == "/to-private" {
			http.Redirect(w, r, "/private/x", http.StatusFound)
			return
		}
		io.WriteString(w, page)
	})
	c := newClient(t, Options{Robots: true})
	get := func(path string, check bool) error {
		req := trusted(srv, path)
		req.CheckRobots = check
		_, err := c.Get(context.Background(), req)
		return err
	}

	if err := get("/private/a", true); !errors.Is(err, ErrRobots) {
		t.Errorf("disallowed path: error %v; want ErrRobots", err)
	}
	if err := get("/to-private", true); !errors.Is(err, ErrRobots) {
		t.Errorf("redirect into a disallowed path: error %v; want ErrRobots", err)
	}
	if err := get("/private/a", false); err != nil {
		t.Errorf("request without CheckRobots: %v", err)
	}
	start := time.Now()
	for i := range 3 {
		if err := get(fmt.Sprintf("/news/%d", i), true); err != nil {
			t.Fatal(err)
		}
	}
	// Crawl-delay 0.2 s: three requests after the earlier ones need at least
	// two more intervals.
	if elapsed := time.Since(start); elapsed < 380*time.Millisecond {
		t.Errorf("3 requests under Crawl-delay 0.2 took %s", elapsed)
	}
	if n := robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times; want once", n)
	}

	// An hour later the answer has expired.
	c.now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	if err := get("/news/x", true); err != nil {
		t.Fatal(err)
	}
	if n := robotsHits.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times after expiry; want twice", n)
	}
}

func TestRobotsSharedAndLimited(t *testing.T) {
	// Concurrent first requests to one origin fetch robots.txt once, and the
	// robots.txt request counts against the host's concurrency like any other.
	var robotsHits, inFlight, peak atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > peak.Load() {
			peak.Store(n)
		}
		time.Sleep(10 * time.Millisecond)
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		io.WriteString(w, page)
	})
	c := newClient(t, Options{Robots: true, PerHostConcurrency: 1})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			req := trusted(srv, fmt.Sprintf("/news/%d", i))
			req.CheckRobots = true
			if _, err := c.Get(context.Background(), req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times; want once", n)
	}
	if n := peak.Load(); n != 1 {
		t.Errorf("%d requests in flight; want 1", n)
	}
}

func TestRobotsDisabled(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nDisallow: /\n")
			return
		}
		io.WriteString(w, page)
	})
	c := newClient(t, Options{Robots: false})
	req := trusted(srv, "/a")
	req.CheckRobots = true
	if _, err := c.Get(context.Background(), req); err != nil {
		t.Errorf("Options.Robots off: %v", err)
	}
}

func TestRobotsAnswers(t *testing.T) {
	tests := map[string]struct {
		robots  http.HandlerFunc
		agent   string
		wantErr bool
		want    error // the error wanted when wantErr; nil = ErrRobots
	}{
		"404 allows all": {
			robots: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		},
		"403 allows all": {
			robots: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403) },
		},
		"500 is unreachable for now": {
			robots:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			wantErr: true,
			want:    ErrRobotsUnreachable,
		},
		"503 is unreachable for now": {
			robots:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) },
			wantErr: true,
			want:    ErrRobotsUnreachable,
		},
		"unreachable for now": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
			},
			wantErr: true,
			want:    ErrRobotsUnreachable,
		},
		"empty allows all": {
			robots: func(w http.ResponseWriter, r *http.Request) {},
		},
		"our agent's group replaces *": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "User-agent: *\nAllow: /\n\nUser-agent: wallwatch-worker\nDisallow: /news/\n")
			},
			wantErr: true,
		},
		"another agent's group does not apply": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "User-agent: otherbot\nDisallow: /\n")
			},
		},
		"allow overrides a shorter disallow": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "User-agent: *\nDisallow: /news/\nAllow: /news/a\n")
			},
		},
		"malformed crawl-delay keeps the rules": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "User-agent: *\nCrawl-delay: soon\nDisallow: /news/\n")
			},
			wantErr: true,
		},
		"redirected robots.txt is followed": {
			robots: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RawQuery == "" {
					http.Redirect(w, r, "/robots.txt?moved", http.StatusMovedPermanently)
					return
				}
				io.WriteString(w, "User-agent: *\nDisallow: /news/\n")
			},
			wantErr: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					tt.robots(w, r)
					return
				}
				io.WriteString(w, page)
			})
			c := newClient(t, Options{Robots: true})
			req := trusted(srv, "/news/a")
			req.CheckRobots = true
			_, err := c.Get(context.Background(), req)
			want := tt.want
			if want == nil {
				want = ErrRobots
			}
			if tt.wantErr != errors.Is(err, want) || (!tt.wantErr && err != nil) {
				t.Errorf("error %v; want %v: %v", err, want, tt.wantErr)
			}
			if errors.Is(err, ErrRobotsUnreachable) && errors.Is(err, ErrRobots) {
				t.Errorf("error %v: an unreachable robots.txt is not a refusal", err)
			}
		})
	}
}

// A robots.txt that answers 503 once is asked again when the failure has
// expired, and the page is then fetched.
func TestRobotsUnreachableIsAskedAgain(t *testing.T) {
	var robotsHits atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			if robotsHits.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		io.WriteString(w, page)
	})
	c := newClient(t, Options{Robots: true})
	req := trusted(srv, "/news/a")
	req.CheckRobots = true
	if _, err := c.Get(context.Background(), req); !errors.Is(err, ErrRobotsUnreachable) || errors.Is(err, ErrRobots) {
		t.Fatalf("robots.txt 503: error %v; want ErrRobotsUnreachable, not ErrRobots", err)
	}
	c.now = func() time.Time { return time.Now().Add(robotsFailureTTL + time.Second) }
	if _, err := c.Get(context.Background(), req); err != nil {
		t.Fatalf("after the failure expired: %v", err)
	}
	if n := robotsHits.Load(); n != 2 {
		t.Errorf("robots.txt fetched %d times; want twice", n)
	}
}

// An article on an IPv6 literal host gets its robots.txt from
// http://[addr]:port/robots.txt and is fetched.
func TestRobotsOfAnIPv6LiteralHost(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	var robotsHits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		io.WriteString(w, page)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, Options{Robots: true, AllowPrivate: true})
	for path, wantErr := range map[string]error{"/news/a": nil, "/private/b": ErrRobots} {
		_, err := c.Get(context.Background(), Request{URL: srv.URL + path, CheckRobots: true, TrustedOrigin: srv.URL})
		if (wantErr == nil && err != nil) || (wantErr != nil && !errors.Is(err, wantErr)) {
			t.Errorf("%s%s: error %v; want %v", srv.URL, path, err, wantErr)
		}
	}
	if n := robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times; want once", n)
	}
}

func TestAddressGuard(t *testing.T) {
	var hits atomic.Int64
	inner := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, page)
	})
	innerPort := inner.Listener.Addr().(*net.TCPAddr).Port
	// outer redirects to the loopback address of inner.
	outer := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/", innerPort), http.StatusFound)
		case "/home":
			http.Redirect(w, r, "/", http.StatusFound)
		default:
			io.WriteString(w, page)
		}
	})
	outerPort := outer.Listener.Addr().(*net.TCPAddr).Port

	innerURL := fmt.Sprintf("http://127.0.0.1:%d", innerPort)
	outerHost := fmt.Sprintf("http://localhost:%d", outerPort)
	private := Options{AllowPrivate: true}
	tests := map[string]struct {
		opts        Options
		url         string
		trusted     string // Request.TrustedOrigin
		check       bool   // robots.txt check on
		wantErr     bool
		wantInError string
	}{
		"link to 127.0.0.1 from another origin": {
			opts: private, url: innerURL + "/", trusted: "https://news.example.com/feed",
			wantErr: true, wantInError: "127.0.0.1",
		},
		"link to 127.0.0.1 with no trusted origin": {
			opts: private, url: innerURL + "/", wantErr: true,
		},
		"link to 127.0.0.1 with robots on": {
			opts: Options{AllowPrivate: true, Robots: true}, check: true,
			url: innerURL + "/", trusted: "https://news.example.com/feed", wantErr: true, wantInError: "127.0.0.1",
		},
		"name that resolves to loopback": {
			opts: private, url: fmt.Sprintf("http://localhost:%d/", innerPort), trusted: "https://news.example.com/",
			wantErr: true, wantInError: "localhost",
		},
		"IPv4-mapped loopback": {
			opts: private, url: fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", innerPort), trusted: "https://news.example.com/",
			wantErr: true,
		},
		"the trusted origin itself": {
			opts: private, url: innerURL + "/", trusted: innerURL + "/feed.xml",
		},
		"the trusted origin, written differently": {
			opts: private, url: innerURL + "/", trusted: fmt.Sprintf("HTTP://127.0.0.1:%d", innerPort),
		},
		"the trusted origin without allow_private_networks": {
			url: innerURL + "/", trusted: innerURL + "/feed.xml", wantErr: true, wantInError: "127.0.0.1",
		},
		"a name for the trusted origin that resolves to loopback, without allow_private_networks": {
			url: fmt.Sprintf("http://localhost:%d/", innerPort), trusted: fmt.Sprintf("http://localhost:%d/", innerPort),
			wantErr: true, wantInError: "localhost",
		},
		"another port of the trusted host": {
			opts: private, url: innerURL + "/", trusted: fmt.Sprintf("http://127.0.0.1:%d/feed.xml", outerPort),
			wantErr: true, wantInError: "127.0.0.1",
		},
		"another scheme on the trusted host and port": {
			opts: private, url: innerURL + "/", trusted: fmt.Sprintf("https://127.0.0.1:%d/feed.xml", innerPort),
			wantErr: true, wantInError: "127.0.0.1",
		},
		"a bare host name trusts nothing": {
			opts: private, url: innerURL + "/", trusted: "127.0.0.1", wantErr: true, wantInError: "127.0.0.1",
		},
		"metadata address even when private is allowed": {
			opts: Options{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			url:  "http://169.254.169.254/latest/meta-data/", trusted: "http://169.254.169.254/",
			wantErr: true, wantInError: "169.254.169.254",
		},
		"Oracle Cloud metadata even when trusted and private is allowed": {
			opts: Options{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			url:  "http://192.0.0.192/opc/v2/instance/", trusted: "http://192.0.0.192/",
			wantErr: true, wantInError: "192.0.0.192",
		},
		"Azure wire server, a public-looking address": {
			opts: Options{Timeout: 300 * time.Millisecond},
			url:  "http://168.63.129.16/machine?comp=goalstate", wantErr: true, wantInError: "168.63.129.16",
		},
		"Azure wire server when trusted and private is allowed": {
			opts: Options{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			url:  "http://168.63.129.16/machine?comp=goalstate", trusted: "http://168.63.129.16/",
			wantErr: true, wantInError: "168.63.129.16",
		},
		"Tencent Cloud metadata when trusted and private is allowed": {
			opts: Options{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			url:  "http://169.254.0.23/meta-data/", trusted: "http://169.254.0.23/",
			wantErr: true, wantInError: "169.254.0.23",
		},
		"GCP metadata over IPv6 when trusted and private is allowed": {
			opts: Options{AllowPrivate: true, Timeout: 300 * time.Millisecond},
			url:  "http://[fd20:ce::254]/computeMetadata/v1/", trusted: "http://[fd20:ce::254]/",
			wantErr: true, wantInError: "fd20:ce::254",
		},
		"redirect from the trusted origin into loopback": {
			opts: private, url: outerHost + "/away", trusted: outerHost + "/",
			wantErr: true, wantInError: "127.0.0.1",
		},
		"redirect within the trusted origin": {
			opts: private, url: outerHost + "/home", trusted: fmt.Sprintf("http://LocalHost.:%d/feed", outerPort),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			hits.Store(0)
			c := newGuardedClient(t, tt.opts)
			_, err := c.Get(context.Background(), Request{URL: tt.url, TrustedOrigin: tt.trusted, CheckRobots: tt.check})
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("error %v; want ErrPrivateAddress", err)
			}
			if !strings.Contains(err.Error(), tt.wantInError) {
				t.Errorf("error %q does not name %q", err, tt.wantInError)
			}
			if hits.Load() != 0 {
				t.Error("the refused server was reached")
			}
		})
	}
}

func TestTrustedConnectionNotReused(t *testing.T) {
	// A connection opened for a request that trusts the server's origin must
	// not carry a later request that does not.
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) })
	c := newClient(t, Options{})
	if _, err := c.Get(context.Background(), trusted(srv, "/")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Get(context.Background(), Request{URL: srv.URL + "/", TrustedOrigin: "https://news.example.com/"})
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("error %v; want ErrPrivateAddress", err)
	}
}

func TestRefused(t *testing.T) {
	tests := map[string]bool{ // address: refused
		"10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "127.0.0.1": true,
		"127.8.9.10": true, "0.0.0.0": true, "0.1.2.3": true, "100.64.0.1": true,
		"100.127.255.254": true, "100.100.100.200": true, "169.254.169.254": true,
		"224.0.0.1": true, "239.255.255.250": true, "255.255.255.255": true, "240.0.0.1": true,
		"198.18.0.1": true, "192.0.0.8": true,
		"::": true, "::1": true, "fc00::1": true, "fd00:ec2::254": true, "fe80::1": true,
		"ff02::1": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true, "::127.0.0.1": true,
		"64:ff9b::7f00:1": true, "2002:7f00:1::": true, "2002:a00:1::": true, "fec0::1": true,
		"8.8.8.8": false, "1.1.1.1": false, "100.128.0.1": false, "100.63.255.255": false,
		"203.0.113.10": false, "2606:4700:4700::1111": false, "::ffff:8.8.8.8": false,
		"64:ff9b::808:808": false, "2002:808:808::": false,
		"168.63.129.16": true, "192.0.0.192": true, "::ffff:168.63.129.16": true,
	}
	for addr, want := range tests {
		t.Run(addr, func(t *testing.T) {
			ip, err := netip.ParseAddr(addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := refused(ip) != ""; got != want {
				t.Errorf("refused(%s) = %q; want refused %v", addr, refused(ip), want)
			}
		})
	}
}

func TestTrustedOrigin(t *testing.T) {
	tests := map[string]string{
		"https://example.com/feed":               "https://example.com:443",
		"HTTPS://Example.COM./feed":              "https://example.com:443",
		"http://example.com/":                    "http://example.com:80",
		"https://user@example.com:8443/feed?x#y": "https://example.com:8443",
		"http://[::1]:80/":                       "http://[::1]:80",
		"http://例子.测试/":                          "http://xn--fsqu00a.xn--0zwm56d:80",
		"example.com":                            "",
		"example.com:8443":                       "",
		"ftp://example.com/":                     "",
		"":                                       "",
	}
	for in, want := range tests {
		if got := trustedOrigin(in); got != want {
			t.Errorf("trustedOrigin(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 9, 4, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		"seconds":            {in: "120", want: now.Add(2 * time.Minute), wantOK: true},
		"zero":               {in: "0", want: now, wantOK: true},
		"a week is capped":   {in: "604800", want: now.Add(24 * time.Hour), wantOK: true},
		"overflow is capped": {in: "99999999999999999999999", want: now.Add(24 * time.Hour), wantOK: true},
		"http date":          {in: "Wed, 04 Sep 2024 11:00:00 GMT", want: now.Add(time.Hour), wantOK: true},
		"rfc 850 date":       {in: "Wednesday, 04-Sep-24 11:00:00 GMT", want: now.Add(time.Hour), wantOK: true},
		"date next year":     {in: "Thu, 04 Sep 2025 11:00:00 GMT", want: now.Add(24 * time.Hour), wantOK: true},
		"past date":          {in: "Tue, 03 Sep 2024 11:00:00 GMT", want: now, wantOK: true},
		"negative":           {in: "-5"},
		"empty":              {in: ""},
		"garbage":            {in: "soon"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := retryAfter(tt.in, now)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	half := func() float64 { return 0.5 }
	tests := map[string]struct {
		failures int
		rnd      func() float64
		want     time.Duration
	}{
		"no failure":          {failures: 0, rnd: half, want: 0},
		"first":               {failures: 1, rnd: half, want: time.Minute},
		"second":              {failures: 2, rnd: half, want: 2 * time.Minute},
		"fifth":               {failures: 5, rnd: half, want: 16 * time.Minute},
		"ninth":               {failures: 9, rnd: half, want: 256 * time.Minute},
		"tenth reaches 6 h":   {failures: 10, rnd: half, want: 6 * time.Hour},
		"many stay at 6 h":    {failures: 1000, rnd: half, want: 6 * time.Hour},
		"lowest jitter":       {failures: 1, rnd: func() float64 { return 0 }, want: 48 * time.Second},
		"highest jitter":      {failures: 10, rnd: func() float64 { return 1 }, want: 432 * time.Minute},
		"out-of-range random": {failures: 1, rnd: func() float64 { return 7 }, want: 72 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Backoff(tt.failures, tt.rnd); got != tt.want {
				t.Errorf("Backoff(%d) = %s; want %s", tt.failures, got, tt.want)
			}
		})
	}
	for range 100 {
		if d := Backoff(3, nil); d < 192*time.Second || d > 288*time.Second {
			t.Fatalf("Backoff(3, nil) = %s; want 4 min ± 20%%", d)
		}
	}
}

func TestAcceptable(t *testing.T) {
	tests := map[string]struct {
		ct     string
		accept []string
		want   bool
	}{
		"exact":                {ct: "text/html", accept: PageTypes, want: true},
		"parameters and case":  {ct: "Text/HTML; charset=GBK", accept: PageTypes, want: true},
		"xhtml":                {ct: "application/xhtml+xml", accept: PageTypes, want: true},
		"json is not a page":   {ct: "application/json", accept: PageTypes},
		"image is not a feed":  {ct: "image/jpeg", accept: FeedTypes},
		"atom feed":            {ct: "application/atom+xml; charset=utf-8", accept: FeedTypes, want: true},
		"json feed":            {ct: "application/feed+json", accept: FeedTypes, want: true},
		"type wildcard":        {ct: "text/csv", accept: []string{"text/*"}, want: true},
		"wildcard needs type":  {ct: "textual/csv", accept: []string{"text/*"}},
		"any":                  {ct: "image/png", accept: []string{"*/*"}, want: true},
		"no header":            {ct: "", accept: PageTypes, want: true},
		"nil accept":           {ct: "image/png", want: true},
		"accept has parameter": {ct: "text/html", accept: []string{"text/html;q=0.9"}, want: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := acceptable(tt.ct, tt.accept); got != tt.want {
				t.Errorf("acceptable(%q, %q) = %v; want %v", tt.ct, tt.accept, got, tt.want)
			}
		})
	}
}

func TestIsBinary(t *testing.T) {
	tests := map[string]struct {
		body string
		want bool
	}{
		"html":           {body: page},
		"gbk text":       {body: "\xcc\xd4\xb1\xa6\xbd\xd3\xc8\xeb\xce\xa2\xd0\xc5\xd6\xa7\xb8\xb6"},
		"utf-8 bom":      {body: "\xef\xbb\xbf<html></html>"},
		"utf-16 le":      {body: "\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00"},
		"empty":          {body: ""},
		"png":            {body: "\x89PNG\r\n\x1a\n", want: true},
		"jpeg":           {body: "\xff\xd8\xff\xe0\x00\x10JFIF", want: true},
		"gif":            {body: "GIF89a....", want: true},
		"pdf":            {body: "%PDF-1.4", want: true},
		"zip":            {body: "PK\x03\x04\x14\x00", want: true},
		"gzip":           {body: "\x1f\x8b\x08\x00", want: true},
		"webp":           {body: "RIFF\x24\x00\x00\x00WEBPVP8 ", want: true},
		"mp4":            {body: "\x00\x00\x00\x18ftypmp42", want: true},
		"nul in text":    {body: "<html>\x00</html>", want: true},
		"nul after 1KiB": {body: strings.Repeat("a", 1024) + "\x00"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got, _ := isBinary([]byte(tt.body)); got != tt.want {
				t.Errorf("isBinary = %v; want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkGet(b *testing.B) {
	body := []byte("<!doctype html><html><body>" + strings.Repeat("<p>Taobao adds WeChat Pay as a payment option.</p>", 2000) + "</body></html>")
	gz := gzipBytes(b, body, gzip.DefaultCompression)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				if enc == "gzip" {
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(gz)
					return
				}
				w.Write(body)
			}))
			defer srv.Close()
			c := New(Options{PerHostConcurrency: 8, AllowPrivate: true})
			defer c.CloseIdleConnections()
			req := Request{URL: srv.URL + "/a", TrustedOrigin: srv.URL, Accept: PageTypes}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := c.Get(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBareGet is the floor BenchmarkGet is measured against: a plain
// net/http GET of the same page, read with io.ReadAll.
func BenchmarkBareGet(b *testing.B) {
	body := []byte("<!doctype html><html><body>" + strings.Repeat("<p>Taobao adds WeChat Pay as a payment option.</p>", 2000) + "</body></html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/a")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
