package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wallwatch/worker/sources"
)

// unseenBatch is how many URLs one Unseen query asks about (well below
// SQLite's limit on bound parameters).
const unseenBatch = 500

// Unseen returns the urls, in input order and each once, that match no
// stored article's URL or canonical URL on the article's own site (a
// canonical URL on another site never makes the page it names seen).
func (s *Store) Unseen(ctx context.Context, urls []string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = unseen(ctx, tx, urls)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unseen: %w", err)
	}
	return out, nil
}

func unseen(ctx context.Context, tx *sql.Tx, urls []string) ([]string, error) {
	seen := make(map[string]bool, len(urls))
	for start := 0; start < len(urls); start += unseenBatch {
		batch := urls[start:min(start+unseenBatch, len(urls))]
		q := "SELECT k.key, a.url FROM article_keys k JOIN articles a ON a.id = k.article_id WHERE k.key IN (?" +
			strings.Repeat(",?", len(batch)-1) + ")"
		args := make([]any, len(batch))
		for i, u := range batch {
			args[i] = u
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k, owner string
			if err := rows.Scan(&k, &owner); err != nil {
				rows.Close()
				return nil, err
			}
			if standsFor(k, owner) {
				seen[k] = true
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(urls))
	for _, u := range urls {
		if !seen[u] {
			out = append(out, u)
			seen[u] = true // each URL once
		}
	}
	return out, nil
}

// RecordInput is one parsed article and the events found in it.
type RecordInput struct {
	Source  string
	Article sources.Article
	Events  []sources.Event
	// Alert is false to record the article for the timeline only, with no
	// Slack post (--no-alerts, or an article older than alerts.max_age).
	Alert bool
	Now   time.Time
}

// RecordResult says what Record stored.
type RecordResult struct {
	// ArticleID is the stored article, or for a duplicate the one already
	// stored under its URL or canonical URL.
	ArticleID int64
	// Duplicate is true when the URL or canonical URL was already stored:
	// nothing was written.
	Duplicate bool
	// Developments holds the development of each headline event, in the
	// order of the headline events.
	Developments []int64
	// NewDevelopments is how many of those were created now.
	NewDevelopments int
}

// ErrInvalid is returned for input that cannot be stored.
var ErrInvalid = errors.New("invalid input")

// errDuplicate rolls back a Record whose article is already stored.
var errDuplicate = errors.New("duplicate article")

// Record stores an article, its events, the storylines its headline events
// report, their steps (developments) and the outbox rows announcing them,
// in one transaction. Each storyline reported has its steps not yet posted
// planned again with the new reports (see storylineRules.plan).
func (s *Store) Record(ctx context.Context, in RecordInput) (RecordResult, error) {
	fp, err := prepareRecord(&in)
	if err != nil {
		return RecordResult{}, err
	}
	var res RecordResult
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = record(ctx, tx, in, fp)
		return err
	})
	if errors.Is(err, errDuplicate) {
		return res, nil
	}
	if err != nil {
		return RecordResult{}, fmt.Errorf("record %s: %w", in.Article.URL, err)
	}
	return res, nil
}

func record(ctx context.Context, tx *sql.Tx, in RecordInput, fp uint64) (RecordResult, error) {
	a := in.Article
	now := in.Now.Unix()
	pub, off := publishedColumns(a.Published)
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO articles (url, canonical, source, title, published, published_offset, lang, site_name, simhash, recorded_at, alert)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO NOTHING
		RETURNING id`,
		a.URL, nullString(a.Canonical), in.Source, a.Title, pub, off, a.Lang, a.SiteName, int64(fp), now, in.Alert,
	).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return duplicate(ctx, tx, a.URL)
	}
	if err != nil {
		return RecordResult{}, fmt.Errorf("insert article: %w", err)
	}
	keys := []string{a.URL}
	if a.Canonical != "" && a.Canonical != a.URL {
		keys = append(keys, a.Canonical)
	}
	for _, k := range keys {
		r, err := tx.ExecContext(ctx, `INSERT INTO article_keys (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, k, id)
		if err != nil {
			return RecordResult{}, fmt.Errorf("insert article key: %w", err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return RecordResult{}, fmt.Errorf("insert article key: %w", err)
		} else if n == 0 {
			if taken, err := takeOverClaim(ctx, tx, k, a.URL, id); err != nil {
				return RecordResult{}, err
			} else if !taken {
				return duplicate(ctx, tx, k)
			}
		}
	}

	res := RecordResult{ArticleID: id}
	var touched []int64 // storylines reported, in the order of their first headline event
	for seq, ev := range in.Events {
		ev = normalizeEvent(ev)
		var sl sql.NullInt64
		if ev.Headline {
			p := probe{
				Pair: ev.Pair, Kind: ev.Kind, Stage: ev.Stage, A: ev.A, B: ev.B,
				Date: eventDate(ev, a.Published, in.Now), Fingerprint: fp,
				Undated: a.Published.IsZero() && precision(ev.Date) < precDay,
			}
			sid, err := clusterStoryline(ctx, tx, id, p, now)
			if err != nil {
				return RecordResult{}, err
			}
			sl = sql.NullInt64{Int64: sid, Valid: true}
			if !slices.Contains(touched, sid) {
				touched = append(touched, sid)
			}
		}
		if err := insertEvent(ctx, tx, id, seq, ev, sl); err != nil {
			return RecordResult{}, err
		}
	}
	for _, sid := range touched {
		n, err := replan(ctx, tx, sid, in.Now)
		if err != nil {
			return RecordResult{}, fmt.Errorf("storyline %d: %w", sid, err)
		}
		res.NewDevelopments += n
	}
	if len(touched) == 0 {
		return res, nil // no headline event (most articles): no development
	}
	devs, err := queryIDs(ctx, tx, `SELECT development_id FROM events WHERE article_id = ? AND headline = 1 ORDER BY seq`, id)
	if err != nil {
		return RecordResult{}, fmt.Errorf("read developments: %w", err)
	}
	res.Developments = devs
	return res, nil
}

// duplicate looks up the article already stored under key and ends the
// transaction without writing.
func duplicate(ctx context.Context, tx *sql.Tx, key string) (RecordResult, error) {
	res := RecordResult{Duplicate: true}
	if err := tx.QueryRowContext(ctx, `SELECT article_id FROM article_keys WHERE key = ?`, key).Scan(&res.ArticleID); err != nil {
		return RecordResult{}, fmt.Errorf("find duplicate: %w", err)
	}
	return res, errDuplicate
}

// normalizeEvent gives an event the default pair when it names none and
// sorted, de-duplicated entity lists.
func normalizeEvent(ev sources.Event) sources.Event {
	if ev.Pair == (sources.Pair{}) {
		ev.Pair = sources.DefaultPair
	}
	ev.A = sortedSet(ev.A)
	ev.B = sortedSet(ev.B)
	return ev
}

func sortedSet(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func union(a, b []string) []string { return sortedSet(append(slices.Clone(a), b...)) }

func insertEvent(ctx context.Context, tx *sql.Tx, articleID int64, seq int, ev sources.Event, storyline sql.NullInt64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO events (article_id, seq, pair_a, pair_b, entities_a, entities_b, kind, stage, date, headline, evidence, storyline_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		articleID, seq, ev.Pair.A, ev.Pair.B, jsonList(ev.A), jsonList(ev.B), string(ev.Kind), string(ev.Stage),
		ev.Date.String(), ev.Headline, ev.Evidence, storyline,
	)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

func jsonList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs) // a []string always marshals
	return string(b)
}

func jsonIDs(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids) // an []int64 always marshals
	return string(b)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// publishedColumns stores a publication time as unix seconds and its UTC
// offset, so the day the page states survives the round trip.
func publishedColumns(t time.Time) (any, int) {
	if t.IsZero() {
		return nil, 0
	}
	_, off := t.Zone()
	return t.Unix(), off
}

func publishedTime(sec sql.NullInt64, off int) time.Time {
	if !sec.Valid {
		return time.Time{}
	}
	t := time.Unix(sec.Int64, 0)
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", off))
}

func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func timeOrZero(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}
