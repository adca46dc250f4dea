package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wallwatch/worker/sources"
)

// Delivery kinds.
const (
	KindAlert = "alert" // a top-level message announcing developments
	KindReply = "reply" // further coverage, in the thread of an alert
)

// ErrLeaseLost is returned by the Mark methods when the delivery is no
// longer leased to the owner (the lease ran out and another sender took
// it, or it was released).
var ErrLeaseLost = errors.New("delivery lease lost")

// ErrNotReply is returned by MarkSkipped for an alert: alerts are never
// dropped.
var ErrNotReply = errors.New("only replies can be skipped")

// Delivery is one message to post, leased to one sender.
type Delivery struct {
	ID   int64
	Kind string // KindAlert or KindReply
	// Attempts counts earlier attempts; more than 0 means an earlier post
	// may have reached Slack.
	Attempts     int
	FirstAttempt time.Time
	// Unconfirmed counts earlier posts whose outcome is unknown: each may
	// be in the channel. Posts Slack refused for certain are not counted.
	Unconfirmed int
	// Developments holds, for an alert, everything the message announces,
	// the primary development first; for a reply, the development whose
	// thread it joins.
	Developments []Development
	// Article is, for an alert, the featured article: the earliest published
	// (unknown dates last, then the first recorded) among all articles of
	// its developments; for a reply, the article to add to the thread.
	Article ArticleRef
	// ThreadTS and Channel locate a reply's parent message.
	ThreadTS string
	Channel  string
	// Previous is, for an alert of a later step of a storyline, the posted
	// alert of the storyline's first step, whose thread the alert links.
	Previous *PostedRef
	// Was is, for an alert of a later step, the stage of the step before.
	Was sources.Stage
	// Reported is, for a reply, the development as the reply's article
	// reports it (its own stage, platforms, date and sentence); nil when the
	// article holds no event of it.
	Reported *Development
}

// Development is one real-world development, as reported by one or more
// articles.
type Development struct {
	ID       int64
	Pair     sources.Pair
	A, B     []string
	Kind     sources.Kind
	Stage    sources.Stage
	Date     sources.Date
	Evidence string
}

// ArticleRef is what a message says about an article.
type ArticleRef struct {
	ID                                 int64
	URL, Title, Source, SiteName, Lang string
	Published                          time.Time // in the page's own offset; zero when unknown
}

// PostedRef locates a posted alert of a storyline's first step.
type PostedRef struct {
	Channel, TS string
	Stage       sources.Stage // the stage it announced
	Date        sources.Date  // the day it was first reported
}

// Claim leases up to limit due deliveries (next attempt at or before now)
// to owner until now+lease: alerts first, in the order things happened
// (development date, then publication; a later step of a storyline only
// once its earlier steps are posted), then replies whose parent alert has
// been sent, in their articles' publication order. A row
// leased by another owner is passed over until its lease ends, or at once
// when alive reports that owner dead (a nil alive treats every owner as
// alive). Replies whose article the parent alert featured are marked skipped and
// never returned.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int,
	alive func(owner string) bool) ([]Delivery, error) {
	if owner == "" {
		return nil, fmt.Errorf("claim: %w: empty owner", ErrInvalid)
	}
	if limit <= 0 {
		return nil, nil
	}
	var dead []string
	if alive != nil {
		var others []string
		err := s.read(ctx, func(tx *sql.Tx) error {
			var err error
			others, err = leaseHolders(ctx, tx, owner, now)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("claim: %w", err)
		}
		for _, o := range others {
			if !alive(o) {
				dead = append(dead, o)
			}
		}
	}
	var out []Delivery
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = claim(ctx, tx, owner, now, lease, limit, dead)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return out, nil
}

// leaseHolders lists the other owners holding unexpired leases.
func leaseHolders(ctx context.Context, tx *sql.Tx, owner string, now time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT DISTINCT lease_owner FROM outbox
		WHERE state = 'pending' AND lease_owner IS NOT NULL AND lease_owner != ? AND lease_until > ?`,
		owner, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// claimable is the condition on outbox row o for a claim with parameters
// :now, :owner and :dead (a JSON array of dead owners).
const claimable = `o.state = 'pending' AND o.next_attempt <= :now AND (o.lease_owner IS NULL
	OR o.lease_owner = :owner OR o.lease_until <= :now
	OR o.lease_owner IN (SELECT value FROM json_each(:dead)))`

// happenedDay is when development d happened, as a dayNumber: its date
// when day-precise; for a month or year, the day it was first reported,
// kept within that month or year.
const happenedDay = `max(d.date_start, min(d.step_day, CASE d.date_prec
	WHEN 3 THEN d.date_start
	WHEN 2 THEN CAST(strftime('%s', d.date_start * 86400, 'unixepoch', '+1 month', '-1 day') AS INTEGER) / 86400
	WHEN 1 THEN CAST(strftime('%s', d.date_start * 86400, 'unixepoch', '+1 year', '-1 day') AS INTEGER) / 86400
	ELSE d.step_day END))`

// dueAlerts selects claimable alerts in the order things happened: the
// date of the development (see happenedDay), then the publication of the
// article, then the order recorded. An alert of a later step of a storyline waits while an
// earlier step's alert is still to be posted, so that it can link that
// thread.
const dueAlerts = `
	SELECT o.id FROM outbox o JOIN developments d ON d.id = o.development_id JOIN articles a ON a.id = o.article_id
	WHERE o.kind = 'alert' AND ` + claimable + `
	  AND NOT EXISTS (
		SELECT 1 FROM developments x
		JOIN developments e ON e.storyline_id = x.storyline_id AND (e.step_day, e.id) < (x.step_day, x.id)
		JOIN outbox eo ON eo.id = e.alert_id
		WHERE x.alert_id = o.id AND eo.id != o.id AND eo.state = 'pending')
	ORDER BY ` + happenedDay + `, a.published IS NULL, a.published, o.id LIMIT :limit`

func claim(ctx context.Context, tx *sql.Tx, owner string, now time.Time, lease time.Duration, limit int, dead []string) ([]Delivery, error) {
	deadJSON, _ := json.Marshal(append([]string{}, dead...)) // a []string always marshals
	args := []any{sql.Named("now", now.Unix()), sql.Named("owner", owner), sql.Named("dead", string(deadJSON))}

	// A reply for the article its (sent) parent alert featured has nothing
	// to add to the thread.
	if _, err := tx.ExecContext(ctx, `
		UPDATE outbox AS o SET state = 'skipped', last_error = 'article featured in the alert', lease_owner = NULL, lease_until = NULL
		WHERE o.kind = 'reply' AND o.state = 'pending'
		  AND EXISTS (SELECT 1 FROM outbox p WHERE p.id = o.parent_id AND p.state = 'sent' AND p.featured_id = o.article_id)`); err != nil {
		return nil, fmt.Errorf("skip replies of featured articles: %w", err)
	}

	ids, err := queryIDs(ctx, tx, dueAlerts, append(args, sql.Named("limit", limit))...)
	if err != nil {
		return nil, fmt.Errorf("select alerts: %w", err)
	}
	if n := limit - len(ids); n > 0 {
		replies, err := queryIDs(ctx, tx, `
			SELECT o.id FROM outbox o JOIN outbox p ON p.id = o.parent_id JOIN articles a ON a.id = o.article_id
			WHERE o.kind = 'reply' AND p.state = 'sent' AND `+claimable+`
			ORDER BY a.published IS NULL, a.published, a.id, o.id LIMIT :limit`, append(args, sql.Named("limit", n))...)
		if err != nil {
			return nil, fmt.Errorf("select replies: %w", err)
		}
		ids = append(ids, replies...)
	}

	until := now.Add(lease)
	untilSec := until.Unix()
	if until.Nanosecond() > 0 {
		untilSec++ // whole seconds, never shorter than asked
	}
	out := make([]Delivery, 0, len(ids))
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?`,
			owner, untilSec, id); err != nil {
			return nil, fmt.Errorf("lease delivery %d: %w", id, err)
		}
		d, err := delivery(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("delivery %d: %w", id, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func queryIDs(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// delivery reads what a sender needs to post outbox row id. For an alert
// not yet attempted it also fixes the featured article, so that replies know
// which article the message showed.
func delivery(ctx context.Context, tx *sql.Tx, id int64) (Delivery, error) {
	d := Delivery{ID: id}
	var articleID, devID int64
	var parent, featured, first sql.NullInt64
	err := tx.QueryRowContext(ctx, `
		SELECT kind, attempts, unconfirmed, first_attempt, article_id, development_id, parent_id, featured_id FROM outbox WHERE id = ?`, id,
	).Scan(&d.Kind, &d.Attempts, &d.Unconfirmed, &first, &articleID, &devID, &parent, &featured)
	if err != nil {
		return Delivery{}, err
	}
	d.FirstAttempt = timeOrZero(first)

	if d.Kind == KindReply {
		dev, err := readDevelopment(ctx, tx, devID)
		if err != nil {
			return Delivery{}, err
		}
		d.Developments = []Development{dev}
		var ch, ts sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT channel, ts FROM outbox WHERE id = ?`, parent.Int64).Scan(&ch, &ts); err != nil {
			return Delivery{}, fmt.Errorf("read parent %d: %w", parent.Int64, err)
		}
		d.Channel, d.ThreadTS = ch.String, ts.String
		if d.Article, err = readArticle(ctx, tx, articleID); err != nil {
			return Delivery{}, err
		}
		if d.Reported, err = readReported(ctx, tx, articleID, devID); err != nil {
			return Delivery{}, err
		}
		return d, nil
	}

	rows, err := tx.QueryContext(ctx, `SELECT id FROM developments WHERE alert_id = ? ORDER BY alert_pos, id`, id)
	if err != nil {
		return Delivery{}, err
	}
	var devIDs []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return Delivery{}, err
		}
		devIDs = append(devIDs, x)
	}
	if err := rows.Close(); err != nil {
		return Delivery{}, err
	}
	for _, x := range devIDs {
		dev, err := readDevelopment(ctx, tx, x)
		if err != nil {
			return Delivery{}, err
		}
		d.Developments = append(d.Developments, dev)
	}

	if d.Attempts == 0 || !featured.Valid {
		// The earliest published article of all the alert's developments.
		err := tx.QueryRowContext(ctx, `
			SELECT a.id FROM articles a
			WHERE a.id IN (SELECT ad.article_id FROM article_developments ad JOIN developments v ON v.id = ad.development_id
			               WHERE v.alert_id = ?)
			ORDER BY a.published IS NULL, a.published, a.id LIMIT 1`, id).Scan(&featured)
		if err != nil {
			return Delivery{}, fmt.Errorf("find featured article: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET featured_id = ? WHERE id = ?`, featured.Int64, id); err != nil {
			return Delivery{}, fmt.Errorf("store featured article: %w", err)
		}
	}
	if d.Article, err = readArticle(ctx, tx, featured.Int64); err != nil {
		return Delivery{}, err
	}
	// The evidence quoted is the featured article's own sentence, where it
	// reports the development, so the quote matches the headline linked.
	for i := range d.Developments {
		var ev string
		err := tx.QueryRowContext(ctx, `SELECT evidence FROM events WHERE article_id = ? AND development_id = ? ORDER BY seq LIMIT 1`,
			featured.Int64, d.Developments[i].ID).Scan(&ev)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return Delivery{}, fmt.Errorf("read evidence: %w", err)
		case ev != "":
			d.Developments[i].Evidence = ev
		}
	}

	if d.Previous, d.Was, err = earlierSteps(ctx, tx, devID); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// earlierSteps reads, for a development that is a later step of its
// storyline, the posted alert of the storyline's first step and the stage
// of the step before it.
func earlierSteps(ctx context.Context, tx *sql.Tx, devID int64) (*PostedRef, sources.Stage, error) {
	var was sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT p.stage FROM developments d JOIN developments p ON p.id = d.previous_id WHERE d.id = ?`,
		devID).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("read previous step: %w", err)
	}
	var p PostedRef
	var day int64
	err = tx.QueryRowContext(ctx, `
		SELECT f.channel, f.ts, f.stage, f.step_day FROM developments d
		JOIN developments f ON f.storyline_id = d.storyline_id AND (f.step_day, f.id) < (d.step_day, d.id)
		WHERE d.id = ? AND f.ts IS NOT NULL AND f.ts != ''
		ORDER BY f.step_day, f.id LIMIT 1`, devID).Scan(&p.Channel, &p.TS, &p.Stage, &day)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, sources.Stage(was.String), nil
	case err != nil:
		return nil, "", fmt.Errorf("read first step: %w", err)
	}
	p.Date = sources.DateOf(time.Unix(day*86400, 0).UTC())
	return &p, sources.Stage(was.String), nil
}

func readDevelopment(ctx context.Context, tx *sql.Tx, id int64) (Development, error) {
	d := Development{ID: id}
	var a, b, date string
	err := tx.QueryRowContext(ctx, `
		SELECT pair_a, pair_b, kind, stage, entities_a, entities_b, date, evidence FROM developments WHERE id = ?`, id,
	).Scan(&d.Pair.A, &d.Pair.B, &d.Kind, &d.Stage, &a, &b, &date, &d.Evidence)
	if err != nil {
		return Development{}, fmt.Errorf("read development %d: %w", id, err)
	}
	if err := decodeDev(&d.A, &d.B, &d.Date, a, b, date); err != nil {
		return Development{}, fmt.Errorf("read development %d: %w", id, err)
	}
	return d, nil
}

// readReported is the first event of article that reports development id,
// as a Development; nil when there is none.
func readReported(ctx context.Context, tx *sql.Tx, article, id int64) (*Development, error) {
	d := Development{ID: id}
	var a, b, date string
	err := tx.QueryRowContext(ctx, `
		SELECT pair_a, pair_b, kind, stage, entities_a, entities_b, date, evidence FROM events
		WHERE article_id = ? AND development_id = ? ORDER BY seq LIMIT 1`, article, id,
	).Scan(&d.Pair.A, &d.Pair.B, &d.Kind, &d.Stage, &a, &b, &date, &d.Evidence)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read event of article %d: %w", article, err)
	}
	if err := decodeDev(&d.A, &d.B, &d.Date, a, b, date); err != nil {
		return nil, fmt.Errorf("read event of article %d: %w", article, err)
	}
	return &d, nil
}

func readArticle(ctx context.Context, tx *sql.Tx, id int64) (ArticleRef, error) {
	r := ArticleRef{ID: id}
	var pub sql.NullInt64
	var off int
	err := tx.QueryRowContext(ctx, `
		SELECT url, title, source, site_name, lang, published, published_offset FROM articles WHERE id = ?`, id,
	).Scan(&r.URL, &r.Title, &r.Source, &r.SiteName, &r.Lang, &pub, &off)
	if err != nil {
		return ArticleRef{}, fmt.Errorf("read article %d: %w", id, err)
	}
	r.Published = publishedTime(pub, off)
	return r, nil
}

// mark runs an update of delivery id that requires the row to be pending
// and leased to owner, and returns the row's kind.
func mark(ctx context.Context, tx *sql.Tx, id int64, owner, set string, args ...any) (string, error) {
	var kind string
	err := tx.QueryRowContext(ctx, `UPDATE outbox SET `+set+`
		WHERE id = :id AND lease_owner = :owner AND state = 'pending' RETURNING kind`,
		append(args, sql.Named("id", id), sql.Named("owner", owner))...).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrLeaseLost
	}
	return kind, err
}

// MarkAttempt records, before posting, that owner is about to post
// delivery id: from then on a retry knows the post may have reached Slack
// (it counts as unconfirmed until MarkRefused or MarkSent).
func (s *Store) MarkAttempt(ctx context.Context, id int64, owner string, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := mark(ctx, tx, id, owner,
			`attempts = attempts + 1, unconfirmed = unconfirmed + 1, first_attempt = COALESCE(first_attempt, :now), last_attempt = :now`,
			sql.Named("now", now.Unix()))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark attempt of delivery %d: %w", id, err)
	}
	return nil
}

// MarkRefused records that the post MarkAttempt announced was refused for
// certain (a rate limit, a 4xx, a connection never made): it is not in the
// channel, so it no longer counts as unconfirmed.
func (s *Store) MarkRefused(ctx context.Context, id int64, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := mark(ctx, tx, id, owner, `unconfirmed = MAX(unconfirmed - 1, 0)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark attempt of delivery %d refused: %w", id, err)
	}
	return nil
}

// MarkSent records that delivery id was posted as message ts in channel.
// For an alert, every development it announces remembers channel and ts,
// and the article that recorded the alert, when it was not the featured one, gets a
// reply of its own.
func (s *Store) MarkSent(ctx context.Context, id int64, owner, channel, ts string, now time.Time) error {
	return s.MarkSentVia(ctx, id, owner, "", channel, ts, now)
}

// MarkSentVia is MarkSent that also records the notifier that delivered
// the message ("slack", "webhook", "stdout").
func (s *Store) MarkSentVia(ctx context.Context, id int64, owner, via, channel, ts string, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		kind, err := mark(ctx, tx, id, owner,
			`state = 'sent', via = :via, channel = :channel, ts = :ts, sent_at = :now, last_error = '', lease_owner = NULL, lease_until = NULL`,
			sql.Named("via", nullString(via)), sql.Named("channel", channel), sql.Named("ts", ts), sql.Named("now", now.Unix()))
		if err != nil || kind != KindAlert {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE developments SET channel = ?, ts = ? WHERE alert_id = ?`, channel, ts, id); err != nil {
			return fmt.Errorf("update developments: %w", err)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO outbox (kind, article_id, development_id, parent_id, next_attempt, created_at)
			SELECT 'reply', article_id, development_id, id, :now, :now FROM outbox
			WHERE id = :id AND featured_id IS NOT NULL AND featured_id != article_id
			ON CONFLICT DO NOTHING`, sql.Named("id", id), sql.Named("now", now.Unix()))
		if err != nil {
			return fmt.Errorf("insert reply for recording article: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark delivery %d sent: %w", id, err)
	}
	return nil
}

// MarkRetry gives delivery id back, to be claimed again at next; reason is
// kept as its last error.
func (s *Store) MarkRetry(ctx context.Context, id int64, owner, reason string, next time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := mark(ctx, tx, id, owner,
			`next_attempt = :next, last_error = :reason, lease_owner = NULL, lease_until = NULL`,
			sql.Named("next", next.Unix()), sql.Named("reason", reason))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark delivery %d for retry: %w", id, err)
	}
	return nil
}

// MarkSkipped records that reply id will not be posted (a webhook has no
// threads). Alerts cannot be skipped.
func (s *Store) MarkSkipped(ctx context.Context, id int64, owner, reason string) error {
	return s.MarkSkippedVia(ctx, id, owner, "", reason)
}

// MarkSkippedVia is MarkSkipped that also records the notifier that could
// not post the reply.
func (s *Store) MarkSkippedVia(ctx context.Context, id int64, owner, via, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM outbox WHERE id = ?`, id).Scan(&kind); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrLeaseLost
			}
			return err
		}
		if kind != KindReply {
			return ErrNotReply
		}
		_, err := mark(ctx, tx, id, owner,
			`state = 'skipped', via = :via, last_error = :reason, lease_owner = NULL, lease_until = NULL`,
			sql.Named("via", nullString(via)), sql.Named("reason", reason))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark delivery %d skipped: %w", id, err)
	}
	return nil
}

// Release drops owner's leases on pending deliveries, so another sender
// can take them at once (on shutdown).
func (s *Store) Release(ctx context.Context, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_owner = NULL, lease_until = NULL
			WHERE lease_owner = ? AND state = 'pending'`, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release leases of %s: %w", owner, err)
	}
	return nil
}

// PendingCount returns how many deliveries are still to be posted.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = 'pending'`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("pending count: %w", err)
	}
	return n, nil
}

// RetryNow makes every pending delivery that waits for a later retry due at
// now, except those leased by a sender: a manual run retries what earlier
// runs left, instead of waiting out their backoff. It returns how many rows
// it changed.
func (s *Store) RetryNow(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE outbox SET next_attempt = ?
			WHERE state = 'pending' AND next_attempt > ? AND (lease_owner IS NULL OR lease_until <= ?)`,
			now.Unix(), now.Unix(), now.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("retry now: %w", err)
	}
	return int(n), nil
}
