package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wallwatch/worker/sources"
)

// HistoryFilter selects developments, background entries and events; zero
// fields select everything.
type HistoryFilter struct {
	Kind  sources.Kind
	Stage sources.Stage
	// Platform is an entity on either side, matched regardless of case.
	Platform string
	// From and To bound the dates, inclusive, at their own precision: To
	// 2024-09 reaches the end of September. With Stage, one step must have
	// both.
	From, To sources.Date
	// Lang keeps what an article in that language reported or retold.
	Lang string
	// Query keeps what has every one of its words (separated by spaces) in a
	// title or an evidence sentence, regardless of case.
	Query string
}

// ErrBadFilter is returned by HistoryFilter.Validate.
var ErrBadFilter = errors.New("bad filter")

// Validate reports a filter that can select nothing by mistake: an
// unknown kind or stage, or a range that ends before it starts.
func (f HistoryFilter) Validate() error {
	if f.Kind != "" && !slices.Contains(sources.Kinds, f.Kind) {
		return fmt.Errorf("%w: kind %q is not one of %v", ErrBadFilter, f.Kind, sources.Kinds)
	}
	if f.Stage != "" && !slices.Contains(sources.Stages, f.Stage) {
		return fmt.Errorf("%w: stage %q is not one of %v", ErrBadFilter, f.Stage, sources.Stages)
	}
	if !f.From.IsZero() && !f.To.IsZero() && lastDay(f.To) < dayNumber(f.From) {
		return fmt.Errorf("%w: to %s is before from %s", ErrBadFilter, f.To, f.From)
	}
	return nil
}

// matcher is a filter prepared for matching.
type matcher struct {
	f      HistoryFilter
	lo, hi int64    // day range; hi < lo never happens after Validate
	terms  []string // lower-case query words
}

func newMatcher(f HistoryFilter) matcher {
	m := matcher{f: f, lo: -1 << 62, hi: 1 << 62, terms: strings.Fields(strings.ToLower(f.Query))}
	if !f.From.IsZero() {
		m.lo = dayNumber(f.From)
	}
	if !f.To.IsZero() {
		m.hi = lastDay(f.To)
	}
	return m
}

func (m matcher) dated() bool { return !m.f.From.IsZero() || !m.f.To.IsZero() }

// inRange reports whether date d (as precise as it is) overlaps the range.
func (m matcher) inRange(d sources.Date) bool {
	if !m.dated() {
		return true
	}
	return !d.IsZero() && dayNumber(d) <= m.hi && lastDay(d) >= m.lo
}

func (m matcher) subject(pair sources.Pair, kinds []sources.Kind, a, b []string) bool {
	if m.f.Kind != "" && !slices.Contains(kinds, m.f.Kind) {
		return false
	}
	if m.f.Platform == "" {
		return true
	}
	eq := func(x string) bool { return strings.EqualFold(x, m.f.Platform) }
	return slices.ContainsFunc(a, eq) || slices.ContainsFunc(b, eq)
}

func (m matcher) lang(as []HistoryArticle) bool {
	return m.f.Lang == "" || slices.ContainsFunc(as, func(a HistoryArticle) bool { return strings.EqualFold(a.Lang, m.f.Lang) })
}

// text reports whether every query word is in one of texts.
func (m matcher) text(texts ...string) bool {
	if len(m.terms) == 0 {
		return true
	}
	lower := make([]string, len(texts))
	for i, t := range texts {
		lower[i] = strings.ToLower(t)
	}
	for _, term := range m.terms {
		if !slices.ContainsFunc(lower, func(t string) bool { return strings.Contains(t, term) }) {
			return false
		}
	}
	return true
}

func (m matcher) development(d *DevelopmentHistory) bool {
	if !m.subject(d.Pair, d.Kinds, d.A, d.B) || !m.lang(d.Articles) {
		return false
	}
	if m.f.Stage != "" || m.dated() {
		if !slices.ContainsFunc(d.Steps, func(s HistoryStep) bool {
			return (m.f.Stage == "" || s.Stage == m.f.Stage) && m.inRange(s.Date)
		}) {
			return false
		}
	}
	if len(m.terms) == 0 {
		return true
	}
	texts := []string{d.Evidence}
	for _, a := range d.Articles {
		texts = append(texts, a.Title)
	}
	for _, s := range d.Steps {
		texts = append(texts, s.Evidence)
	}
	for _, e := range d.Events {
		texts = append(texts, e.Evidence)
	}
	return m.text(texts...)
}

func (m matcher) background(b *BackgroundEntry) bool {
	if !m.subject(b.Pair, []sources.Kind{b.Kind}, b.A, b.B) || !m.lang(b.Articles) || !m.inRange(b.Date) {
		return false
	}
	if m.f.Stage != "" && b.Stage != m.f.Stage {
		return false
	}
	if len(m.terms) == 0 {
		return true
	}
	texts := []string{b.Evidence}
	for _, a := range b.Articles {
		texts = append(texts, a.Title)
	}
	return m.text(texts...)
}

func (m matcher) event(e *HistoryEvent) bool {
	return m.subject(e.Pair, []sources.Kind{e.Kind}, e.A, e.B) &&
		(m.f.Stage == "" || e.Stage == m.f.Stage) &&
		m.inRange(e.when) && m.lang([]HistoryArticle{e.Article}) &&
		m.text(e.Evidence, e.Article.Title)
}

// TimelineItem is one entry of the timeline: a development, or background
// that no development covers.
type TimelineItem struct {
	Development *DevelopmentHistory
	Background  *BackgroundEntry
}

// Date is the date the item is placed at: a development's latest step's
// (its first step's, oldest first), a background entry's own.
func (it TimelineItem) date(oldestFirst bool) sources.Date {
	switch {
	case it.Background != nil:
		return it.Background.Date
	case oldestFirst:
		return it.Development.Date
	default:
		return it.Development.Updated
	}
}

// Timeline returns the developments and background entries that f selects:
// newest first by the latest step of each development, or oldest first by
// its first step; undated background last either way.
func (h *History) Timeline(f HistoryFilter, oldestFirst bool) []TimelineItem {
	m := newMatcher(f)
	var out []TimelineItem
	for i := range h.Developments {
		if d := &h.Developments[i]; m.development(d) {
			out = append(out, TimelineItem{Development: d})
		}
	}
	for i := range h.Background {
		if b := &h.Background[i]; m.background(b) {
			out = append(out, TimelineItem{Background: b})
		}
	}
	dir := 1
	if !oldestFirst {
		dir = -1
	}
	slices.SortStableFunc(out, func(a, b TimelineItem) int {
		da, db := a.date(oldestFirst), b.date(oldestFirst)
		if da.IsZero() != db.IsZero() {
			if da.IsZero() {
				return 1
			}
			return -1
		}
		if c := cmpInt(dayNumber(da), dayNumber(db)); c != 0 {
			return dir * c
		}
		if c := precision(da) - precision(db); c != 0 {
			return dir * c
		}
		if (a.Development == nil) != (b.Development == nil) {
			if a.Development == nil {
				return 1 // developments before background of their date
			}
			return -1
		}
		if a.Development != nil {
			return dir * cmpInt(a.Development.ID, b.Development.ID)
		}
		return 0
	})
	return out
}

// SelectDevelopments returns the developments f selects, in timeline
// order.
func (h *History) SelectDevelopments(f HistoryFilter, oldestFirst bool) []*DevelopmentHistory {
	var out []*DevelopmentHistory
	for _, it := range h.Timeline(f, oldestFirst) {
		if it.Development != nil {
			out = append(out, it.Development)
		}
	}
	return out
}

// SelectEvents returns the events f selects, newest first (or oldest
// first) by the date they are placed at, undated last.
func (h *History) SelectEvents(f HistoryFilter, oldestFirst bool) []HistoryEvent {
	m := newMatcher(f)
	var out []HistoryEvent
	for i := range h.Events {
		if m.event(&h.Events[i]) {
			out = append(out, h.Events[i])
		}
	}
	sortEvents(out)
	if !oldestFirst {
		n := len(out)
		for n > 0 && out[n-1].when.IsZero() {
			n--
		}
		slices.Reverse(out[:n])
	}
	return out
}

// Platforms lists every entity named by a stored event, sorted.
func (h *History) Platforms() []string { return h.platforms }

// Languages lists the languages of the articles that hold events, sorted.
func (h *History) Languages() []string { return h.languages }

// facets lists the entities and languages of the events, for Platforms and
// Languages.
func facets(evs []HistoryEvent) (platforms, languages []string) {
	ents, langs := map[string]bool{}, map[string]bool{}
	for _, e := range evs {
		for _, x := range e.A {
			ents[x] = true
		}
		for _, x := range e.B {
			ents[x] = true
		}
		if e.Article.Lang != "" {
			langs[e.Article.Lang] = true
		}
	}
	return slices.Sorted(maps.Keys(ents)), slices.Sorted(maps.Keys(langs))
}
