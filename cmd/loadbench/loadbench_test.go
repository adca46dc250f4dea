package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestMain lets the test binary act as the benchmark's child processes,
// which the benchmark starts by re-running its own executable.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], childFlag) {
		os.Exit(childMain(strings.TrimPrefix(os.Args[1], childFlag), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBenchmarkTiny runs the whole benchmark at a tiny size: every phase in
// its own process against the site process, and checks what the worker did
// and what the site served (not the speed targets, which mean little at
// this size).
func TestBenchmarkTiny(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"-sources", "3", "-items", "4", "-repeat", "1", "-new", "0.25", "-warm-runs", "2", "-hosts", "2",
		"-events", "0.5", "-chinese", "0.5", "-gbk", "1", "-workdir", dir, "-json", out}
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	for _, c := range res.Checks {
		if !c.Met {
			t.Errorf("check %q not met: %s", c.Name, c.Value)
		}
	}

	type counts struct {
		Pages, FloorPages, ColdPageOK, WarmPageRequests, WarmFeed304, ChangeAdded, ChangePageOK, MemRuns int
	}
	memRuns := 0
	if res.MemCheck != nil {
		memRuns = len(res.MemCheck.MemRuns)
	}
	got := counts{
		Pages: res.Site.Pages, FloorPages: res.Floor.Floor.Pages, ColdPageOK: res.Cold.Requests.Page.OK,
		WarmPageRequests: res.Warm.Requests.Page.Requests, WarmFeed304: res.Warm.Requests.Feed.NotModified,
		ChangeAdded: res.Added, ChangePageOK: res.Change.Requests.Page.OK, MemRuns: memRuns,
	}
	// 3 × 4 pages; 25 % of 12 items replaced = 3 new pages.
	want := counts{Pages: 12, FloorPages: 12, ColdPageOK: 12, WarmPageRequests: 0, WarmFeed304: 3, ChangeAdded: 3, ChangePageOK: 3, MemRuns: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	for _, name := range []string{"warm: only conditional requests, no page fetched", "no growth across 2 warm runs"} {
		found := false
		for _, c := range res.Targets {
			if c.Name == name {
				found = true
				if !c.Met {
					t.Errorf("target %q not met: %s", name, c.Value)
				}
			}
		}
		if !found {
			t.Errorf("target %q not reported", name)
		}
	}
	for _, p := range []phaseResult{res.Floor, res.Cold, res.Warm, res.Change} {
		if p.Run.Wall <= 0 || p.Run.CPU <= 0 || p.Run.PeakHeap == 0 || p.Run.VmHWM <= 0 {
			t.Errorf("%s: measurement missing: %+v", p.Phase, p.Run)
		}
	}
	table := stdout.String()
	defer func() {
		if t.Failed() {
			t.Log(table)
		}
	}()
	for _, want := range []string{"floor", "cold", "warm", "change", "memcheck: 2 warm runs", "targets:", "cold CPU ≤ 1.5× floor CPU"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func testSite(t *testing.T, opts siteOptions) *site {
	t.Helper()
	s, err := newSite(opts, []string{"http://127.0.0.1:1", "http://127.0.0.2:2"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var defaultSite = siteOptions{Seed: 7, Sources: 6, Items: 5, Hosts: 2, Events: 0.04, Chinese: 0.3, GBK: 0.4, Gzip: true}

func TestSiteDeterministic(t *testing.T) {
	a, b := testSite(t, defaultSite), testSite(t, defaultSite)
	other := defaultSite
	other.Seed = 8
	c := testSite(t, other)
	same, differ := 0, 0
	for k, ra := range a.byPath {
		rb := b.byPath[k]
		if rb == nil || !bytes.Equal(ra.body, rb.body) || ra.etag != rb.etag {
			t.Fatalf("%s differs between two sites of the same seed", k)
		}
		if rc := c.byPath[k]; rc != nil && bytes.Equal(ra.body, rc.body) {
			same++
		} else {
			differ++
		}
	}
	if same > 0 {
		t.Errorf("%d resources equal under another seed (%d differ)", same, differ)
	}
}

func TestSitePages(t *testing.T) {
	opts := defaultSite
	opts.Sources, opts.Items = 15, 10
	s := testSite(t, opts)
	if s.pages != 15*10 {
		t.Fatalf("pages = %d, want %d", s.pages, 15*10)
	}
	var gbk, zh, events int
	for _, o := range s.outlets {
		for _, p := range o.items {
			body := p.res.body
			text := string(body)
			if o.gbk {
				gbk++
				if strings.HasPrefix(p.res.ctype, "text/html; charset=") && !strings.Contains(p.res.ctype, "GBK") {
					t.Errorf("page %d: content type %q", p.id, p.res.ctype)
				}
				if !strings.Contains(text, "charset=gbk") && !strings.Contains(text, `charset="gbk"`) {
					t.Errorf("page %d: GBK page does not declare its charset", p.id)
				}
				dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(body)
				if err != nil {
					t.Fatalf("page %d: %v", p.id, err)
				}
				text = string(dec)
			}
			// The UTF-8 form of every page is 30–60 KB; GBK pages are smaller.
			if n := len(text); n < 30_000 || n > 64_000 {
				t.Errorf("page %d (%s): %d bytes, want about 30–60 KB", p.id, lang(o), n)
			}
			if !strings.Contains(text, htmlEsc(p.title)) {
				t.Errorf("page %d: title %q not in the page", p.id, p.title)
			}
			for _, part := range []string{"application/ld+json", "og:title", "<nav", "<footer", "<script", "<style>", "comment"} {
				if !strings.Contains(text, part) {
					t.Errorf("page %d: no %q", p.id, part)
				}
			}
			if o.zh {
				zh++
				if !regexp.MustCompile(`\p{Han}`).MatchString(p.title) {
					t.Errorf("page %d: Chinese page with title %q", p.id, p.title)
				}
			}
			if p.event != nil {
				events++
				if !strings.Contains(text, htmlEsc(p.event.lead)) {
					t.Errorf("page %d: event lead missing", p.id)
				}
			}
		}
	}
	if gbk == 0 || zh == 0 || zh == s.pages {
		t.Errorf("%d GBK and %d Chinese pages of %d: want some of each", gbk, zh, s.pages)
	}
	if share := float64(events) / float64(s.pages); share < 0.02 || share > 0.07 {
		t.Errorf("%d of %d pages report a development (%.1f%%), want about 4%%", events, s.pages, 100*share)
	}
}

func TestEventWordingVaries(t *testing.T) {
	s := testSite(t, siteOptions{Seed: 3, Sources: 10, Items: 10, Hosts: 2, Events: 1, Chinese: 0.5, GBK: 0})
	titles := map[string]bool{}
	kinds := map[string]bool{}
	for _, o := range s.outlets {
		for _, p := range o.items {
			titles[p.title] = true
			kinds[p.event.kind] = true
		}
	}
	if len(titles) < 30 || len(kinds) < 5 {
		t.Errorf("%d distinct titles over %d kinds in 100 event pages: wording does not vary enough", len(titles), len(kinds))
	}
}

func TestChange(t *testing.T) {
	s := testSite(t, siteOptions{Seed: 1, Sources: 10, Items: 10, Hosts: 2, Events: 0.04})
	before := map[*outlet]string{}
	for _, o := range s.outlets {
		before[o] = o.feed.etag
	}
	added, feeds, err := s.change(0.05)
	if err != nil {
		t.Fatal(err)
	}
	if added != 5 {
		t.Errorf("added %d items, want 5", added)
	}
	changed := 0
	for _, o := range s.outlets {
		if len(o.items) != 10 {
			t.Errorf("%s lists %d items, want 10", o.name, len(o.items))
		}
		if o.feed.etag != before[o] {
			changed++
			if !o.items[0].published.After(baseTime) {
				t.Errorf("%s: newest item published %v, want after %v", o.name, o.items[0].published, baseTime)
			}
		}
	}
	if changed != feeds || feeds == 0 || feeds > 5 {
		t.Errorf("%d feeds changed their ETag, change reported %d", changed, feeds)
	}
}

func TestServerConditional(t *testing.T) {
	s := testSite(t, siteOptions{Seed: 1, Sources: 2, Items: 3, Hosts: 1, Events: 0, Gzip: true})
	srv := &siteServer{site: s, served: map[*resource]int{}}
	o := s.outlets[0]
	feed := o.feed
	pagePath := o.items[0].path
	page := o.items[0].res
	old := lastModified(feed.modified.Add(-time.Hour))
	tests := []struct {
		name     string
		path     string
		header   map[string]string
		wantCode int
		wantGzip bool
	}{
		{"feed unconditional", o.feedPath(), nil, http.StatusOK, false},
		{"feed gzip", o.feedPath(), map[string]string{"Accept-Encoding": "gzip, deflate"}, http.StatusOK, true},
		{"feed gzip refused", o.feedPath(), map[string]string{"Accept-Encoding": "gzip;q=0"}, http.StatusOK, false},
		{"feed etag matches", o.feedPath(), map[string]string{"If-None-Match": feed.etag}, http.StatusNotModified, false},
		{"feed weak etag matches", o.feedPath(), map[string]string{"If-None-Match": `"x", W/` + feed.etag}, http.StatusNotModified, false},
		{"feed etag differs", o.feedPath(), map[string]string{"If-None-Match": `"other"`}, http.StatusOK, false},
		{"etag wins over date", o.feedPath(), map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lastModified(feed.modified)}, http.StatusOK, false},
		{"feed not modified since", o.feedPath(), map[string]string{"If-Modified-Since": lastModified(feed.modified)}, http.StatusNotModified, false},
		{"feed modified since", o.feedPath(), map[string]string{"If-Modified-Since": old}, http.StatusOK, false},
		{"page etag matches", pagePath, map[string]string{"If-None-Match": page.etag}, http.StatusNotModified, false},
		{"page", pagePath, nil, http.StatusOK, false},
		{"robots", "/robots.txt", nil, http.StatusOK, false},
		{"missing", "/nothing.html", nil, http.StatusNotFound, false},
	}
	h := srv.hostHandler(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantCode)
			}
			if gz := rec.Header().Get("Content-Encoding") == "gzip"; gz != tt.wantGzip {
				t.Errorf("gzip = %v, want %v", gz, tt.wantGzip)
			}
			if rec.Code == http.StatusNotModified && rec.Body.Len() != 0 {
				t.Errorf("304 with a body of %d bytes", rec.Body.Len())
			}
		})
	}
	got := srv.stats
	want := siteStats{
		Feed:   kindStats{Requests: 9, Conditional: 6, NotModified: 3, OK: 6, Refetched: 5},
		Page:   kindStats{Requests: 2, Conditional: 1, NotModified: 1, OK: 1},
		Robots: kindStats{Requests: 1, OK: 1},
		Other:  kindStats{Requests: 1, NotFound: 1},
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Bytes" }, cmp.Ignore())); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestSummarizeMem(t *testing.T) {
	const mib = 1 << 20
	runs := func(heaps []uint64, goroutines ...int) []memRun {
		out := make([]memRun, len(heaps))
		for i, h := range heaps {
			out[i] = memRun{HeapInUse: h, Goroutines: 10}
			if i < len(goroutines) {
				out[i].Goroutines = goroutines[i]
			}
		}
		return out
	}
	flat := make([]uint64, 50)
	rising := make([]uint64, 50)
	noisy := make([]uint64, 50)
	for i := range flat {
		flat[i] = 8 * mib
		rising[i] = 8*mib + uint64(i)*100<<10
		noisy[i] = 8*mib + uint64(i%3)*100<<10
	}
	tests := []struct {
		name  string
		runs  []memRun
		grows bool
	}{
		{"flat", runs(flat), false},
		{"noisy but level", runs(noisy), false},
		{"rising 100 KiB a run", runs(rising), true},
		{"goroutines pile up", runs([]uint64{8 * mib, 8 * mib, 8 * mib}, 10, 20, 30), true},
		{"two runs level", runs([]uint64{8 * mib, 8*mib + 1000}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summarizeMem(tt.runs)
			if s.Grows != tt.grows {
				t.Errorf("grows = %v, want %v (%+v)", s.Grows, tt.grows, s)
			}
		})
	}
	if s := summarizeMem(runs(rising)); s.SlopePerRun < 99<<10 || s.SlopePerRun > 101<<10 {
		t.Errorf("slope %.0f B/run, want %d", s.SlopePerRun, 100<<10)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"sizes", []string{"-sources", "5", "-items", "2", "-new", "0.1", "-warm-runs", "3", "-json", "x.json"}, false},
		{"no sources", []string{"-sources", "0"}, true},
		{"share above one", []string{"-new", "1.5"}, true},
		{"unknown phase", []string{"-profile-phase", "lukewarm"}, true},
		{"stray argument", []string{"extra"}, true},
		{"unknown flag", []string{"-bogus"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(fmt.Sprint(err), "bad usage") {
				t.Errorf("err = %v, want a usage error", err)
			}
		})
	}
}
