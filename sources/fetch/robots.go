package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robots.txt handling (RFC 9309).
const (
	robotsMaxBytes   = 500 << 10        // only the first 500 KiB are read
	robotsTTL        = time.Hour        // how long an answer is kept
	robotsFailureTTL = 10 * time.Minute // how long "unreachable" is kept
	robotsTimeout    = 10 * time.Second // at most; never more than Options.Timeout
)

// robotsEntry is one origin's robots.txt, or why it could not be read.
type robotsEntry struct {
	ready chan struct{} // closed once the fields below are set

	data    *robotstxt.RobotsData // nil when err is set
	err     error                 // unreachable: disallow everything
	expires time.Time
	retry   bool // the fetch was cancelled by its caller: ask again
}

type robotsCache struct {
	mu      sync.Mutex
	origins map[string]*robotsEntry
}

// checkRobots returns ErrRobots when the robots.txt of u's origin disallows
// u for our user agent. One fetch per origin is in flight at a time; the
// others wait for it with their own context.
func (c *Client) checkRobots(ctx context.Context, u *url.URL, trusted string) error {
	origin := u.Scheme + "://" + originHost(hostKey(u.Hostname()), u.Port())
	for {
		e, owner := c.robotsEntry(origin)
		if owner {
			c.loadRobots(ctx, e, origin, trusted, hostKey(u.Hostname()))
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if e.retry {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			continue
		}
		return robotsVerdict(e, u, c.ua)
	}
}

func robotsVerdict(e *robotsEntry, u *url.URL, ua string) error {
	if e.err != nil {
		if errors.Is(e.err, ErrPrivateAddress) {
			return e.err
		}
		return fmt.Errorf("%w: %v", ErrRobotsUnreachable, e.err)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !e.data.TestAgent(path, ua) {
		return ErrRobots
	}
	return nil
}

// originHost writes host and port as a URL's authority: an IPv6 literal
// in brackets.
func originHost(host, port string) string {
	if port != "" {
		return net.JoinHostPort(host, port)
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// robotsEntry returns the cached entry for origin, or a new one that the
// caller (owner) must load.
func (c *Client) robotsEntry(origin string) (e *robotsEntry, owner bool) {
	c.robots.mu.Lock()
	defer c.robots.mu.Unlock()
	e = c.robots.origins[origin]
	if e != nil {
		select {
		case <-e.ready:
			if !e.retry && c.now().Before(e.expires) {
				return e, false
			}
		default:
			return e, false // being loaded
		}
	}
	e = &robotsEntry{ready: make(chan struct{})}
	if c.robots.origins == nil {
		c.robots.origins = make(map[string]*robotsEntry)
	}
	c.robots.origins[origin] = e
	return e, true
}

// loadRobots fetches origin's robots.txt through the client's own limits and
// fills e: 2xx is parsed, 4xx allows everything, 429, 5xx and unreachable
// disallow everything for robotsFailureTTL (ErrRobotsUnreachable, a failure
// that passes). A Crawl-delay for our user agent lowers host's rate.
func (c *Client) loadRobots(ctx context.Context, e *robotsEntry, origin, trusted, host string) {
	defer close(e.ready)
	u, err := url.Parse(origin + "/robots.txt")
	if err != nil {
		e.err, e.expires = err, c.now().Add(robotsFailureTTL)
		return
	}
	resp, err := c.do(ctx, u, trusted, getOpts{
		limit:     robotsMaxBytes,
		truncate:  true,
		anyStatus: true,
		timeout:   min(robotsTimeout, c.opts.Timeout),
	})
	now := c.now()
	switch {
	case err != nil && ctx.Err() != nil:
		e.retry = true
		return
	case errors.Is(err, ErrTooManyRedirect):
		e.data, e.expires = allowAll(), now.Add(robotsTTL) // RFC 9309 2.3.1.2: unavailable
		return
	case err != nil:
		e.err, e.expires = err, now.Add(robotsFailureTTL)
		return
	case resp.StatusCode == 429 || resp.StatusCode >= 500:
		e.err, e.expires = &StatusError{Code: resp.StatusCode}, now.Add(robotsFailureTTL)
		return
	case resp.StatusCode >= 400:
		e.data, e.expires = allowAll(), now.Add(robotsTTL)
		return
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		e.err, e.expires = &StatusError{Code: resp.StatusCode}, now.Add(robotsFailureTTL)
		return
	}
	data, err := robotstxt.FromBytes(resp.Body)
	if err != nil {
		// The parser gives up on a malformed Crawl-delay line; ignore such
		// lines and keep the rules (RFC 9309 2.2.4: use what parses).
		data, err = robotstxt.FromBytes(dropCrawlDelay(resp.Body))
		if err != nil {
			data = allowAll()
		}
	}
	e.data, e.expires = data, now.Add(robotsTTL)
	c.hosts.crawlDelay(host, data.FindGroup(c.ua).CrawlDelay)
}

// dropCrawlDelay removes the Crawl-delay lines of a robots.txt.
func dropCrawlDelay(b []byte) []byte {
	var out []byte
	for line := range bytes.Lines(b) {
		key, _, _ := bytes.Cut(line, []byte(":"))
		key = bytes.ToLower(bytes.TrimSpace(key))
		if string(key) == "crawl-delay" || string(key) == "crawldelay" {
			continue
		}
		out = append(out, line...)
	}
	return out
}

func allowAll() *robotstxt.RobotsData {
	d, _ := robotstxt.FromStatusAndBytes(404, nil)
	return d
}
