package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kindStats counts what the site served for one kind of resource.
type kindStats struct {
	Requests    int   `json:"requests"`
	Conditional int   `json:"conditional"`  // carried If-None-Match or If-Modified-Since
	NotModified int   `json:"not_modified"` // answered 304
	OK          int   `json:"ok"`           // answered 200 with a body
	NotFound    int   `json:"not_found"`
	Bytes       int64 `json:"bytes"` // body bytes sent
	Refetched   int   `json:"refetched,omitempty"`
}

// siteStats are the server-side counters since the last reset.
type siteStats struct {
	Feed   kindStats `json:"feed"`
	Page   kindStats `json:"page"`
	Robots kindStats `json:"robots"`
	Other  kindStats `json:"other"`
}

// Total is the number of requests of every kind.
func (s siteStats) Total() int {
	return s.Feed.Requests + s.Page.Requests + s.Robots.Requests + s.Other.Requests
}

// siteFacts describe the generated site, for the report.
type siteFacts struct {
	Pages      int            `json:"pages"`
	EventPages int            `json:"event_pages"`
	EventKinds map[string]int `json:"event_kinds"`
	ZhPages    int            `json:"zh_pages"`
	GBKPages   int            `json:"gbk_pages"`
	AvgBytes   int64          `json:"avg_page_bytes"`
	Hosts      int            `json:"hosts"`
	Feeds      int            `json:"feeds"`
	AtomFeeds  int            `json:"atom_feeds"`
}

// feedRef is one configured source of the benchmark.
type feedRef struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// serverReady is what the site process prints once it serves.
type serverReady struct {
	Control string    `json:"control"`
	Feeds   []feedRef `json:"feeds"`
	Facts   siteFacts `json:"facts"`
}

// changeResult says what a change did.
type changeResult struct {
	Added        int `json:"added"`
	FeedsChanged int `json:"feeds_changed"`
	Facts        siteFacts
}

// siteServer serves a generated site on several loopback hosts and counts
// what it serves.
type siteServer struct {
	mu     sync.Mutex
	site   *site
	stats  siteStats
	served map[*resource]int // 200 answers per resource since the last reset
}

// listenHosts binds n loopback addresses (127.0.0.1, 127.0.0.2, …), so that
// per-host limits see n hosts. Where only 127.0.0.1 can be bound, it binds
// that one several times on different ports.
func listenHosts(n int) ([]net.Listener, error) {
	var ls []net.Listener
	for i := range n {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+1))
		if err != nil && i > 0 {
			l, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, fmt.Errorf("listen: %w", err)
		}
		ls = append(ls, l)
	}
	return ls, nil
}

func (s *siteServer) facts() siteFacts {
	st := s.site
	f := siteFacts{Pages: st.pages, EventPages: st.eventPages, EventKinds: map[string]int{}, ZhPages: st.zhPages,
		GBKPages: st.gbkPages, Hosts: len(st.bases), Feeds: len(st.outlets)}
	for k, v := range st.kinds {
		f.EventKinds[k] = v
	}
	if st.pages > 0 {
		f.AvgBytes = st.pageBytes / int64(st.pages)
	}
	for _, o := range st.outlets {
		if o.atom {
			f.AtomFeeds++
		}
	}
	return f
}

// robotsTxt allows the article pages and feeds.
const robotsTxt = "User-agent: *\nDisallow: /admin/\nDisallow: /search\nAllow: /\n\nSitemap: /sitemap.xml\n"

// hostHandler serves host number host.
func (s *siteServer) hostHandler(host int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		conditional := r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
		if r.URL.Path == "/robots.txt" {
			s.count(func(st *siteStats) *kindStats { return &st.Robots }, conditional, http.StatusOK, int64(len(robotsTxt)), nil)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, robotsTxt)
			return
		}
		s.mu.Lock()
		res := s.site.lookup(host, r.URL.Path)
		s.mu.Unlock()
		if res == nil {
			s.count(func(st *siteStats) *kindStats { return &st.Other }, conditional, http.StatusNotFound, 0, nil)
			http.NotFound(w, r)
			return
		}
		stats := func(st *siteStats) *kindStats { return &st.Page }
		if res.kind == "feed" {
			stats = func(st *siteStats) *kindStats { return &st.Feed }
		}
		h := w.Header()
		h.Set("ETag", res.etag)
		h.Set("Last-Modified", lastModified(res.modified))
		h.Set("Cache-Control", "max-age=60")
		h.Set("Vary", "Accept-Encoding")
		if notModified(r, res) {
			s.count(stats, conditional, http.StatusNotModified, 0, nil)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := res.body
		if res.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body = res.gz
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Type", res.ctype)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		s.count(stats, conditional, http.StatusOK, int64(len(body)), res)
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
}

func (s *siteServer) count(kind func(*siteStats) *kindStats, conditional bool, code int, n int64, res *resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := kind(&s.stats)
	k.Requests++
	if conditional {
		k.Conditional++
	}
	switch code {
	case http.StatusNotModified:
		k.NotModified++
	case http.StatusNotFound:
		k.NotFound++
	case http.StatusOK:
		k.OK++
	}
	k.Bytes += n
	if res != nil {
		s.served[res]++
		if s.served[res] > 1 {
			k.Refetched++
		}
	}
}

// notModified applies RFC 9110 §13.2.2: If-None-Match when present,
// otherwise If-Modified-Since.
func notModified(r *http.Request, res *resource) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == res.etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !res.modified.After(t)
	}
	return false
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

// controlHandler lets the benchmark read and reset the counters and change
// the site.
func (s *siteServer) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		st := s.stats
		s.mu.Unlock()
		writeJSON(w, st)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats = siteStats{}
		s.served = map[*resource]int{}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /change", func(w http.ResponseWriter, r *http.Request) {
		frac, err := strconv.ParseFloat(r.URL.Query().Get("frac"), 64)
		if err != nil || frac < 0 || frac > 1 {
			http.Error(w, "frac: want a number in [0, 1]", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		added, feeds, err := s.site.change(frac)
		facts := s.facts()
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, changeResult{Added: added, FeedsChanged: feeds, Facts: facts})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// serveSite generates the site, serves it and the control endpoint, prints
// a serverReady line on out, and serves until stop is closed.
func serveSite(opts siteOptions, out io.Writer, stop <-chan struct{}) error {
	ls, err := listenHosts(opts.Hosts)
	if err != nil {
		return err
	}
	ctl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	bases := make([]string, len(ls))
	for i, l := range ls {
		bases[i] = "http://" + l.Addr().String()
	}
	st, err := newSite(opts, bases)
	if err != nil {
		return err
	}
	s := &siteServer{site: st, served: map[*resource]int{}}
	var servers []*http.Server
	errc := make(chan error, len(ls)+1)
	for i, l := range ls {
		srv := &http.Server{Handler: s.hostHandler(i), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(l) }()
	}
	csrv := &http.Server{Handler: s.controlHandler(), ReadHeaderTimeout: 10 * time.Second}
	servers = append(servers, csrv)
	go func() { errc <- csrv.Serve(ctl) }()

	ready := serverReady{Control: "http://" + ctl.Addr().String(), Facts: s.facts()}
	for _, o := range st.outlets {
		ready.Feeds = append(ready.Feeds, feedRef{Name: o.name, URL: st.feedURL(o)})
	}
	if err := json.NewEncoder(out).Encode(ready); err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	select {
	case <-stop:
	case err = <-errc:
	}
	for _, srv := range servers {
		srv.Close()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
