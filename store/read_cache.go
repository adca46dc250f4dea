package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// HistoryReader reads History snapshots and keeps the last one until the
// database changes, so the views of a busy timeline read the database once
// per change rather than once per request. It is safe for concurrent use.
type HistoryReader struct {
	s *Store

	mu      sync.Mutex
	conn    *sql.Conn // one pinned read connection: data_version is per connection
	version string
	last    *History
}

// NewHistoryReader returns a reader of st's history. Close releases its
// connection.
func (s *Store) NewHistoryReader() *HistoryReader { return &HistoryReader{s: s} }

// Read returns the current snapshot: the one it returned before when no
// connection has committed to the database since (SQLite's data_version,
// which every commit by another connection or process changes; on
// PostgreSQL the position in its write-ahead log, which every commit
// moves), else a new
// one. The History returned must not be modified.
func (r *HistoryReader) Read(ctx context.Context) (*History, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.read(ctx)
	if err != nil {
		r.release() // a broken connection is not reused; the next Read pins another
		return nil, fmt.Errorf("history: %w", err)
	}
	return h, nil
}

func (r *HistoryReader) read(ctx context.Context) (*History, error) {
	if r.conn == nil {
		c, err := r.s.rdb.Conn(ctx)
		if err != nil {
			return nil, err
		}
		r.conn, r.last = c, nil
	}
	// The version is read before the snapshot: a commit in between makes
	// the next Read refresh once more, never keep a stale snapshot.
	var v string
	if err := r.conn.QueryRowContext(ctx, r.s.changeCounter()).Scan(&v); err != nil {
		return nil, fmt.Errorf("data version: %w", err)
	}
	if r.last != nil && v == r.version {
		return r.last, nil
	}
	tx, err := r.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h, err := readHistory(ctx, tx)
	if err != nil {
		return nil, err
	}
	r.version, r.last = v, h
	return h, nil
}

func (r *HistoryReader) release() {
	if r.conn != nil {
		_ = r.conn.Close()
	}
	r.conn, r.last = nil, nil
}

// Close releases the reader's connection; a later Read pins a new one.
func (r *HistoryReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.release()
	return nil
}
