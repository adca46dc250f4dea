package store

// This file is the operator's view of developments: listing them with
// their alert, muting a development, a source or a kind, and sending one's
// alert again.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wallwatch/worker/sources"
)

// Mute kinds.
const (
	MuteDevelopment = "development"
	MuteSource      = "source"
	MuteKind        = "kind"
)

// ErrNotFound is returned for a development that does not exist.
var ErrNotFound = errors.New("not found")

// DevelopmentAlert is one development as the operator sees it.
type DevelopmentAlert struct {
	Development
	State       string // its alert's state: pending, sent, skipped; "" with no alert (covered by another step)
	Channel, TS string // where its alert was posted
	Articles    int
	Source      string // the source of its first article
	Muted       string // why it is muted ("development 4", "source wire", "kind payment"), "" when it is not
	Published   time.Time
}

// DevelopmentAlerts lists every development, oldest first.
func (s *Store) DevelopmentAlerts(ctx context.Context) ([]DevelopmentAlert, error) {
	var out []DevelopmentAlert
	err := s.read(ctx, func(tx *sql.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM developments ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			d, err := developmentAlert(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list developments: %w", err)
	}
	return out, nil
}

// DevelopmentAlertByID is one development; ErrNotFound when there is none.
func (s *Store) DevelopmentAlertByID(ctx context.Context, id int64) (DevelopmentAlert, error) {
	var d DevelopmentAlert
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = developmentAlert(ctx, tx, id)
		return err
	})
	if err != nil {
		return DevelopmentAlert{}, fmt.Errorf("development %d: %w", id, err)
	}
	return d, nil
}

func developmentAlert(ctx context.Context, tx *sql.Tx, id int64) (DevelopmentAlert, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM developments WHERE id = ?`, id).Scan(&n); err != nil {
		return DevelopmentAlert{}, err
	}
	if n == 0 {
		return DevelopmentAlert{}, ErrNotFound
	}
	dev, err := readDevelopment(ctx, tx, id)
	if err != nil {
		return DevelopmentAlert{}, err
	}
	d := DevelopmentAlert{Development: dev}
	var state, ch, ts, src sql.NullString
	var pub sql.NullInt64
	var off sql.NullInt64
	err = tx.QueryRowContext(ctx, `
		SELECT o.state, COALESCE(o.channel, v.channel), COALESCE(o.ts, v.ts),
		       (SELECT count(*) FROM article_developments ad WHERE ad.development_id = v.id),
		       (SELECT a.source FROM article_developments ad JOIN articles a ON a.id = ad.article_id
		        WHERE ad.development_id = v.id ORDER BY a.published IS NULL, a.published, a.id LIMIT 1),
		       (SELECT a.published FROM article_developments ad JOIN articles a ON a.id = ad.article_id
		        WHERE ad.development_id = v.id ORDER BY a.published IS NULL, a.published, a.id LIMIT 1),
		       (SELECT a.published_offset FROM article_developments ad JOIN articles a ON a.id = ad.article_id
		        WHERE ad.development_id = v.id ORDER BY a.published IS NULL, a.published, a.id LIMIT 1)
		FROM developments v LEFT JOIN outbox o ON o.id = v.alert_id WHERE v.id = ?`, id,
	).Scan(&state, &ch, &ts, &d.Articles, &src, &pub, &off)
	if err != nil {
		return DevelopmentAlert{}, err
	}
	d.State, d.Channel, d.TS, d.Source = state.String, ch.String, ts.String, src.String
	d.Published = publishedTime(pub, int(off.Int64))
	if d.Muted, err = mutedBy(ctx, tx, id, d.Source, d.Kind); err != nil {
		return DevelopmentAlert{}, err
	}
	return d, nil
}

// mutedBy says why a development of source and kind is muted, "" when it
// is not.
func mutedBy(ctx context.Context, tx *sql.Tx, id int64, source string, kind sources.Kind) (string, error) {
	var what, value string
	err := tx.QueryRowContext(ctx, `
		SELECT what, value FROM mutes
		WHERE (what = 'development' AND value = :id) OR (what = 'source' AND value = :source) OR (what = 'kind' AND value = :kind)
		ORDER BY what LIMIT 1`, sql.Named("id", fmt.Sprint(id)), sql.Named("source", source), sql.Named("kind", string(kind)),
	).Scan(&what, &value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read mutes: %w", err)
	}
	return what + " " + value, nil
}

// Unmute lifts a mute; it reports whether there was one. What was set
// aside while it held stays set aside (Resend posts it).
func (s *Store) Unmute(ctx context.Context, what, value string) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mutes WHERE what = ? AND value = ?`, what, value)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("unmute %s %s: %w", what, value, err)
	}
	return n > 0, nil
}

// Mute mutes a development (value its id), a source (its name) or a kind
// from now on: what is still to be posted for it is set aside when a sender
// claims it. Muting twice is no error.
func (s *Store) Mute(ctx context.Context, what, value string, now time.Time) error {
	switch what {
	case MuteDevelopment, MuteSource, MuteKind:
	default:
		return fmt.Errorf("%w: mute %q: want development, source or kind", ErrInvalid, what)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if what == MuteDevelopment {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM developments WHERE CAST(id AS TEXT) = ?`, value).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("development %s: %w", value, ErrNotFound)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO mutes (what, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			what, value, now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("mute %s %s: %w", what, value, err)
	}
	return nil
}

// DeliveryMuted says why claimed delivery id is muted (its development, the
// source of its development's first article, or its kind), "" when it is
// not. A reply is muted with the development whose thread it joins.
func (s *Store) DeliveryMuted(ctx context.Context, id int64) (string, error) {
	var why string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var dev int64
		if err := tx.QueryRowContext(ctx, `SELECT development_id FROM outbox WHERE id = ?`, id).Scan(&dev); err != nil {
			return err
		}
		d, err := developmentAlert(ctx, tx, dev)
		if err != nil {
			return err
		}
		why = d.Muted
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("delivery %d: %w", id, err)
	}
	return why, nil
}

// MarkMuted sets delivery id, leased to owner, aside unposted because it is
// muted; reason is kept as its last error.
func (s *Store) MarkMuted(ctx context.Context, id int64, owner, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := mark(ctx, tx, id, owner, `state = 'skipped', last_error = :reason, lease_owner = NULL, lease_until = NULL`,
			sql.Named("reason", "muted: "+reason))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark delivery %d muted: %w", id, err)
	}
	return nil
}

// Resend queues development id's alert to be posted again now, as a new
// message: the next delivery posts it whatever earlier posts did. It
// returns ErrNotFound for a development without an alert of its own.
func (s *Store) Resend(ctx context.Context, id int64, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'pending', attempts = 0, unconfirmed = 0, first_attempt = NULL, last_attempt = NULL,
			       next_attempt = :now, lease_owner = NULL, lease_until = NULL, last_error = ''
			WHERE id = (SELECT alert_id FROM developments WHERE id = :id) AND kind = 'alert'`,
			sql.Named("id", id), sql.Named("now", now.Unix()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("resend development %d: %w", id, err)
	}
	return nil
}
