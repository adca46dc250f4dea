package store

import (
	"time"

	"github.com/wallwatch/worker/sources"
)

// Date precisions, as stored in developments.date_prec.
const (
	precYear  = 1
	precMonth = 2
	precDay   = 3
)

func precision(d sources.Date) int {
	switch {
	case d.Year == 0:
		return 0
	case d.Month == 0:
		return precYear
	case d.Day == 0:
		return precMonth
	default:
		return precDay
	}
}

// dayNumber is the first day of d, counted in days since 1970-01-01.
func dayNumber(d sources.Date) int64 {
	return d.Start(time.UTC).Unix() / 86400
}

// monthNumber counts months since year 0.
func monthNumber(d sources.Date) int { return d.Year*12 + d.Month - 1 }

// probe is a headline event being placed in a storyline, with the
// fingerprint of its article.
type probe struct {
	Pair        sources.Pair
	Kind        sources.Kind
	Stage       sources.Stage
	A, B        []string // sorted
	Date        sources.Date
	Fingerprint uint64
	// Undated: its article has no publication date and the event no date
	// to the day, so its date says nothing of when it happened.
	Undated bool
}

// candidate is a stored development, as the timeline compares it with
// background events.
type candidate struct {
	ID    int64
	Pair  sources.Pair
	Kind  sources.Kind
	Stage sources.Stage
	A, B  []string // sorted
	Date  sources.Date
}

// dateCloseness says how two development dates compare.
type dateCloseness int

const (
	datesFar      dateCloseness = iota
	datesClose                  // close at the precision both have
	datesSameYear               // one is year-only and the years agree: close only for near-duplicates
)

// maxDayGap is how far apart two day-precise dates may be to be close.
const maxDayGap = 45

// compareDates compares two dates at the precision both have: same or
// adjacent month when the coarser one is month-precise, within maxDayGap
// days when both are day-precise. A year-only date is never close by date
// alone.
func compareDates(a, b sources.Date) dateCloseness {
	pa, pb := precision(a), precision(b)
	switch {
	case pa == 0 || pb == 0:
		return datesFar
	case pa == precYear || pb == precYear:
		if a.Year == b.Year {
			return datesSameYear
		}
		return datesFar
	case pa == precDay && pb == precDay:
		if abs(dayNumber(a)-dayNumber(b)) <= maxDayGap {
			return datesClose
		}
		return datesFar
	default:
		if abs(int64(monthNumber(a)-monthNumber(b))) <= 1 {
			return datesClose
		}
		return datesFar
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// overlaps reports whether two sorted lists share an element.
func overlaps(a, b []string) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// sameSubject reports whether a probe and a development are about the same
// connection: same pair and kind, and each side shares an entity.
func sameSubject(p probe, c candidate) bool {
	return p.Pair == c.Pair && p.Kind == c.Kind && overlaps(p.A, c.A) && overlaps(p.B, c.B)
}

// eventDate is the date a headline event is clustered by: its own, else the
// article's publication day, else the day it was recorded. A headline dated
// only to the year of publication ("this year") is news of the publication
// day: the year alone would cluster with nothing.
func eventDate(ev sources.Event, published, now time.Time) sources.Date {
	switch {
	case precision(ev.Date) == precYear && !published.IsZero() && ev.Date.Year == published.Year():
		return sources.DateOf(published)
	case !ev.Date.IsZero():
		return ev.Date
	case !published.IsZero():
		return sources.DateOf(published)
	default:
		return sources.DateOf(now)
	}
}

// covers reports whether a development covers a background event retold
// by some article: same subject and stage, and a close date or, where one
// of the two is year-only, the same year.
func covers(c candidate, p probe) bool {
	if !sameSubject(p, c) || p.Stage != c.Stage {
		return false
	}
	return compareDates(p.Date, c.Date) != datesFar
}
