package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/errgroup"
)

// limits are the concurrency settings the worker runs with; the floor uses
// the same.
type limits struct {
	Sources  int `json:"sources"`  // sources processed at once
	Articles int `json:"articles"` // article pages processed at once per source
	PerHost  int `json:"per_host"` // requests in flight to one host
}

// floorResult is what the floor did.
type floorResult struct {
	Feeds  int      `json:"feeds"`
	Pages  int      `json:"pages"`
	Errors []string `json:"errors,omitempty"`
}

// runFloor does the least any reader of these feeds must do: fetch every
// feed and read its links, fetch every page and parse it once with goquery,
// with one shared keep-alive transport and the worker's concurrency limits.
func runFloor(ctx context.Context, feeds []feedRef, lim limits) (floorResult, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: max(lim.PerHost, 16),
		IdleConnTimeout:     90 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	hosts := &hostSlots{n: lim.PerHost, sems: map[string]chan struct{}{}}

	var pages, nfeeds atomic.Int64
	var mu sync.Mutex
	var errs []string
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 10 {
			errs = append(errs, err.Error())
		}
	}
	seen := sync.Map{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(lim.Sources)
	for _, f := range feeds {
		g.Go(func() error {
			body, err := hosts.get(gctx, client, f.URL)
			if err != nil {
				fail(err)
				return nil
			}
			parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				fail(fmt.Errorf("feed %s: %w", f.URL, err))
				return nil
			}
			nfeeds.Add(1)
			ag, actx := errgroup.WithContext(gctx)
			ag.SetLimit(lim.Articles)
			for _, it := range parsed.Items {
				if _, dup := seen.LoadOrStore(it.Link, true); dup {
					continue
				}
				ag.Go(func() error {
					body, err := hosts.get(actx, client, it.Link)
					if err != nil {
						fail(err)
						return nil
					}
					if _, err := goquery.NewDocumentFromReader(bytes.NewReader(body)); err != nil {
						fail(fmt.Errorf("parse %s: %w", it.Link, err))
						return nil
					}
					pages.Add(1)
					return nil
				})
			}
			return ag.Wait()
		})
	}
	err := g.Wait()
	return floorResult{Feeds: int(nfeeds.Load()), Pages: int(pages.Load()), Errors: errs}, err
}

// hostSlots bounds the requests in flight to each host.
type hostSlots struct {
	n    int
	mu   sync.Mutex
	sems map[string]chan struct{}
}

// get fetches rawURL holding one of its host's slots while the request and
// its body are in flight.
func (h *hostSlots) get(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if h.n > 0 {
		h.mu.Lock()
		sem := h.sems[u.Hostname()]
		if sem == nil {
			sem = make(chan struct{}, h.n)
			h.sems[u.Hostname()] = sem
		}
		h.mu.Unlock()
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-sem }()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: http status %d", rawURL, resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return body, nil
}
