package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wallwatch/worker/sources"
)

// SourceState is what the worker remembers about fetching one source.
type SourceState struct {
	Name string
	// Validators holds, per URL (the feed, listing pages), what the server
	// sent to make the next request conditional.
	Validators  map[string]sources.Validators
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string
	// ConsecutiveFailures counts failed runs since the last success.
	ConsecutiveFailures int
	// NextAttempt defers the source (Retry-After or backoff); zero for none.
	NextAttempt time.Time
}

// SourceState returns the stored state of source name, or the zero
// SourceState when none is stored. Times are UTC, to the second.
func (s *Store) SourceState(ctx context.Context, name string) (SourceState, error) {
	var st SourceState
	err := s.read(ctx, func(tx *sql.Tx) error {
		sts, err := sourceStates(ctx, tx, name)
		if err != nil {
			return err
		}
		if len(sts) > 0 {
			st = sts[0]
		}
		return nil
	})
	if err != nil {
		return SourceState{}, fmt.Errorf("source state %s: %w", name, err)
	}
	return st, nil
}

// SourceStates returns the state of every source, by name.
func (s *Store) SourceStates(ctx context.Context) ([]SourceState, error) {
	var sts []SourceState
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		sts, err = sourceStates(ctx, tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	return sts, nil
}

// sourceStates reads the state of source name, or of all sources when name
// is "".
func sourceStates(ctx context.Context, tx *sql.Tx, name string) ([]SourceState, error) {
	const q = `SELECT name, validators, last_attempt, last_success, last_error, consecutive_failures, next_attempt
		FROM source_state`
	var rows *sql.Rows
	var err error
	if name == "" {
		rows, err = tx.QueryContext(ctx, q+` ORDER BY name`)
	} else {
		rows, err = tx.QueryContext(ctx, q+` WHERE name = ?`, name) // the primary key, not a scan
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceState
	for rows.Next() {
		var st SourceState
		var v string
		var la, ls, na sql.NullInt64
		if err := rows.Scan(&st.Name, &v, &la, &ls, &st.LastError, &st.ConsecutiveFailures, &na); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(v), &st.Validators); err != nil {
			return nil, fmt.Errorf("source %s: validators: %w", st.Name, err)
		}
		st.LastAttempt, st.LastSuccess, st.NextAttempt = timeOrZero(la), timeOrZero(ls), timeOrZero(na)
		out = append(out, st)
	}
	return out, rows.Err()
}

// SaveSourceState stores st, replacing what was stored for st.Name.
func (s *Store) SaveSourceState(ctx context.Context, st SourceState) error {
	return s.SaveSourceStates(ctx, []SourceState{st})
}

// SaveSourceStates stores the states of several sources in one
// transaction, each replacing what was stored for its name.
func (s *Store) SaveSourceStates(ctx context.Context, sts []SourceState) error {
	type row struct {
		st         SourceState
		validators string
	}
	rows := make([]row, 0, len(sts))
	for _, st := range sts {
		if st.Name == "" {
			return fmt.Errorf("save source state: %w: empty name", ErrInvalid)
		}
		v := st.Validators
		if v == nil {
			v = map[string]sources.Validators{}
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("save source state %s: %w", st.Name, err)
		}
		rows = append(rows, row{st, string(vb)})
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			st := r.st
			_, err := tx.ExecContext(ctx, `
				INSERT INTO source_state (name, validators, last_attempt, last_success, last_error, consecutive_failures, next_attempt)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET validators = excluded.validators, last_attempt = excluded.last_attempt,
					last_success = excluded.last_success, last_error = excluded.last_error,
					consecutive_failures = excluded.consecutive_failures, next_attempt = excluded.next_attempt`,
				st.Name, r.validators, unixOrNull(st.LastAttempt), unixOrNull(st.LastSuccess), st.LastError,
				st.ConsecutiveFailures, unixOrNull(st.NextAttempt))
			if err != nil {
				return fmt.Errorf("source %s: %w", st.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save source states: %w", err)
	}
	return nil
}

// Stats are counts of what the database holds.
type Stats struct {
	Articles     int
	Events       int
	Developments int
	Pending      int // deliveries still to be posted
}

// Stats counts articles, events, developments and pending deliveries.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM articles), (SELECT count(*) FROM events),
			(SELECT count(*) FROM developments), (SELECT count(*) FROM outbox WHERE state = 'pending')`,
		).Scan(&st.Articles, &st.Events, &st.Developments, &st.Pending)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}
