package store

import (
	"encoding/json"
	"slices"

	"github.com/wallwatch/worker/sources"
)

// assemble arranges the stored rows into a History.
func assemble(rows []devRow, arts map[int64]HistoryArticle, links map[int64][]int64, evs []HistoryEvent) *History {
	lines := groupRows(rows)
	h := &History{byID: map[int64]int{}}
	rowLine := map[int64]int{}   // development row → index in lines
	storyLine := map[int64]int{} // storyline → index in lines
	for i, line := range lines {
		for _, r := range line {
			rowLine[r.ID] = i
		}
		if line[0].Storyline != 0 {
			storyLine[line[0].Storyline] = i
		}
	}
	rowByID := make(map[int64]*devRow, len(rows))
	for i := range rows {
		rowByID[rows[i].ID] = &rows[i]
	}
	byEntity := map[entityKey][]lineRow{}
	for i, line := range lines {
		for _, r := range line {
			for _, a := range r.A {
				k := entityKey{r.Pair, r.Kind, a}
				byEntity[k] = append(byEntity[k], lineRow{line: i, row: r.candidate})
			}
		}
	}
	lineEvents := make([][]int, len(lines)) // indexes into evs
	var orphans []int
	for i := range evs {
		e := &evs[i]
		if e.Headline {
			if r, ok := rowByID[e.row]; ok {
				if e.Date.IsZero() || precision(e.Date) < precision(r.Date) {
					e.when = r.Date
				}
				lineEvents[rowLine[r.ID]] = append(lineEvents[rowLine[r.ID]], i)
				continue
			}
			if li, ok := storyLine[e.storyline]; ok { // coverage that opened no step of its own
				if e.when.IsZero() {
					e.when = lines[li][0].Date
				}
				lineEvents[li] = append(lineEvents[li], i)
				continue
			}
		}
		if li, ok := retells(*e, byEntity); ok {
			lineEvents[li] = append(lineEvents[li], i)
			continue
		}
		orphans = append(orphans, i)
	}
	for i, line := range lines {
		for _, ei := range lineEvents[i] {
			evs[ei].Development = lineID(line)
		}
		h.byID[lineID(line)] = len(h.Developments)
		h.Developments = append(h.Developments, buildDevelopment(line, evs, lineEvents[i], arts, links))
	}
	h.Background = backgroundEntries(evs, orphans)
	h.Events = evs
	h.platforms, h.languages = facets(evs)
	return h
}

// groupRows puts together the development rows of each storyline (a
// row without one stands alone), ordered by storyline.
func groupRows(rows []devRow) [][]devRow {
	groups := map[int64][]devRow{}
	var keys []int64
	for _, r := range rows {
		k := r.Storyline
		if k == 0 {
			k = -r.ID // never a storyline's ID
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	slices.SortFunc(keys, func(a, b int64) int { return cmpInt(abs(a), abs(b)) })
	out := make([][]devRow, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// lineID is the ID a group of rows is known by: its storyline's.
func lineID(line []devRow) int64 {
	if id := line[0].Storyline; id != 0 {
		return id
	}
	return line[0].ID
}

// lineRow is a development row and the index of its group.
type lineRow struct {
	line int
	row  candidate
}

// entityKey indexes development rows by subject and each entity of side A.
type entityKey struct {
	Pair   sources.Pair
	Kind   sources.Kind
	Entity string
}

// retells finds the development a background event retells: one of the
// same subject with a row whose date is close to the event's (any stage),
// the nearest if several.
func retells(e HistoryEvent, byEntity map[entityKey][]lineRow) (int, bool) {
	if e.Date.IsZero() {
		return 0, false
	}
	p := probe{Pair: e.Pair, Kind: e.Kind, Stage: e.Stage, A: e.A, B: e.B, Date: e.Date}
	best, bestGap := -1, int64(0)
	for _, a := range e.A {
		for _, lr := range byEntity[entityKey{e.Pair, e.Kind, a}] {
			if !sameSubject(p, lr.row) || compareDates(e.Date, lr.row.Date) == datesFar {
				continue
			}
			if gap := abs(dayNumber(e.Date) - dayNumber(lr.row.Date)); best < 0 || gap < bestGap || gap == bestGap && lr.line < best {
				best, bestGap = lr.line, gap
			}
		}
	}
	return best, best >= 0
}

// buildDevelopment assembles one development from its rows and events.
func buildDevelopment(line []devRow, evs []HistoryEvent, idx []int, arts map[int64]HistoryArticle, links map[int64][]int64) DevelopmentHistory {
	d := DevelopmentHistory{ID: lineID(line), Pair: line[0].Pair, Kind: line[0].Kind}
	seen := map[int64]bool{}
	addArticle := func(a HistoryArticle) {
		if a.ID != 0 && !seen[a.ID] {
			seen[a.ID] = true
			d.Articles = append(d.Articles, a)
		}
	}
	for _, r := range line {
		d.Rows = append(d.Rows, r.ID)
		d.A, d.B = append(d.A, r.A...), append(d.B, r.B...)
		if !slices.Contains(d.Kinds, r.Kind) {
			d.Kinds = append(d.Kinds, r.Kind)
		}
		for _, id := range links[r.ID] {
			addArticle(arts[id])
		}
	}
	d.A, d.B = sortedSet(d.A), sortedSet(d.B)
	for _, i := range idx {
		d.Events = append(d.Events, evs[i])
	}
	sortEvents(d.Events)
	for _, e := range d.Events {
		addArticle(e.Article)
	}
	sortArticles(d.Articles)
	d.Steps = steps(d.Events, line)
	if len(d.Steps) == 0 { // rows whose events are gone: the rows alone
		for _, r := range line {
			d.Steps = append(d.Steps, HistoryStep{Stage: r.Stage, N: 1, Date: r.Date, Evidence: r.Evidence, Slack: r.Slack})
		}
	}
	first, last := d.Steps[0], d.Steps[len(d.Steps)-1]
	d.Date, d.Updated, d.Stage, d.Evidence = first.Date, last.Date, last.Stage, last.Evidence
	for _, s := range slices.Backward(d.Steps) {
		if !s.Retold {
			d.Evidence = s.Evidence
			break
		}
	}
	return d
}

// stageRank orders the stages of the lifecycle.
func stageRank(s sources.Stage) int {
	if i := slices.Index(sources.Stages, s); i >= 0 {
		return i
	}
	return len(sources.Stages)
}

// sortEvents orders events by the date they are placed at (a whole month
// or year before the days in it), headline before background, then by
// stage, publication and ID.
func sortEvents(es []HistoryEvent) {
	slices.SortStableFunc(es, func(a, b HistoryEvent) int {
		if a.when.IsZero() != b.when.IsZero() {
			if a.when.IsZero() {
				return 1
			}
			return -1
		}
		if c := cmpInt(dayNumber(a.when), dayNumber(b.when)); c != 0 {
			return c
		}
		if c := precision(a.when) - precision(b.when); c != 0 {
			return c
		}
		if a.Headline != b.Headline {
			if a.Headline {
				return -1
			}
			return 1
		}
		if c := stageRank(a.Stage) - stageRank(b.Stage); c != 0 {
			return c
		}
		if c := a.Article.Published.Compare(b.Article.Published); c != 0 {
			return c
		}
		return cmpInt(a.ID, b.ID)
	})
}

// steps reads a development's steps from its events in date order. An
// event is more coverage of an earlier step of its stage (a repeat, or a
// disagreement among outlets) unless a halt, or for a halt a resumption,
// came since; of the latest step when it reads an earlier stage than that
// step's (a backward read); otherwise it opens a step.
func steps(es []HistoryEvent, line []devRow) []HistoryStep {
	var out []HistoryStep
	var stepRows [][]int64
	count := map[sources.Stage]int{}
	seen := []map[int64]bool{}
	for _, e := range es {
		i := joinStep(out, e.Stage)
		if i < 0 {
			count[e.Stage]++
			out = append(out, HistoryStep{Stage: e.Stage, N: count[e.Stage], Date: e.when, Evidence: e.Evidence, Retold: true})
			stepRows = append(stepRows, nil)
			seen = append(seen, map[int64]bool{})
			i = len(out) - 1
		}
		s := &out[i]
		if e.Headline {
			if s.Retold {
				s.Evidence = e.Evidence
			}
			s.Retold = false
			stepRows[i] = append(stepRows[i], e.row)
		}
		if a := e.Article; a.ID != 0 && !seen[i][a.ID] {
			seen[i][a.ID] = true
			s.Articles = append(s.Articles, a)
			if a.Recorded.After(s.Recorded) {
				s.Recorded = a.Recorded
			}
		}
	}
	for i := range out {
		sortArticles(out[i].Articles)
	}
	// Each posted alert marks the step its development row holds.
	for _, r := range line {
		if r.Slack == nil {
			continue
		}
		for i := range out {
			if out[i].Slack == nil && out[i].Stage == r.Stage && slices.Contains(stepRows[i], r.ID) {
				out[i].Slack = r.Slack
				break
			}
		}
	}
	return out
}

// joinStep returns the step an event of stage s adds to, or -1 when it
// opens a new one.
func joinStep(out []HistoryStep, s sources.Stage) int {
	halted := func(x sources.Stage) bool { return x == sources.StageHalted }
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Stage == s {
			return i
		}
		if halted(out[i].Stage) != halted(s) {
			break // a halt, or a resumption, since
		}
	}
	if n := len(out); n > 0 && !halted(s) && !halted(out[n-1].Stage) && stageRank(s) < stageRank(out[n-1].Stage) {
		return n - 1
	}
	return -1
}

// backgroundEntries groups the background events no development covers by
// subject, stage and date, oldest first (undated last).
func backgroundEntries(evs []HistoryEvent, idx []int) []BackgroundEntry {
	var es []HistoryEvent
	for _, i := range idx {
		es = append(es, evs[i])
	}
	sortEvents(es)
	type key struct{ pairA, pairB, kind, stage, a, b, date string }
	index := map[key]int{}
	seen := map[int]map[int64]bool{} // entry → its articles
	var out []BackgroundEntry
	for _, e := range es {
		a, _ := json.Marshal(e.A)
		b, _ := json.Marshal(e.B)
		k := key{e.Pair.A, e.Pair.B, string(e.Kind), string(e.Stage), string(a), string(b), e.Date.String()}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			seen[i] = map[int64]bool{}
			out = append(out, BackgroundEntry{Pair: e.Pair, A: e.A, B: e.B, Kind: e.Kind, Stage: e.Stage, Date: e.Date, Evidence: e.Evidence})
		}
		out[i].Events = append(out[i].Events, e)
		if id := e.Article.ID; id != 0 && !seen[i][id] {
			seen[i][id] = true
			out[i].Articles = append(out[i].Articles, e.Article)
		}
	}
	for i := range out {
		sortArticles(out[i].Articles)
	}
	return out
}
