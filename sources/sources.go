// Package sources defines what flows from news sources to alerts: the items a
// source lists, the articles behind them, the interconnection events read from
// those articles, and the watch lists that say which companies to look for.
//
// It is the leaf of the module and imports only the standard library. The
// subpackages do the work: fetch (HTTP), feed and listing (sources), article
// (page parsing), detect (event detection), canon (URL canonicalisation).
package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Item is one entry listed by a source: a link to an article, with what the
// feed or listing page says about it.
type Item struct {
	Source    string    // name of the source that listed it
	URL       string    // absolute, canonical URL of the article
	Title     string    // title as listed, may be empty
	Published time.Time // as listed; zero when the source gives none
	Summary   string    // feed description or listing teaser, plain text
}

// Article is a parsed article page.
type Article struct {
	URL       string    // the URL the page was fetched from, canonicalised
	Canonical string    // the page's own rel=canonical (or og:url), absolute; "" when none
	Title     string    // headline, without the site name
	Published time.Time // publication time in the page's own offset; zero when unknown
	Lang      string    // ISO 639-1: "en", "zh", …
	Text      string    // main text, boilerplate removed, one paragraph a line
	SiteName  string    // outlet name when the page names it (og:site_name)
}

// Kind is what an interconnection event is about.
type Kind string

// The kinds of events.md.
const (
	KindPayment     Kind = "payment"
	KindAdvertising Kind = "advertising"
	KindLinks       Kind = "links"
	KindMiniProgram Kind = "mini_program"
	KindWorkplace   Kind = "workplace"
	KindLogistics   Kind = "logistics"
	KindData        Kind = "data"
	KindOther       Kind = "other"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindPayment, KindAdvertising, KindLinks, KindMiniProgram, KindWorkplace, KindLogistics, KindData, KindOther}

// Stage is how far an interconnection has come.
type Stage string

// The stages of events.md.
const (
	StageAnnounced Stage = "announced"
	StageTesting   Stage = "testing"
	StageLaunched  Stage = "launched"
	StageExpanded  Stage = "expanded"
	StageHalted    Stage = "halted"
)

// Stages lists every stage in a stable order.
var Stages = []Stage{StageAnnounced, StageTesting, StageLaunched, StageExpanded, StageHalted}

// Date is a calendar date known to the year, the month or the day: 2021,
// 2021-09 or 2021-09-28. The zero Date means unknown.
type Date struct {
	Year  int
	Month int // 0 when only the year is known
	Day   int // 0 when only the year and month are known
}

// DateOf returns the day of t, in t's own location.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: int(m), Day: d}
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// String formats the date as YYYY, YYYY-MM or YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
}

// Start returns the first instant of the date in loc (the first day of the
// month or year when the date is partial), or the zero time when unknown.
func (d Date) Start(loc *time.Location) time.Time {
	if d.Year == 0 {
		return time.Time{}
	}
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, loc)
}

// ParseDate reads YYYY, YYYY-MM or YYYY-MM-DD; "" gives the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 {
		return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return Date{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		n[i] = v
	}
	d := Date{Year: n[0], Month: n[1], Day: n[2]}
	if d.Year < 1 || d.Year > 9999 || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 ||
		(len(parts) >= 2 && d.Month == 0) || (len(parts) == 3 && d.Day == 0) {
		return Date{}, fmt.Errorf("date %q: out of range", s)
	}
	return d, nil
}

// MarshalJSON writes the date as a string, or null when unknown.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads a string date or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Pair names the two watched companies; A and B are the JSON keys of their
// sides ("alibaba", "tencent").
type Pair struct {
	A, B string
}

// DefaultPair is the watch this worker ships with.
var DefaultPair = Pair{A: "alibaba", B: "tencent"}

// Event is one interconnection development read from an article: a platform
// of one company opening to, connecting with or blocked from one of the
// other's.
type Event struct {
	Pair     Pair
	A        []string // canonical entity names on side A (Alibaba by default)
	B        []string // canonical entity names on side B (Tencent by default)
	Kind     Kind
	Stage    Stage
	Date     Date   // the development's own date, as precise as the text allows
	Headline bool   // the news the article reports, not history it retells
	Evidence string // the sentence the event was read from
}

// MarshalJSON writes the event in the shape of the interface spec, with the
// pair's side keys naming the entity lists.
func (e Event) MarshalJSON() ([]byte, error) {
	pair := e.Pair
	if pair.A == "" {
		pair = DefaultPair
	}
	a, b := e.A, e.B
	if a == nil {
		a = []string{}
	}
	if b == nil {
		b = []string{}
	}
	// Keys are written in a fixed order so output is stable.
	var sb strings.Builder
	sb.WriteByte('{')
	for i, kv := range []struct {
		k string
		v any
	}{
		{pair.A, a}, {pair.B, b}, {"kind", e.Kind}, {"stage", e.Stage},
		{"date", e.Date}, {"headline", e.Headline}, {"evidence", e.Evidence},
	} {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(kv.k)
		v, err := json.Marshal(kv.v)
		if err != nil {
			return nil, err
		}
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(v)
	}
	sb.WriteByte('}')
	return []byte(sb.String()), nil
}

// Watch is a pair of companies to watch and the entities (apps, products,
// subsidiaries) on each side. The shipped lexicon holds the Alibaba–Tencent
// watch; the config may extend it or add others.
type Watch struct {
	Name  string  `yaml:"name" json:"name"`   // e.g. "alibaba-tencent"
	Sides [2]Side `yaml:"sides" json:"sides"` // side A, side B
}

// Side is one company of a watch.
type Side struct {
	Key      string   `yaml:"key" json:"key"` // JSON key of the side: "alibaba"
	Entities []Entity `yaml:"entities" json:"entities"`
}

// Entity is a platform or business with its canonical name and the other
// names the news uses for it, in any language.
type Entity struct {
	Name    string   `yaml:"name" json:"name"`
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
}

// Validators are what a server sent to make the next request conditional.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// IsZero reports whether there is nothing to send.
func (v Validators) IsZero() bool { return v.ETag == "" && v.LastModified == "" }

// ListRequest asks a source for its items.
type ListRequest struct {
	// Since, when set, makes a paginated listing follow its next links until
	// items are older than Since (a backfill). Zero reads the first page only.
	Since time.Time
	// Known holds the validators stored for the source's URLs after the last
	// run whose items were all handled; requests for those URLs are made
	// conditional.
	Known map[string]Validators
	// Progress, when set, is told of each page read.
	Progress func(page int, items int)
}

// Listing is what a source lists now.
type Listing struct {
	Items []Item
	// NotModified is true when the server said nothing changed since Known.
	NotModified bool
	// Validators for the URLs fetched now, to be stored once Items are handled
	// (storing them earlier would lose items if the run is cut short).
	Validators map[string]Validators
}

// Source lists the items a news source currently shows.
type Source interface {
	// Name is the source's configured name.
	Name() string
	// List fetches the source and returns its items, newest first where the
	// source says.
	List(ctx context.Context, req ListRequest) (Listing, error)
}
