package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// Targets.
const (
	maxColdCPURatio = 1.5
	// minifluxCPURatio is Miniflux's cold CPU on PostgreSQL (its own and
	// the database's) over the floor on the same site: what the worker on
	// PostgreSQL is compared with.
	minifluxCPURatio = 10.6
	maxColdWallRatio = 1.5
	maxWarmWallShare = 0.05
	maxPeakMemory    = 150e6 // bytes
)

// phaseResult is one phase as the process measured it and the site counted it.
type phaseResult struct {
	phaseOutput
	Requests siteStats `json:"requests"`
}

// ratios compare a phase with the floor.
type ratios struct {
	Wall     float64 `json:"wall"`
	CPU      float64 `json:"cpu"`
	PeakHeap float64 `json:"peak_heap"`
	VmHWM    float64 `json:"vm_hwm"`
	Requests float64 `json:"requests"`
}

// memSummary sums up the memcheck runs.
type memSummary struct {
	Runs            int     `json:"runs"`
	First           uint64  `json:"first_bytes"`
	Last            uint64  `json:"last_bytes"`
	Max             uint64  `json:"max_bytes"`
	SlopePerRun     float64 `json:"slope_bytes_per_run"`
	Grows           bool    `json:"grows"`
	FirstGoroutines int     `json:"first_goroutines"`
	LastGoroutines  int     `json:"last_goroutines"`
}

// check is a target or a sanity check, and whether it holds.
type check struct {
	Name  string `json:"name"`
	Met   bool   `json:"met"`
	Value string `json:"value"`
}

// jsonOpts are the options as reported.
type jsonOpts struct {
	Site     siteOptions `json:"site"`
	New      float64     `json:"new"`
	WarmRuns int         `json:"warm_runs"`
	Limits   limits      `json:"limits"`
}

func jsonOptions(o options) jsonOpts {
	return jsonOpts{Site: o.site, New: o.newFrac, WarmRuns: o.warmRuns, Limits: o.lim}
}

// results is the whole benchmark.
type results struct {
	Options      jsonOpts          `json:"options"`
	Site         siteFacts         `json:"site"`
	LoadBefore   string            `json:"load_average_before"`
	LoadAfter    string            `json:"load_average_after"`
	Floor        phaseResult       `json:"floor"` // medians of FloorSamples
	Cold         phaseResult       `json:"cold"`  // medians of ColdSamples
	FloorSamples []phaseResult     `json:"floor_samples"`
	ColdSamples  []phaseResult     `json:"cold_samples"`
	Warm         phaseResult       `json:"warm"`
	Added        int               `json:"change_added_items"`
	FeedsChanged int               `json:"change_feeds_changed"`
	Change       phaseResult       `json:"change"`
	MemCheck     *phaseResult      `json:"memcheck,omitempty"`
	Ratios       map[string]ratios `json:"ratios_to_floor"`
	Memory       *memSummary       `json:"memory_check,omitempty"`
	Targets      []check           `json:"targets"`
	Checks       []check           `json:"checks"`
}

// medianPhase is the last sample with each measured figure replaced by
// its median over the samples.
func medianPhase(samples []phaseResult) phaseResult {
	if len(samples) == 0 {
		return phaseResult{}
	}
	out := samples[len(samples)-1]
	med := func(get func(measurement) float64) float64 {
		xs := make([]float64, len(samples))
		for i, s := range samples {
			xs[i] = get(s.Run)
		}
		slices.Sort(xs)
		if len(xs)%2 == 1 {
			return xs[len(xs)/2]
		}
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	out.Run = measurement{
		Wall:     med(func(m measurement) float64 { return m.Wall }),
		CPU:      med(func(m measurement) float64 { return m.CPU }),
		User:     med(func(m measurement) float64 { return m.User }),
		Sys:      med(func(m measurement) float64 { return m.Sys }),
		PeakHeap: uint64(med(func(m measurement) float64 { return float64(m.PeakHeap) })),
		VmHWM:    int64(med(func(m measurement) float64 { return float64(m.VmHWM) })),
		DBCPU:    med(func(m measurement) float64 { return m.DBCPU }),
	}
	return out
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ratioOf(p, floor phaseResult) ratios {
	return ratios{
		Wall:     div(p.Run.Wall, floor.Run.Wall),
		CPU:      div(p.Run.CPU, floor.Run.CPU),
		PeakHeap: div(float64(p.Run.PeakHeap), float64(floor.Run.PeakHeap)),
		VmHWM:    div(float64(p.Run.VmHWM), float64(floor.Run.VmHWM)),
		Requests: div(float64(p.Requests.Total()), float64(floor.Requests.Total())),
	}
}

// summarizeMem decides whether the heap grows across the runs: the median
// of the last fifth must not exceed the median of the first fifth by more
// than 5 % (and 512 KiB, for small heaps), and goroutines must not pile up.
func summarizeMem(runs []memRun) *memSummary {
	if len(runs) == 0 {
		return nil
	}
	s := &memSummary{Runs: len(runs), First: runs[0].HeapInUse, Last: runs[len(runs)-1].HeapInUse,
		FirstGoroutines: runs[0].Goroutines, LastGoroutines: runs[len(runs)-1].Goroutines}
	for _, r := range runs {
		s.Max = max(s.Max, r.HeapInUse)
	}
	// Least-squares slope of heap over run number.
	n := float64(len(runs))
	var sx, sy, sxx, sxy float64
	for i, r := range runs {
		x, y := float64(i), float64(r.HeapInUse)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	if d := n*sxx - sx*sx; d != 0 {
		s.SlopePerRun = (n*sxy - sx*sy) / d
	}
	k := max(1, len(runs)/5)
	first := median(runs[:k])
	last := median(runs[len(runs)-k:])
	s.Grows = last > first+max(first/20, 512<<10) || s.LastGoroutines > s.FirstGoroutines+2
	return s
}

func median(runs []memRun) uint64 {
	xs := make([]uint64, len(runs))
	for i, r := range runs {
		xs[i] = r.HeapInUse
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// evaluate computes the ratios and decides the targets and checks.
func (r *results) evaluate() {
	r.Ratios = map[string]ratios{"cold": ratioOf(r.Cold, r.Floor), "warm": ratioOf(r.Warm, r.Floor), "change": ratioOf(r.Change, r.Floor)}
	cold := r.Ratios["cold"]
	w := r.Warm.Requests
	conditional := w.Feed.Conditional + w.Page.Conditional + w.Robots.Conditional + w.Other.Conditional
	warmShare := div(r.Warm.Run.Wall, r.Cold.Run.Wall)

	peak, peakHeap, peakPhase := int64(0), uint64(0), ""
	phases := []*phaseResult{&r.Warm, &r.Change, r.MemCheck}
	for i := range r.ColdSamples {
		phases = append(phases, &r.ColdSamples[i])
	}
	for _, p := range phases {
		if p == nil {
			continue
		}
		if p.Run.VmHWM > peak {
			peak, peakPhase = p.Run.VmHWM, p.Phase
		}
		peakHeap = max(peakHeap, p.Run.PeakHeap)
	}
	r.Targets = []check{
		{Name: "cold CPU ≤ 1.5× floor CPU", Met: cold.CPU <= maxColdCPURatio,
			Value: fmt.Sprintf("%.2f×", cold.CPU)},
		{Name: "cold wall ≤ 1.5× floor wall", Met: cold.Wall <= maxColdWallRatio,
			Value: fmt.Sprintf("%.2f×", cold.Wall)},
		{Name: "warm: only conditional requests, no page fetched", Met: w.Total() > 0 && conditional == w.Total() && w.Page.Requests == 0 && w.Feed.NotModified == w.Feed.Requests,
			Value: fmt.Sprintf("%d requests, %d conditional, %d answered 304, %d page requests", w.Total(), conditional, w.Feed.NotModified+w.Page.NotModified, w.Page.Requests)},
		{Name: "warm wall ≤ 5% of cold wall", Met: warmShare <= maxWarmWallShare,
			Value: fmt.Sprintf("%.1f%%", 100*warmShare)},
		{Name: "peak memory ≤ 150 MB", Met: peak > 0 && peak <= maxPeakMemory,
			Value: fmt.Sprintf("VmHWM %s (%s), heap in use %s", mb(peak), peakPhase, mb(int64(peakHeap)))},
	}
	if db := r.Cold.Run.DBCPU; db > 0 {
		both := div(r.Cold.Run.CPU+db, r.Floor.Run.CPU)
		r.Targets = append(r.Targets, check{Name: fmt.Sprintf("cold CPU of worker + PostgreSQL below Miniflux's %.1f× floor CPU", minifluxCPURatio),
			Met: both < minifluxCPURatio, Value: fmt.Sprintf("%.2f× (worker %.3fs + database %.3fs)", both, r.Cold.Run.CPU, db)})
	}
	if r.MemCheck != nil {
		r.Memory = summarizeMem(r.MemCheck.MemRuns)
		m := r.Memory
		v := "no runs"
		if m != nil {
			v = fmt.Sprintf("%d runs: heap first %s, last %s, max %s, %+.0f B/run; goroutines %d → %d",
				m.Runs, mb(int64(m.First)), mb(int64(m.Last)), mb(int64(m.Max)), m.SlopePerRun, m.FirstGoroutines, m.LastGoroutines)
		}
		r.Targets = append(r.Targets, check{Name: fmt.Sprintf("no growth across %d warm runs", r.Options.WarmRuns), Met: m != nil && !m.Grows, Value: v})
	}

	chw := r.Change.Worker
	if chw == nil {
		chw = &runStats{}
	}
	pages := r.Site.Pages
	floorOK, floorV := true, ""
	for i, f := range r.FloorSamples {
		fl := f.Floor
		if fl == nil {
			fl = &floorResult{}
		}
		floorOK = floorOK && fl.Pages == pages && len(fl.Errors) == 0
		floorV += fmt.Sprintf("%srun %d: %d of %d pages%s", sepIf(i), i+1, fl.Pages, pages, firstErr(fl.Errors))
	}
	coldOK, coldV, onceOK, onceV := true, "", true, ""
	for i, c := range r.ColdSamples {
		cw := c.Worker
		if cw == nil {
			cw = &runStats{}
		}
		coldOK = coldOK && cw.Articles == pages && cw.ArticleErrors == 0 && cw.SourceErrors == 0
		coldV += fmt.Sprintf("%srun %d: %d of %d articles, %d article errors, %d source errors%s", sepIf(i), i+1, cw.Articles, pages, cw.ArticleErrors, cw.SourceErrors, firstErr(cw.Errors))
		q := c.Requests.Page
		onceOK = onceOK && q.OK == pages && q.Refetched == 0
		onceV += fmt.Sprintf("%srun %d: %d page responses, %d repeats", sepIf(i), i+1, q.OK, q.Refetched)
	}
	cw := r.Cold.Worker
	if cw == nil {
		cw = &runStats{}
	}
	r.Checks = []check{
		{Name: "floor fetched and parsed every page", Met: floorOK, Value: floorV},
		{Name: "cold run recorded every page", Met: coldOK, Value: coldV},
		{Name: "cold run fetched each page once", Met: onceOK, Value: onceV},
		{Name: "change run fetched exactly the new pages", Met: r.Change.Requests.Page.OK == r.Added && chw.Articles == r.Added && r.Change.Requests.Page.Refetched == 0,
			Value: fmt.Sprintf("%d new items in %d feeds; %d page responses, %d articles recorded, %d feeds answered 304",
				r.Added, r.FeedsChanged, r.Change.Requests.Page.OK, chw.Articles, r.Change.Requests.Feed.NotModified)},
		{Name: "interconnection pages were alerted (informational)", Met: true,
			Value: fmt.Sprintf("%d pages report a development; cold run: %d headline events, %d events, %d alerts posted; change run: %d alerts",
				r.Site.EventPages, cw.Headline, cw.Events, cw.Alerts, chw.Alerts)},
	}
	if mc := r.MemCheck; mc != nil {
		q := mc.Requests
		cond := q.Feed.Conditional + q.Page.Conditional + q.Robots.Conditional + q.Other.Conditional
		r.Checks = append(r.Checks, check{Name: "memcheck runs made only conditional requests", Met: q.Page.Requests == 0 && cond == q.Total(),
			Value: fmt.Sprintf("%d requests, %d conditional, %d page requests", q.Total(), cond, q.Page.Requests)})
	}
}

func sepIf(i int) string {
	if i == 0 {
		return ""
	}
	return "; "
}

func firstErr(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	return "; first error: " + errs[0]
}

// allMet reports whether every target is met.
func (r *results) allMet() bool {
	for _, t := range r.Targets {
		if !t.Met {
			return false
		}
	}
	return true
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// writeTable prints the results.
func (r *results) writeTable(w io.Writer) error {
	s := r.Site
	fmt.Fprintf(w, "loadbench: %d sources × %d items on %d hosts, seed %d: %d pages (avg %.1f KB, %d Chinese, %d GBK, %d reporting a development), %d Atom / %d RSS feeds\n",
		r.Options.Site.Sources, r.Options.Site.Items, s.Hosts, r.Options.Site.Seed, s.Pages, float64(s.AvgBytes)/1e3,
		s.ZhPages, s.GBKPages, s.EventPages, s.AtomFeeds, s.Feeds-s.AtomFeeds)
	fmt.Fprintf(w, "concurrency: %d sources, %d articles per source, %d per host; per_host_rate 0\n\n",
		r.Options.Limits.Sources, r.Options.Limits.Articles, r.Options.Limits.PerHost)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twall\tcpu\twall/floor\tcpu/floor\tpeak heap\tVmHWM\tmem/floor\trequests\t304\tpages\tarticles/s\t")
	row := func(name string, p phaseResult, articles int, ratio *ratios) {
		rw, rc, rm := "1.00×", "1.00×", "1.00×"
		if ratio != nil {
			rw, rc, rm = fmt.Sprintf("%.2f×", ratio.Wall), fmt.Sprintf("%.2f×", ratio.CPU), fmt.Sprintf("%.2f×", ratio.VmHWM)
		}
		rate := "-"
		if articles > 0 {
			rate = fmt.Sprintf("%.0f", div(float64(articles), p.Run.Wall))
		}
		q := p.Requests
		fmt.Fprintf(tw, "%s\t%.3fs\t%.3fs\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t\n", name, p.Run.Wall, p.Run.CPU, rw, rc,
			mb(int64(p.Run.PeakHeap)), mb(p.Run.VmHWM), rm, q.Total(), q.Feed.NotModified+q.Page.NotModified, q.Page.OK, rate)
	}
	floorPages := 0
	if r.Floor.Floor != nil {
		floorPages = r.Floor.Floor.Pages
	}
	row("floor", r.Floor, floorPages, nil)
	for _, name := range []string{"cold", "warm", "change"} {
		p := map[string]phaseResult{"cold": r.Cold, "warm": r.Warm, "change": r.Change}[name]
		ra := r.Ratios[name]
		n := 0
		if p.Worker != nil {
			n = p.Worker.Articles
		}
		row(name, p, n, &ra)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "floor and cold: median of %d alternating run(s); wall floor %s, cold %s; cpu floor %s, cold %s\n",
		len(r.ColdSamples), spread(r.FloorSamples, func(m measurement) float64 { return m.Wall }), spread(r.ColdSamples, func(m measurement) float64 { return m.Wall }),
		spread(r.FloorSamples, func(m measurement) float64 { return m.CPU }), spread(r.ColdSamples, func(m measurement) float64 { return m.CPU }))
	fmt.Fprintf(w, "wall and cpu cover the run only (worker setup: %.3fs wall, %.3fs cpu); load average before %s, after %s\n",
		r.Cold.Setup.Wall, r.Cold.Setup.CPU, r.LoadBefore, r.LoadAfter)
	if db := r.Cold.Run.DBCPU; db > 0 {
		fmt.Fprintf(w, "database: PostgreSQL, its CPU beside the worker's: cold %.3fs (%s), warm %.3fs, change %.3fs; cold worker + database %.3fs = %.2f× floor CPU\n",
			db, spread(r.ColdSamples, func(m measurement) float64 { return m.DBCPU }), r.Warm.Run.DBCPU, r.Change.Run.DBCPU,
			r.Cold.Run.CPU+db, div(r.Cold.Run.CPU+db, r.Floor.Run.CPU))
	}
	if m := r.Memory; m != nil {
		verdict := "no growth"
		if m.Grows {
			verdict = "GROWS"
		}
		fmt.Fprintf(w, "memcheck: %d warm runs in one process (%.3fs each on average): heap in use after GC first %s, last %s, max %s; slope %+.0f B/run; %s\n",
			m.Runs, div(r.MemCheck.Run.Wall, float64(m.Runs)), mb(int64(m.First)), mb(int64(m.Last)), mb(int64(m.Max)), m.SlopePerRun, verdict)
	}
	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		fmt.Fprintf(w, "  %-7s %s: %s\n", verdict(t.Met), t.Name, t.Value)
	}
	fmt.Fprintln(w, "checks:")
	for _, t := range r.Checks {
		fmt.Fprintf(w, "  %-7s %s: %s\n", verdict(t.Met), t.Name, t.Value)
	}
	return nil
}

// spread formats the range of a figure over samples: "3.41–3.62s".
func spread(samples []phaseResult, get func(measurement) float64) string {
	if len(samples) == 0 {
		return "-"
	}
	lo, hi := get(samples[0].Run), get(samples[0].Run)
	for _, s := range samples[1:] {
		lo, hi = min(lo, get(s.Run)), max(hi, get(s.Run))
	}
	return fmt.Sprintf("%.2f–%.2fs", lo, hi)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
