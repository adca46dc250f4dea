package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimSource leases source name to owner until now+lease, and reports
// whether it did: when nobody holds it, when owner already does (the lease
// is renewed), when the holder's lease has ended, or when alive says its
// holder is gone. On PostgreSQL the row is locked FOR UPDATE SKIP LOCKED
// beside the writers, so a replica never waits for another's claim: a row
// being claimed is someone else's.
func (s *Store) ClaimSource(ctx context.Context, name, owner string, now time.Time, lease time.Duration,
	alive func(owner string) bool) (bool, error) {
	got := false
	err := s.leaseTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO source_leases (name, owner, lease_until) VALUES (?, '', 0)
			ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		q := `SELECT owner, lease_until FROM source_leases WHERE name = ?`
		if s.postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		var holder string
		var until int64
		switch err := tx.QueryRowContext(ctx, q, name).Scan(&holder, &until); {
		case errors.Is(err, sql.ErrNoRows):
			return nil // another process is claiming it right now
		case err != nil:
			return err
		}
		if holder != "" && holder != owner && until > now.Unix() && (alive == nil || alive(holder)) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE source_leases SET owner = ?, lease_until = ? WHERE name = ?`,
			owner, now.Add(lease).Unix(), name); err != nil {
			return err
		}
		got = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("claim source %s: %w", name, err)
	}
	return got, nil
}

// ReleaseSource ends owner's lease of source name, if it holds it.
func (s *Store) ReleaseSource(ctx context.Context, name, owner string) error {
	err := s.leaseTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE source_leases SET owner = '', lease_until = 0 WHERE name = ? AND owner = ?`, name, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release source %s: %w", name, err)
	}
	return nil
}

// SourceLease is who holds source name's lease and until when; "" when
// nobody does.
func (s *Store) SourceLease(ctx context.Context, name string) (owner string, until time.Time, err error) {
	var u int64
	err = s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT owner, lease_until FROM source_leases WHERE name = ?`, name).Scan(&owner, &u)
	})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner == "") {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("source lease %s: %w", name, err)
	}
	return owner, time.Unix(u, 0), nil
}

// leaseTx runs fn in a transaction for the lease table: on SQLite an
// immediate one like every write; on PostgreSQL a READ COMMITTED one that
// does not take the write lock, its rows locked one by one.
func (s *Store) leaseTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
