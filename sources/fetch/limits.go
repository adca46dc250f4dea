package fetch

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxCrawlDelay caps a robots.txt Crawl-delay: a longer one would stall a
// run rather than pace it.
const maxCrawlDelay = time.Minute

// hostLimits holds the per-host concurrency and rate limits.
type hostLimits struct {
	concurrency int
	rate        float64

	mu    sync.Mutex
	hosts map[string]*hostState
}

// hostState is one host's limits.
type hostState struct {
	sem chan struct{} // nil: no concurrency limit

	mu  sync.Mutex
	lim *rate.Limiter // nil: no rate limit
}

func (h *hostLimits) state(host string) *hostState {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.hosts[host]
	if st == nil {
		st = &hostState{}
		if h.concurrency > 0 {
			st.sem = make(chan struct{}, h.concurrency)
		}
		if h.rate > 0 {
			st.lim = rate.NewLimiter(rate.Limit(h.rate), 1)
		}
		if h.hosts == nil {
			h.hosts = make(map[string]*hostState)
		}
		h.hosts[host] = st
	}
	return st
}

// acquire takes a slot for one request to host, waiting with ctx for a free
// slot and then for the host's rate. The caller releases the slot.
func (h *hostLimits) acquire(ctx context.Context, host string) (*hostState, error) {
	st := h.state(host)
	if st.sem != nil {
		select {
		case st.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	st.mu.Lock()
	lim := st.lim
	st.mu.Unlock()
	if lim != nil {
		if err := lim.Wait(ctx); err != nil {
			st.release()
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, err
		}
	}
	return st, nil
}

// release frees the slot taken by acquire.
func (st *hostState) release() {
	if st.sem != nil {
		<-st.sem
	}
}

// crawlDelay lowers host's rate to one request per delay.
func (h *hostLimits) crawlDelay(host string, delay time.Duration) {
	if delay <= 0 {
		return
	}
	delay = min(delay, maxCrawlDelay)
	limit := rate.Every(delay)
	st := h.state(host)
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.lim == nil:
		st.lim = rate.NewLimiter(limit, 1)
	case st.lim.Limit() > limit:
		st.lim.SetLimit(limit)
	}
}
