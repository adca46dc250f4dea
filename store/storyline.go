package store

import (
	"cmp"
	"slices"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store/simhash"
)

// storyline is a stored storyline that a headline event may report.
type storyline struct {
	ID          int64
	Pair        sources.Pair
	Kinds       []sources.Kind
	A, B        []string // sorted
	First, Last int64    // span of its reports' dates, as dayNumbers
	Prec        int      // best precision among those dates
	// Fingerprints of its articles (other than the probe's own); read only
	// for probes that need them (year-only dates).
	Fingerprints []uint64
	// What its reports read; read only where undated reports are placed.
	Reads []read
}

// read is the stage and platforms one report of a storyline reads.
type read struct {
	Stage sources.Stage
	A, B  []string
}

// readsStage reports whether one of a storyline's reports reads a stage
// and names the platforms a report names.
func (r *storylineRules) readsStage(s storyline, pair sources.Pair, stage sources.Stage, a, b []string) bool {
	return slices.ContainsFunc(s.Reads, func(x read) bool {
		return x.Stage == stage && sideMatches(x.A, a, r.company(pair.A)) && sideMatches(x.B, b, r.company(pair.B))
	})
}

// undatedDay is the day span stored for a storyline whose every report is
// undated: no dated report's window reaches it, and the undated ones are
// found by it.
const undatedDay int64 = -1_000_000

// undated reports whether a stored storyline holds undated reports only.
func (s storyline) undated() bool { return s.Prec == 0 }

// span is the first and last day a date covers.
func span(d sources.Date) (lo, hi int64) { return dayNumber(d), lastDay(d) }

// gapDays is how many days lie between two spans, 0 when they overlap.
func gapDays(lo1, hi1, lo2, hi2 int64) int64 {
	switch {
	case hi1 < lo2:
		return lo2 - hi1
	case hi2 < lo1:
		return lo1 - hi2
	default:
		return 0
	}
}

// specific drops a side's company-only name from a sorted entity list.
func specific(xs []string, company string) []string {
	if company == "" || !slices.Contains(xs, company) {
		return xs
	}
	return slices.DeleteFunc(slices.Clone(xs), func(x string) bool { return x == company })
}

// sideMatches reports whether two entity lists of one side name the same
// platforms: they share one, or one of them names only the company.
func sideMatches(x, y []string, company string) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	sx, sy := specific(x, company), specific(y, company)
	if len(sx) == 0 || len(sy) == 0 {
		return true
	}
	return overlaps(sx, sy)
}

// mergeSide is the union of two entity lists of one side, without the
// company-only name once a platform is known.
func mergeSide(x, y []string, company string) []string {
	u := union(x, y)
	if s := specific(u, company); len(s) > 0 {
		return s
	}
	return u
}

// joins reports whether a headline event reports a stored storyline, and
// how many days apart their dates are: the same pair, kinds of one group,
// the same platforms on each side, and dates within the window. A year
// alone is too coarse to place a report: where the event's or the
// storyline's date is year-only, only a near-duplicate article joins.
func (r *storylineRules) joins(p probe, s storyline) (ok bool, gap int64) {
	if !r.sameSubject(p.Pair, p.Kind, p.A, p.B, s) || p.Undated || s.undated() {
		return false, 0
	}
	lo, hi := span(p.Date)
	gap = gapDays(lo, hi, s.First, s.Last)
	if precision(p.Date) <= precYear || s.Prec <= precYear {
		near := slices.ContainsFunc(s.Fingerprints, func(fp uint64) bool { return simhash.Near(fp, p.Fingerprint) })
		return gap == 0 && near, gap
	}
	return gap <= r.WindowDays, gap
}

// sameSubject reports whether a report of a pair, kind and platforms may
// report a storyline, whatever their dates: the same pair, kinds of one
// group and the same platforms on each side.
func (r *storylineRules) sameSubject(pair sources.Pair, kind sources.Kind, a, b []string, s storyline) bool {
	if pair != s.Pair || len(s.Kinds) == 0 || r.kindGroup(kind) != r.kindGroup(s.Kinds[0]) {
		return false
	}
	return sideMatches(s.A, a, r.company(pair.A)) && sideMatches(s.B, b, r.company(pair.B))
}

// pickUndated chooses the storyline an undated report reports, whatever
// its date, or returns 0 for a new storyline: among those of the same
// subject one of whose reports reads the report's stage and names its
// platforms, one of the report's own
// kind, then the one that shares the most platforms with it, then the
// oldest.
func (r *storylineRules) pickUndated(p probe, cands []storyline) int64 {
	var best int64
	var bestKind bool
	var bestShared int
	for _, c := range cands {
		if !r.sameSubject(p.Pair, p.Kind, p.A, p.B, c) || !r.readsStage(c, p.Pair, p.Stage, p.A, p.B) {
			continue
		}
		kind := slices.Contains(c.Kinds, p.Kind)
		shared := len(intersect(c.A, p.A)) + len(intersect(c.B, p.B))
		better := best == 0 || kind && !bestKind ||
			kind == bestKind && (shared > bestShared || shared == bestShared && c.ID < best)
		if better {
			best, bestKind, bestShared = c.ID, kind, shared
		}
	}
	return best
}

// namesProduct reports whether a report names a storyline's platforms on
// the product side (product_side): the side whose platforms tell one
// development from another.
func (r *storylineRules) namesProduct(s storyline, p probe) bool {
	switch r.ProductSide {
	case p.Pair.A:
		return sideMatches(s.A, p.A, r.company(p.Pair.A))
	case p.Pair.B:
		return sideMatches(s.B, p.B, r.company(p.Pair.B))
	default:
		return false
	}
}

// absorbs reports whether a storyline of undated reports only belongs to a
// dated storyline of the same subject that a report has just joined or
// started, one of the undated reports reading its stage and platforms.
func (r *storylineRules) absorbs(s, u storyline, p probe) bool {
	if !u.undated() || s.undated() || len(u.Kinds) == 0 || !r.readsStage(u, p.Pair, p.Stage, p.A, p.B) {
		return false
	}
	return r.sameSubject(u.Pair, u.Kinds[0], u.A, u.B, s)
}

func intersect(x, y []string) []string {
	var out []string
	for _, v := range x {
		if slices.Contains(y, v) {
			out = append(out, v)
		}
	}
	return out
}

// pick chooses the storyline a headline event reports among stored ones,
// or returns 0 for a new storyline: the nearest in time, then the oldest.
func (r *storylineRules) pick(p probe, cands []storyline) int64 {
	var best int64
	var bestGap int64
	for _, c := range cands {
		ok, gap := r.joins(p, c)
		if ok && (best == 0 || gap < bestGap || gap == bestGap && c.ID < best) {
			best, bestGap = c.ID, gap
		}
	}
	return best
}

// extend widens a storyline by a report of it: entities, kinds and date
// span. A year-only date does not widen a storyline dated more precisely;
// an undated report widens no dates.
func (r *storylineRules) extend(s storyline, p probe) storyline {
	s.A = mergeSide(s.A, p.A, r.company(p.Pair.A))
	s.B = mergeSide(s.B, p.B, r.company(p.Pair.B))
	if !slices.Contains(s.Kinds, p.Kind) {
		s.Kinds = append(slices.Clone(s.Kinds), p.Kind)
		slices.Sort(s.Kinds)
	}
	if p.Undated {
		return s
	}
	lo, hi := span(p.Date)
	switch pp := precision(p.Date); {
	case pp <= precYear && s.Prec > precYear:
	case pp > precYear && s.Prec <= precYear:
		s.First, s.Last, s.Prec = lo, hi, pp
	default:
		s.First, s.Last, s.Prec = min(s.First, lo), max(s.Last, hi), max(s.Prec, pp)
	}
	return s
}

// newStoryline is the storyline a first report starts.
func (r *storylineRules) newStoryline(p probe) storyline {
	lo, hi, prec := undatedDay, undatedDay, 0
	if !p.Undated {
		lo, hi = span(p.Date)
		prec = max(precision(p.Date), precYear)
	}
	return storyline{Pair: p.Pair, Kinds: []sources.Kind{p.Kind},
		A: mergeSide(nil, p.A, r.company(p.Pair.A)), B: mergeSide(nil, p.B, r.company(p.Pair.B)),
		First: lo, Last: hi, Prec: prec}
}

// report is one headline event of a storyline, as the step rule sees it.
type report struct {
	Event   int64
	Article int64
	Seq     int  // position in its article's event list
	Lead    bool // the article's first headline event: the news it leads with
	Alert   bool // its article was recorded with alerts on
	// Undated: its article has no publication date and it no date to the
	// day; Day is then the day it was recorded, which says nothing.
	Undated bool
	Stage   sources.Stage
	Kind    sources.Kind
	Date    sources.Date // the development's date as the report gives it
	// Day is when it was reported: its article's publication day, else
	// its own date when day-precise, else the day it was recorded.
	Day       int64
	Published int64 // unix seconds; 0 when unknown
	A, B      []string
	Evidence  string
	Dev       int64 // the step it belongs to now, 0 for none yet
}

// step is one step of a storyline: the reports of one stage's news cycle,
// announced by one alert.
type step struct {
	ID        int64 // 0 for a step to create
	Committed bool  // its alert is posted, being posted or leased: it stays as it is
	Stage     sources.Stage
	Day       int64 // the day of its first report
	Reports   []int // indices of its reports, in time order; for a new step the first opened it
}

// reportOrder sorts reports by when they were reported: day, then
// publication time (unknown last), article and position.
func reportOrder(a, b report) int {
	return cmp.Or(cmp.Compare(undatedRank(a.Undated), undatedRank(b.Undated)), cmp.Compare(a.Day, b.Day),
		cmp.Compare(unknown(a.Published), unknown(b.Published)), cmp.Compare(a.Published, b.Published),
		cmp.Compare(a.Article, b.Article), cmp.Compare(a.Seq, b.Seq))
}

func undatedRank(undated bool) int {
	if undated {
		return 1
	}
	return 0
}

func unknown(unix int64) int {
	if unix == 0 {
		return 1
	}
	return 0
}

// outsideCycle reports whether a report comes after a step's news cycle:
// published later than news_cycle_days after the step's first report, and
// not dated (to the day) within that cycle either.
func (r *storylineRules) outsideCycle(rep report, s *step) bool {
	end := s.Day + r.NewsCycleDays
	if rep.Day <= end {
		return false
	}
	return precision(rep.Date) < precDay || dayNumber(rep.Date) > end
}

// opens reports whether a report is a new step after the latest step: a
// step forward in the lifecycle, led with by its article, after that
// step's news cycle.
func (r *storylineRules) opens(rep report, latest *step) bool {
	return rep.Lead && r.forward(latest.Stage, rep.Stage) && r.outsideCycle(rep, latest)
}

// stepOfStage is the latest step of a stage, committed or planned, else
// the latest step.
func stepOfStage(steps, tail []step, stage sources.Stage, latest *step) *step {
	for k := len(tail) - 1; k >= 0; k-- {
		if tail[k].Stage == stage {
			return &tail[k]
		}
	}
	for k := len(steps) - 1; k >= 0; k-- {
		if steps[k].Stage == stage {
			return &steps[k]
		}
	}
	return latest
}

// cycleStage is the stage of a storyline's first step while nobody has
// posted it: the stage most of the articles that lead with it (naming its
// first report's product platforms) read within its news cycle, the
// earlier in the lifecycle on a tie (outlets that disagree over-read more
// often than they under-read). A later step was opened by a step forward;
// a read behind it is coverage.
func (r *storylineRules) cycleStage(pair sources.Pair, st *step, reps []report) sources.Stage {
	first := reps[st.Reports[0]]
	votes := map[sources.Stage]int{}
	for _, i := range st.Reports {
		rep := reps[i]
		if rep.Lead && !rep.Undated && rep.Day <= st.Day+r.NewsCycleDays && r.namesProduct(storyline{A: first.A, B: first.B}, probe{Pair: pair, A: rep.A, B: rep.B}) {
			votes[rep.Stage]++
		}
	}
	best := st.Stage
	most := 0
	for _, stage := range r.Lifecycle {
		if votes[stage] > most {
			best, most = stage, votes[stage]
		}
	}
	return best
}

// plan assigns a storyline's reports to its steps. Committed steps stay as
// they are, with the reports they hold; every other report is placed by
// the step rule, in the order reported: before the latest committed step's
// news cycle ends it is coverage of the committed step current then (a
// late or backward read never opens a step behind one already posted);
// after it, each report either opens a new step (see opens) or is coverage
// of the latest step. Steps not committed are planned afresh each time, so
// reports recorded out of order end up as if recorded in order. New steps
// keep the id of a step they held before where they can.
func (r *storylineRules) plan(pair sources.Pair, reps []report, committed []step) []step {
	order := make([]int, len(reps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return reportOrder(reps[a], reps[b]) })
	steps := slices.Clone(committed)
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.ID, b.ID)) })
	byID := map[int64]int{}
	for i := range steps {
		steps[i].Reports = nil
		byID[steps[i].ID] = i
	}
	var cur *step // the latest step
	if n := len(steps); n > 0 {
		cur = &steps[n-1]
	}
	lastCommitted := len(steps) - 1
	var tail []step
	for _, i := range order {
		rep := reps[i]
		if j, ok := byID[rep.Dev]; ok && rep.Dev != 0 {
			steps[j].Reports = append(steps[j].Reports, i)
			continue
		}
		switch {
		case rep.Undated && cur != nil:
			st := stepOfStage(steps, tail, rep.Stage, cur)
			st.Reports = append(st.Reports, i)
		case lastCommitted >= 0 && !r.outsideCycle(rep, &steps[lastCommitted]):
			j := 0
			for k := range lastCommitted + 1 {
				if steps[k].Day <= rep.Day {
					j = k
				}
			}
			steps[j].Reports = append(steps[j].Reports, i)
		case cur == nil || r.opens(rep, cur):
			tail = append(tail, step{Stage: rep.Stage, Day: rep.Day, Reports: []int{i}})
			cur = &tail[len(tail)-1]
		default:
			cur.Reports = append(cur.Reports, i)
			if len(steps) == 0 && len(tail) == 1 {
				cur.Stage = r.cycleStage(pair, cur, reps)
			}
		}
		if len(tail) > 0 {
			cur = &tail[len(tail)-1]
		}
	}
	// Keep ids: each new step takes the first id its reports held that is
	// not committed and not taken.
	used := map[int64]bool{}
	for id := range byID {
		used[id] = true
	}
	for k := range tail {
		for _, i := range tail[k].Reports {
			if d := reps[i].Dev; d != 0 && !used[d] {
				tail[k].ID, used[d] = d, true
				break
			}
		}
	}
	return append(steps, tail...)
}
