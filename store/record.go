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
	"github.com/wallwatch/worker/store/simhash"
)

// unseenBatch is how many URLs one Unseen query asks about (well below
// SQLite's limit on bound parameters).
const unseenBatch = 500

// Unseen returns the urls, in input order and each once, that match no
// stored article's URL or canonical URL.
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
		q := "SELECT key FROM article_keys WHERE key IN (?" + strings.Repeat(",?", len(batch)-1) + ")"
		args := make([]any, len(batch))
		for i, u := range batch {
			args[i] = u
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			seen[k] = true
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

// Record stores an article, its events, the developments its headline
// events report and the outbox rows announcing them, in one transaction.
func (s *Store) Record(ctx context.Context, in RecordInput) (RecordResult, error) {
	if in.Article.URL == "" {
		return RecordResult{}, fmt.Errorf("record: %w: article has no URL", ErrInvalid)
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	// Fingerprints are read back only for articles that report a
	// development: an article without a headline event (most of them) is
	// not fingerprinted.
	var fp uint64
	if slices.ContainsFunc(in.Events, func(e sources.Event) bool { return e.Headline }) {
		fp = simhash.Fingerprint(in.Article.Title + "\n" + in.Article.Text)
	}
	var res RecordResult
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		INSERT INTO articles (url, canonical, source, title, published, published_offset, lang, site_name, simhash, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO NOTHING
		RETURNING id`,
		a.URL, nullString(a.Canonical), in.Source, a.Title, pub, off, a.Lang, a.SiteName, int64(fp), now,
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
			return duplicate(ctx, tx, k)
		}
	}

	res := RecordResult{ArticleID: id}
	var created []int64 // developments created by this article
	var devs []devRef   // development of each headline event, in order
	for seq, ev := range in.Events {
		ev = normalizeEvent(ev)
		var dev sql.NullInt64
		if ev.Headline {
			p := probe{
				Pair: ev.Pair, Kind: ev.Kind, Stage: ev.Stage, A: ev.A, B: ev.B,
				Date: eventDate(ev, a.Published, in.Now), Fingerprint: fp,
			}
			d, err := clusterEvent(ctx, tx, id, p, ev.Evidence, created, now)
			if err != nil {
				return RecordResult{}, err
			}
			if d.created {
				created = append(created, d.id)
				res.NewDevelopments++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_developments (development_id, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, d.id, id); err != nil {
				return RecordResult{}, fmt.Errorf("link article: %w", err)
			}
			res.Developments = append(res.Developments, d.id)
			devs = append(devs, d)
			dev = sql.NullInt64{Int64: d.id, Valid: true}
		}
		if err := insertEvent(ctx, tx, id, seq, ev, dev); err != nil {
			return RecordResult{}, err
		}
	}
	if in.Alert {
		if err := enqueue(ctx, tx, id, devs, now); err != nil {
			return RecordResult{}, err
		}
	}
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

func insertEvent(ctx context.Context, tx *sql.Tx, articleID int64, seq int, ev sources.Event, dev sql.NullInt64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO events (article_id, seq, pair_a, pair_b, entities_a, entities_b, kind, stage, date, headline, evidence, development_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		articleID, seq, ev.Pair.A, ev.Pair.B, jsonList(ev.A), jsonList(ev.B), string(ev.Kind), string(ev.Stage),
		ev.Date.String(), ev.Headline, ev.Evidence, dev,
	)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// devRef is a development a headline event was assigned to.
type devRef struct {
	id      int64
	created bool
	alertID sql.NullInt64 // the alert row that announces it, if any
}

// clusterEvent finds the development a headline event reports, updating
// it, or creates one. exclude lists developments this article created
// already, which are never its "previous".
func clusterEvent(ctx context.Context, tx *sql.Tx, articleID int64, p probe, evidence string, exclude []int64, now int64) (devRef, error) {
	cands, err := loadCandidates(ctx, tx, p, articleID)
	if err != nil {
		return devRef{}, err
	}
	if id := cluster(p, cands); id != 0 {
		i := slices.IndexFunc(cands, func(c candidate) bool { return c.ID == id })
		c := cands[i]
		a, b, date := union(c.A, p.A), union(c.B, p.B), c.Date
		if precision(p.Date) > precision(date) {
			date = p.Date
		}
		var alert sql.NullInt64
		err := tx.QueryRowContext(ctx, `
			UPDATE developments SET entities_a = ?, entities_b = ?, date = ?, date_start = ?, date_prec = ?
			WHERE id = ? RETURNING alert_id`,
			jsonList(a), jsonList(b), date.String(), dayNumber(date), precision(date), id,
		).Scan(&alert)
		if err != nil {
			return devRef{}, fmt.Errorf("update development %d: %w", id, err)
		}
		return devRef{id: id, alertID: alert}, nil
	}

	prevCands, err := loadEarlier(ctx, tx, p, exclude)
	if err != nil {
		return devRef{}, err
	}
	var prev sql.NullInt64
	if id := previous(p, prevCands); id != 0 {
		prev = sql.NullInt64{Int64: id, Valid: true}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO developments (pair_a, pair_b, kind, stage, entities_a, entities_b, date, date_start, date_prec, evidence, previous_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		p.Pair.A, p.Pair.B, string(p.Kind), string(p.Stage), jsonList(p.A), jsonList(p.B),
		p.Date.String(), dayNumber(p.Date), precision(p.Date), evidence, prev, now,
	).Scan(&id)
	if err != nil {
		return devRef{}, fmt.Errorf("insert development: %w", err)
	}
	return devRef{id: id, created: true}, nil
}

const candidateColumns = `id, pair_a, pair_b, kind, stage, entities_a, entities_b, date`

// candidatesQuery reads the developments of one pair and kind whose first
// day lies in a range, and the year-only ones of one year: an index range
// scan, however many developments are stored.
const candidatesQuery = `
	SELECT ` + candidateColumns + ` FROM developments
	WHERE pair_a = ?1 AND pair_b = ?2 AND kind = ?3 AND date_start BETWEEN ?4 AND ?5
	UNION
	SELECT ` + candidateColumns + ` FROM developments
	WHERE pair_a = ?1 AND pair_b = ?2 AND kind = ?3 AND date_start = ?6 AND date_prec = 1`

// earlierQuery reads the latest developments of one pair and kind at
// another stage up to a day, walking the same index backwards.
const earlierQuery = `
	SELECT ` + candidateColumns + ` FROM developments
	WHERE pair_a = ? AND pair_b = ? AND kind = ? AND date_start <= ? AND stage != ?
	  AND id NOT IN (SELECT value FROM json_each(?))
	ORDER BY date_start DESC, id DESC LIMIT ?`

// loadCandidates reads the developments of the probe's pair and kind whose
// date may be close to the probe's, with the fingerprints of their articles
// (other than articleID).
func loadCandidates(ctx context.Context, tx *sql.Tx, p probe, articleID int64) ([]candidate, error) {
	lo, hi, yearStart := candidateRange(p.Date)
	cands, err := queryCandidates(ctx, tx, candidatesQuery, p.Pair.A, p.Pair.B, string(p.Kind), lo, hi, yearStart)
	if err != nil {
		return nil, err
	}
	// Fingerprints matter only where the stage differs or a date is
	// year-only; read them for the candidates of the same subject.
	idx := map[int64]int{}
	var ids []any
	for i, c := range cands {
		if sameSubject(p, c) && (c.Stage != p.Stage || compareDates(p.Date, c.Date) == datesSameYear) {
			idx[c.ID] = i
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return cands, nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT ad.development_id, a.simhash FROM article_developments ad JOIN articles a ON a.id = ad.article_id
		WHERE ad.article_id != ? AND ad.development_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`,
		append([]any{articleID}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("read fingerprints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dev, fp int64
		if err := rows.Scan(&dev, &fp); err != nil {
			return nil, fmt.Errorf("read fingerprints: %w", err)
		}
		c := &cands[idx[dev]]
		c.Fingerprints = append(c.Fingerprints, uint64(fp))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read fingerprints: %w", err)
	}
	return cands, nil
}

// previousScan bounds how many earlier developments of one pair and kind
// are read to find a new development's previous stage.
const previousScan = 64

// loadEarlier reads the latest developments of the probe's pair and kind at
// another stage dated no later than the probe.
func loadEarlier(ctx context.Context, tx *sql.Tx, p probe, exclude []int64) ([]candidate, error) {
	return queryCandidates(ctx, tx, earlierQuery,
		p.Pair.A, p.Pair.B, string(p.Kind), dayNumber(p.Date), string(p.Stage), jsonIDs(exclude), previousScan)
}

func queryCandidates(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]candidate, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var a, b, date string
		if err := rows.Scan(&c.ID, &c.Pair.A, &c.Pair.B, &c.Kind, &c.Stage, &a, &b, &date); err != nil {
			return nil, fmt.Errorf("read developments: %w", err)
		}
		if err := decodeDev(&c.A, &c.B, &c.Date, a, b, date); err != nil {
			return nil, fmt.Errorf("development %d: %w", c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	return out, nil
}

func decodeDev(a, b *[]string, d *sources.Date, ja, jb, date string) error {
	if err := json.Unmarshal([]byte(ja), a); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(jb), b); err != nil {
		return err
	}
	v, err := sources.ParseDate(date)
	*d = v
	return err
}

// enqueue writes the outbox rows for an article recorded with alerts on:
// one alert row for every development it is the first to announce, and a
// reply row for each development already announced by an earlier alert.
func enqueue(ctx context.Context, tx *sql.Tx, articleID int64, devs []devRef, now int64) error {
	var announce []int64
	replied := map[int64]bool{} // parent alert rows already given a reply
	for _, d := range devs {
		switch {
		case !d.alertID.Valid:
			if !slices.Contains(announce, d.id) {
				announce = append(announce, d.id)
			}
		case !replied[d.alertID.Int64]:
			replied[d.alertID.Int64] = true
			_, err := tx.ExecContext(ctx, `
				INSERT INTO outbox (kind, article_id, development_id, parent_id, next_attempt, created_at)
				VALUES ('reply', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				articleID, d.id, d.alertID.Int64, now, now)
			if err != nil {
				return fmt.Errorf("insert reply: %w", err)
			}
		}
	}
	if len(announce) == 0 {
		return nil
	}
	var alertID int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO outbox (kind, article_id, development_id, next_attempt, created_at)
		VALUES ('alert', ?, ?, ?, ?) RETURNING id`,
		articleID, announce[0], now, now).Scan(&alertID)
	if err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	for pos, id := range announce {
		if _, err := tx.ExecContext(ctx, `UPDATE developments SET alert_id = ?, alert_pos = ? WHERE id = ?`, alertID, pos, id); err != nil {
			return fmt.Errorf("link alert: %w", err)
		}
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
