package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLockKey is the advisory lock every write transaction on PostgreSQL
// takes first: writers run one at a time, as on SQLite, so the store's
// read-then-write transactions (clustering, planning, claims) see what the
// writer before them committed, across processes.
const writeLockKey = 0x776f726b6572 // "worker"

// pgConnector opens pgx connections that speak the store's SQLite dialect
// (see translate) and give transactions SQLite's shape: a read-only
// transaction is a snapshot (REPEATABLE READ READ ONLY); a default write
// transaction holds the write lock; a transaction asking for READ COMMITTED
// explicitly (the source leases) runs beside the writers.
type pgConnector struct {
	inner driver.Connector
	cache *sync.Map // query → pgQuery
}

func newPGConnector(dsn string) (*pgConnector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL address: %w", redactDSNError(err))
	}
	return &pgConnector{inner: stdlib.GetConnector(*cfg), cache: &sync.Map{}}, nil
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn), cache: c.cache}, nil
}

func (c *pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is one connection; it translates every query it is given.
type pgConn struct {
	*stdlib.Conn
	cache *sync.Map
}

func (c *pgConn) translated(query string) (pgQuery, error) {
	if q, ok := c.cache.Load(query); ok {
		return q.(pgQuery), nil
	}
	q, err := translate(query)
	if err != nil {
		return pgQuery{}, err
	}
	c.cache.Store(query, q)
	return q, nil
}

// CheckNamedValue keeps argument names (translate resolves them) and turns
// booleans into the 0 and 1 the schema stores.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = map[bool]int64{false: 0, true: 1}[b]
		return nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return c.Conn.CheckNamedValue(nv) // pgx knows more types than database/sql
	}
	if b, ok := v.(bool); ok {
		v = map[bool]int64{false: 0, true: 1}[b]
	}
	nv.Value = v
	return nil
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, err := c.translated(query)
	if err != nil {
		return nil, err
	}
	a, err := q.args(args)
	if err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, q.sql, a)
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	q, err := c.translated(query)
	if err != nil {
		return nil, err
	}
	a, err := q.args(args)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, q.sql, a)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return nil, errors.New("prepared statements are not used on PostgreSQL: run the query directly")
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	switch {
	case opts.ReadOnly:
		return c.Conn.BeginTx(ctx, driver.TxOptions{Isolation: driver.IsolationLevel(sql.LevelRepeatableRead), ReadOnly: true})
	case opts.Isolation != driver.IsolationLevel(sql.LevelDefault):
		return c.Conn.BeginTx(ctx, opts)
	}
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.Conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)",
		[]driver.NamedValue{{Ordinal: 1, Value: int64(writeLockKey)}}); err != nil {
		return nil, errors.Join(fmt.Errorf("take the write lock: %w", err), tx.Rollback())
	}
	return tx, nil
}

// redactDSNError drops what pgx's parse errors may quote of the address
// (a password among it), keeping only that it did not parse.
func redactDSNError(error) error {
	return errors.New("not a valid postgres:// URL or key=value list")
}
