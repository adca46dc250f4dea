// Package fetch is the worker's HTTP client: every request a source or an
// article fetch makes goes through it, with timeouts, size caps, conditional
// requests, robots.txt, per-host limits and an outbound-address guard.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wallwatch/worker/sources"
)

// DefaultUserAgent is the User-Agent sent when Options.UserAgent is empty.
const DefaultUserAgent = "wallwatch-worker/1.0 (+https://github.com/wallwatch/worker)"

// Defaults for the zero Options fields.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBodyBytes = 10 << 20
	DefaultMaxRedirects = 5
	defaultDialTimeout  = 10 * time.Second
	defaultTLSTimeout   = 10 * time.Second
)

// maxRetryAfter caps how long a server may ask us to stay away.
const maxRetryAfter = 24 * time.Hour

// Options configure a Client. The zero value of each field picks its default.
type Options struct {
	UserAgent          string        // "" = DefaultUserAgent
	Timeout            time.Duration // whole request, redirects and body included; 0 = 20 s
	MaxBodyBytes       int64         // cap on the (decompressed) body; 0 = 10 MiB
	MaxRedirects       int           // 0 = 5; negative follows none
	AllowPrivate       bool          // let each request's TrustedOrigin be on a private or loopback address
	PerHostConcurrency int           // requests in flight to one host; 0 = no limit
	PerHostRate        float64       // requests per second to one host; 0 = no limit
	Robots             bool          // honour robots.txt for requests with CheckRobots

	DialTimeout           time.Duration // TCP connect; 0 = min(10 s, Timeout)
	TLSHandshakeTimeout   time.Duration // 0 = min(10 s, Timeout)
	ResponseHeaderTimeout time.Duration // from request sent to headers read; 0 = Timeout
}

// Request is one GET.
type Request struct {
	URL        string
	Validators sources.Validators // make the request conditional
	Accept     []string           // media types accepted (type/*, */* allowed); nil accepts any
	// TrustedOrigin is the source's own URL: with Options.AllowPrivate, its
	// origin (scheme, host, port) alone may be on a private or loopback
	// address. Other origins, and every origin without AllowPrivate, must be
	// public; cloud metadata addresses are never reached.
	TrustedOrigin string
	CheckRobots   bool // a discovered page: obey robots.txt
}

// Response is a fetched resource.
type Response struct {
	URL         string // final URL after redirects
	StatusCode  int
	NotModified bool   // 304: Body is empty
	Body        []byte // decoded (gzip, deflate), at most Options.MaxBodyBytes
	ContentType string
	Validators  sources.Validators // to send with the next request for URL
}

// StatusError is a response with an unexpected HTTP status.
type StatusError struct {
	Code int
}

// Error reports the status: "http status 500".
func (e *StatusError) Error() string { return fmt.Sprintf("http status %d", e.Code) }

// RetryAfterError is a 429 or 503 whose server asked to come back later.
type RetryAfterError struct {
	Code  int
	Until time.Time // at most 24 h ahead
}

// Error reports the status and when to come back.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("http status %d: retry after %s", e.Code, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap lets errors.As find the status as a *StatusError too.
func (e *RetryAfterError) Unwrap() error { return &StatusError{Code: e.Code} }

// Errors a request can end with, tested with errors.Is.
var (
	ErrTooLarge    = errors.New("body exceeds size limit")
	ErrContentType = errors.New("unexpected content type")
	ErrRobots      = errors.New("disallowed by robots.txt")
	// ErrRobotsUnreachable: robots.txt could not be read (5xx, 429, a
	// network error), so nothing on its origin is fetched for now. Unlike
	// ErrRobots it passes: the page is to be tried again later.
	ErrRobotsUnreachable = errors.New("robots.txt unreachable")
	ErrPrivateAddress    = errors.New("refused: private or loopback address")
	ErrTooManyRedirect   = errors.New("too many redirects")
	ErrScheme            = errors.New("unsupported URL scheme")
	ErrTimeout           = errors.New("timed out")
)

// errTimedOut is the cancellation cause of a request that ran out of time.
var errTimedOut = errors.New("request timed out")

// Client fetches URLs. It is safe for concurrent use; share one per process
// so connections, per-host limits and robots.txt answers are shared too.
type Client struct {
	opts   Options
	ua     string
	rt     *guardTransport
	hosts  hostLimits
	robots robotsCache
	now    func() time.Time
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = min(defaultDialTimeout, opts.Timeout)
	}
	if opts.TLSHandshakeTimeout <= 0 {
		opts.TLSHandshakeTimeout = min(defaultTLSTimeout, opts.Timeout)
	}
	if opts.ResponseHeaderTimeout <= 0 {
		opts.ResponseHeaderTimeout = opts.Timeout
	}
	dialer := func(allowPrivate bool) *guardDialer {
		return &guardDialer{
			dialer:       net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second},
			resolver:     net.DefaultResolver,
			allowPrivate: allowPrivate,
		}
	}
	rt := &guardTransport{guarded: newTransport(dialer(false).DialContext, opts)}
	if opts.AllowPrivate {
		rt.private = newTransport(dialer(true).DialContext, opts)
	}
	return &Client{
		opts:  opts,
		ua:    opts.UserAgent,
		rt:    rt,
		hosts: hostLimits{concurrency: opts.PerHostConcurrency, rate: opts.PerHostRate},
		now:   time.Now,
	}
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.rt.closeIdle() }

// Get fetches req.URL. Errors name the URL and the reason; the categories
// are the Err… values, *StatusError and *RetryAfterError, and the context's
// error when ctx ends.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	if err := checkURL(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	trusted := trustedOrigin(req.TrustedOrigin)
	if c.opts.Robots && req.CheckRobots {
		if err := c.checkRobots(ctx, u, trusted); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
		}
	}
	resp, err := c.do(ctx, u, trusted, getOpts{
		validators: req.Validators,
		accept:     req.Accept,
		limit:      c.opts.MaxBodyBytes,
		sniff:      true,
		robots:     c.opts.Robots && req.CheckRobots,
		timeout:    c.opts.Timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	return resp, nil
}

// checkURL accepts absolute http and https URLs only.
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w %q", ErrScheme, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("no host")
	}
	return nil
}

// getOpts are what one fetch needs beyond the URL.
type getOpts struct {
	validators sources.Validators
	accept     []string
	limit      int64
	truncate   bool // keep the first limit bytes instead of failing
	sniff      bool // refuse a body that is clearly binary
	anyStatus  bool // return every final status with its body (robots.txt)
	robots     bool // check robots.txt for redirect targets
	timeout    time.Duration
}

// do fetches u, following redirects itself so that each hop passes the
// scheme check, robots.txt and the per-host limits. The timeout starts once
// the first hop holds its host slot: time spent queueing behind other
// requests to the same host does not count.
func (c *Client) do(ctx context.Context, u *url.URL, trusted string, o getOpts) (*Response, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ctx = withTrust(ctx, trusted)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()

	header := make(http.Header, 5)
	header["User-Agent"] = []string{c.ua}
	header["Accept"] = []string{acceptHeader(o.accept)}
	header["Accept-Encoding"] = []string{"gzip, deflate"}
	if o.validators.ETag != "" {
		header["If-None-Match"] = []string{o.validators.ETag}
	}
	if o.validators.LastModified != "" {
		header["If-Modified-Since"] = []string{o.validators.LastModified}
	}

	for redirects := 0; ; redirects++ {
		slot, err := c.hosts.acquire(ctx, hostKey(u.Hostname()))
		if err != nil {
			return nil, c.ctxErr(ctx, o.timeout, fmt.Errorf("wait for host slot: %w", err))
		}
		if timer == nil {
			timer = time.AfterFunc(o.timeout, func() { cancel(errTimedOut) })
		}
		hr := (&http.Request{
			Method:     http.MethodGet,
			URL:        u,
			Proto:      "HTTP/1.1",
			ProtoMajor: 1,
			ProtoMinor: 1,
			Header:     header,
			Host:       u.Host,
		}).WithContext(ctx)
		resp, err := c.rt.RoundTrip(hr)
		if err != nil {
			slot.release()
			return nil, redirected(u, redirects, c.ctxErr(ctx, o.timeout, err))
		}
		next, err := c.redirect(u, resp, redirects)
		if next == nil && err == nil {
			out, err := c.finish(ctx, u, resp, o)
			drain(resp.Body)
			slot.release()
			if err != nil {
				return nil, redirected(u, redirects, c.ctxErr(ctx, o.timeout, err))
			}
			return out, nil
		}
		drain(resp.Body)
		slot.release()
		if err != nil {
			return nil, err
		}
		if o.robots {
			if err := c.checkRobots(ctx, next, trusted); err != nil {
				return nil, c.ctxErr(ctx, o.timeout, fmt.Errorf("redirect to %s: %w", next.Redacted(), err))
			}
		}
		u = next
	}
}

// redirected names the URL an error happened at when it is not the one
// requested.
func redirected(u *url.URL, redirects int, err error) error {
	if redirects == 0 {
		return err
	}
	return fmt.Errorf("redirected to %s: %w", u.Redacted(), err)
}

// redirect returns where resp redirects to, nil when it is final, or why the
// redirect may not be followed.
func (c *Client) redirect(u *url.URL, resp *http.Response, done int) (*url.URL, error) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, nil // a final answer: finish reports the status
	}
	if done >= max(c.opts.MaxRedirects, 0) {
		return nil, fmt.Errorf("%w (%d)", ErrTooManyRedirect, max(c.opts.MaxRedirects, 0))
	}
	next, err := u.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("redirect to %q: %w", loc, err)
	}
	if err := checkURL(next); err != nil {
		return nil, fmt.Errorf("redirect to %s: %w", next.Redacted(), err)
	}
	return next, nil
}

// finish turns a final response into a Response or an error.
func (c *Client) finish(ctx context.Context, u *url.URL, resp *http.Response, o getOpts) (*Response, error) {
	out := &Response{
		URL:         u.String(),
		StatusCode:  resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Validators: sources.Validators{
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
		},
	}
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		out.NotModified = true
		if out.Validators.ETag == "" {
			out.Validators.ETag = o.validators.ETag
		}
		if out.Validators.LastModified == "" {
			out.Validators.LastModified = o.validators.LastModified
		}
		return out, nil
	case o.anyStatus && (code < 200 || code >= 300):
		return out, nil
	case code == http.StatusOK, code == http.StatusNonAuthoritativeInfo, o.anyStatus:
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		if until, ok := retryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
			return nil, &RetryAfterError{Code: code, Until: until}
		}
		return nil, &StatusError{Code: code}
	default:
		return nil, &StatusError{Code: code}
	}
	if !acceptable(out.ContentType, o.accept) {
		return nil, fmt.Errorf("%w %q", ErrContentType, mediaType(out.ContentType))
	}
	body, err := readBody(resp, o.limit, o.truncate)
	if err != nil {
		return nil, err
	}
	if o.sniff {
		if bin, why := isBinary(body); bin {
			return nil, fmt.Errorf("%w: body is binary (%s)", ErrContentType, why)
		}
	}
	out.Body = body
	return out, nil
}

// retryAfter reads a Retry-After value, in seconds or as an HTTP date,
// relative to now and capped at 24 hours.
func retryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if allDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return now.Add(maxRetryAfter), true
		}
		return now.Add(time.Duration(secs) * time.Second), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, false
	}
	switch {
	case t.Before(now):
		return now, true
	case t.After(now.Add(maxRetryAfter)):
		return now.Add(maxRetryAfter), true
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// drain reads a little of a body that is not wanted, so that the connection
// can be reused, and closes it.
func drain(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 4<<10)
	body.Close()
}

// ctxErr names the reason a request failed when its context ended: our own
// timeout, or the caller's cancellation; otherwise it returns err, marking
// network timeouts as ErrTimeout.
func (c *Client) ctxErr(ctx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		if cause == errTimedOut {
			return fmt.Errorf("%w after %s", ErrTimeout, timeout)
		}
		return cause
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, ErrTimeout) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// Backoff is how long to wait before trying a source again after
// consecutiveFailures failures in a row: 1 minute after the first, doubling
// up to 6 hours, each value spread by ±20 % with rnd (a number in [0, 1);
// nil uses math/rand). No failures, no wait.
func Backoff(consecutiveFailures int, rnd func() float64) time.Duration {
	const (
		first = time.Minute
		limit = 6 * time.Hour
	)
	if consecutiveFailures <= 0 {
		return 0
	}
	d := first
	for i := 1; i < consecutiveFailures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	if rnd == nil {
		rnd = rand.Float64
	}
	r := min(max(rnd(), 0), 1)
	return time.Duration(float64(d) * (0.8 + 0.4*r))
}
