package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/wallwatch/worker/sources"
)

// TimelineEntry is one line of the stored history: a development, or a
// background event that no development covers.
type TimelineEntry struct {
	Date     sources.Date
	Pair     sources.Pair
	A, B     []string
	Kind     sources.Kind
	Stage    sources.Stage
	Headline bool
	// DevelopmentID is the development of a headline entry, 0 for
	// background.
	DevelopmentID int64
	// Alerted is true when the development's alert has been posted.
	Alerted bool
	// Title, URL, Source and Published describe the first article that
	// reported it (earliest published, unknown dates last).
	Title, URL, Source string
	Published          time.Time
	Evidence           string
	// Articles counts the articles that reported it.
	Articles int
}

// Timeline returns the stored history, oldest first (entries without a
// date last): one entry per development, with how many articles reported
// it, and one per distinct background event (pair, kind, stage, entities,
// date) that no development covers, that is, none of the same subject and
// stage at a close date (or in the same year, where a date is year-only). A non-zero since keeps the entries whose date
// reaches since or later, dropping undated ones.
func (s *Store) Timeline(ctx context.Context, since time.Time) ([]TimelineEntry, error) {
	var out []TimelineEntry
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = timeline(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if !since.IsZero() {
		from := dayNumber(sources.DateOf(since))
		kept := out[:0]
		for _, e := range out {
			if !e.Date.IsZero() && lastDay(e.Date) >= from {
				kept = append(kept, e)
			}
		}
		out = kept
	}
	return out, nil
}

// lastDay is the last day of d, as a dayNumber.
func lastDay(d sources.Date) int64 {
	switch precision(d) {
	case precYear:
		return dayNumber(sources.Date{Year: d.Year + 1}) - 1
	case precMonth:
		next := sources.Date{Year: d.Year, Month: d.Month + 1}
		if d.Month == 12 {
			next = sources.Date{Year: d.Year + 1, Month: 1}
		}
		return dayNumber(next) - 1
	default:
		return dayNumber(d)
	}
}

func timeline(ctx context.Context, tx *sql.Tx) ([]TimelineEntry, error) {
	var out []TimelineEntry
	bySubject := map[subjectKey][]candidate{}

	rows, err := tx.QueryContext(ctx, `
		SELECT d.id, d.pair_a, d.pair_b, d.kind, d.stage, d.entities_a, d.entities_b, d.date, d.evidence,
		       COALESCE((SELECT CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END FROM outbox o WHERE o.id = d.alert_id), 0),
		       (SELECT count(*) FROM article_developments x WHERE x.development_id = d.id),
		       a.title, a.url, a.source, a.published, a.published_offset
		FROM developments d
		JOIN articles a ON a.id = (
			SELECT ad.article_id FROM article_developments ad JOIN articles f ON f.id = ad.article_id
			WHERE ad.development_id = d.id ORDER BY f.published IS NULL, f.published, f.id LIMIT 1)`)
	if err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := TimelineEntry{Headline: true}
		var a, b, date string
		var pub sql.NullInt64
		var off int
		if err := rows.Scan(&e.DevelopmentID, &e.Pair.A, &e.Pair.B, &e.Kind, &e.Stage, &a, &b, &date, &e.Evidence,
			&e.Alerted, &e.Articles, &e.Title, &e.URL, &e.Source, &pub, &off); err != nil {
			return nil, fmt.Errorf("read developments: %w", err)
		}
		if err := decodeDev(&e.A, &e.B, &e.Date, a, b, date); err != nil {
			return nil, fmt.Errorf("development %d: %w", e.DevelopmentID, err)
		}
		e.Published = publishedTime(pub, off)
		out = append(out, e)
		k := subjectKey{e.Pair, e.Kind}
		bySubject[k] = append(bySubject[k], candidate{ID: e.DevelopmentID, Pair: e.Pair, Kind: e.Kind, Stage: e.Stage, A: e.A, B: e.B, Date: e.Date})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	rows.Close()
	if err := addReportedKinds(ctx, tx, bySubject); err != nil {
		return nil, err
	}

	bg, err := background(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, e := range bg {
		p := probe{Pair: e.Pair, Kind: e.Kind, Stage: e.Stage, A: e.A, B: e.B, Date: e.Date}
		covered := false
		for _, c := range bySubject[subjectKey{e.Pair, e.Kind}] {
			if covers(c, p) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, e)
		}
	}

	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Date.IsZero() != b.Date.IsZero() {
			return !a.Date.IsZero()
		}
		if da, db := dayNumber(a.Date), dayNumber(b.Date); da != db {
			return da < db
		}
		if pa, pb := precision(a.Date), precision(b.Date); pa != pb {
			return pa < pb // a whole year or month before the days in it
		}
		if a.Headline != b.Headline {
			return a.Headline
		}
		return a.Published.Before(b.Published)
	})
	return out, nil
}

type subjectKey struct {
	Pair sources.Pair
	Kind sources.Kind
}

// background reads the distinct background events, each with the first
// article (earliest published) that retold it and how many did.
func background(ctx context.Context, tx *sql.Tx) ([]TimelineEntry, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT e.pair_a, e.pair_b, e.kind, e.stage, e.entities_a, e.entities_b, e.date, e.evidence,
		       a.id, a.title, a.url, a.source, a.published, a.published_offset
		FROM events e JOIN articles a ON a.id = e.article_id
		WHERE e.headline = 0
		ORDER BY a.published IS NULL, a.published, a.id, e.seq`)
	if err != nil {
		return nil, fmt.Errorf("read background events: %w", err)
	}
	defer rows.Close()
	type key struct{ pairA, pairB, kind, stage, a, b, date string }
	index := map[key]int{}
	seen := map[key]map[int64]bool{}
	var out []TimelineEntry
	for rows.Next() {
		var k key
		var e TimelineEntry
		var articleID int64
		var pub sql.NullInt64
		var off int
		if err := rows.Scan(&k.pairA, &k.pairB, &k.kind, &k.stage, &k.a, &k.b, &k.date, &e.Evidence,
			&articleID, &e.Title, &e.URL, &e.Source, &pub, &off); err != nil {
			return nil, fmt.Errorf("read background events: %w", err)
		}
		if i, ok := index[k]; ok {
			if !seen[k][articleID] {
				seen[k][articleID] = true
				out[i].Articles++
			}
			continue
		}
		e.Pair = sources.Pair{A: k.pairA, B: k.pairB}
		e.Kind, e.Stage = sources.Kind(k.kind), sources.Stage(k.stage)
		if err := decodeDev(&e.A, &e.B, &e.Date, k.a, k.b, k.date); err != nil {
			return nil, fmt.Errorf("background event of article %d: %w", articleID, err)
		}
		e.Published = publishedTime(pub, off)
		e.Articles = 1
		index[k] = len(out)
		seen[k] = map[int64]bool{articleID: true}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read background events: %w", err)
	}
	return out, nil
}

// addReportedKinds makes each development a candidate too for the other
// kinds and stages its headline events read (a mini program reported with
// its payments is one development), so that history retold of those is
// its history.
func addReportedKinds(ctx context.Context, tx *sql.Tx, bySubject map[subjectKey][]candidate) error {
	byID := map[int64]candidate{}
	for _, cs := range bySubject {
		for _, c := range cs {
			byID[c.ID] = c
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT e.development_id, e.kind, e.stage FROM events e JOIN developments d ON d.id = e.development_id
		WHERE e.headline = 1 AND (e.kind != d.kind OR e.stage != d.stage)`)
	if err != nil {
		return fmt.Errorf("read reported kinds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind sources.Kind
		var stage sources.Stage
		if err := rows.Scan(&id, &kind, &stage); err != nil {
			return fmt.Errorf("read reported kinds: %w", err)
		}
		c, ok := byID[id]
		if !ok {
			continue
		}
		c.Kind, c.Stage = kind, stage
		k := subjectKey{c.Pair, kind}
		bySubject[k] = append(bySubject[k], c)
	}
	return rows.Err()
}
