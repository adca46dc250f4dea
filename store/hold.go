package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// holdKey is the meta key under which a notifier's rate-limit hold is kept.
func holdKey(notifier string) string { return "delivery_hold:" + notifier }

// HoldDeliveries records that nothing may be posted through notifier before
// until (a Retry-After Slack asked for), so that the rest of the run and the
// next process keep to it. An earlier hold is only ever extended.
func (s *Store) HoldDeliveries(ctx context.Context, notifier string, until time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO meta (key, value) VALUES (?1, ?2)
			ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
			holdKey(notifier), strconv.FormatInt(until.Unix(), 10))
		return err
	})
	if err != nil {
		return fmt.Errorf("hold deliveries through %s: %w", notifier, err)
	}
	return nil
}

// DeliveryHold returns the time before which nothing may be posted through
// notifier; zero when there is no hold.
func (s *Store) DeliveryHold(ctx context.Context, notifier string) (time.Time, error) {
	var v string
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, holdKey(notifier)).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("delivery hold of %s: %w", notifier, err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("delivery hold of %s: %q: %w", notifier, v, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// OutboxState is what the outbox holds, for health and metrics.
type OutboxState struct {
	Pending int // messages still to be posted
	// Due is how many of them could be claimed at the time asked about.
	Due int
	// OldestPending is when the oldest pending message was queued; zero
	// when none is pending.
	OldestPending time.Time
}

// Outbox reports the pending messages and how many are due at now.
func (s *Store) Outbox(ctx context.Context, now time.Time) (OutboxState, error) {
	var st OutboxState
	var oldest sql.NullInt64
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT count(*), count(*) FILTER (WHERE next_attempt <= ?1
				AND (kind = 'alert' OR EXISTS (SELECT 1 FROM outbox p WHERE p.id = o.parent_id AND p.state = 'sent'))),
				min(created_at)
			FROM outbox o WHERE state = 'pending'`, now.Unix()).Scan(&st.Pending, &st.Due, &oldest)
	})
	if err != nil {
		return OutboxState{}, fmt.Errorf("outbox state: %w", err)
	}
	st.OldestPending = timeOrZero(oldest)
	return st, nil
}

// Printed is the notifier name of standard output.
const Printed = "stdout"

// RequeuePrinted makes the alerts that were only printed to standard output
// (and queued at or after since; zero for all) pending again, with the
// thread replies standard output could not post, so that a Slack notifier
// delivers them: a database that began without Slack catches up. It returns
// how many alerts and replies it queued.
func (s *Store) RequeuePrinted(ctx context.Context, since, now time.Time) (alerts, replies int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		args := []any{sql.Named("via", Printed), sql.Named("since", unixOrZero(since)), sql.Named("now", now.Unix())}
		if _, err := tx.ExecContext(ctx, `
			UPDATE developments SET channel = NULL, ts = NULL WHERE alert_id IN (
				SELECT id FROM outbox WHERE kind = 'alert' AND state = 'sent' AND via = :via AND created_at >= :since)`,
			args...); err != nil {
			return fmt.Errorf("developments: %w", err)
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'pending', via = NULL, attempts = 0, unconfirmed = 0, first_attempt = NULL, last_attempt = NULL,
				next_attempt = :now, channel = NULL, ts = NULL, sent_at = NULL, last_error = '', lease_owner = NULL, lease_until = NULL
			WHERE kind = 'alert' AND state = 'sent' AND via = :via AND created_at >= :since`, args...)
		if err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		n, _ := res.RowsAffected()
		alerts = int(n)
		res, err = tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'pending', via = NULL, next_attempt = :now, last_error = '', lease_owner = NULL, lease_until = NULL
			WHERE kind = 'reply' AND state = 'skipped' AND via = :via
			  AND parent_id IN (SELECT id FROM outbox WHERE kind = 'alert' AND state = 'pending')`, args...)
		if err != nil {
			return fmt.Errorf("replies: %w", err)
		}
		n, _ = res.RowsAffected()
		replies = int(n)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("requeue printed alerts: %w", err)
	}
	return alerts, replies, nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
