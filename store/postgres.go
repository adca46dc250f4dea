package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ErrPostgresBackup is returned by the SQLite file operations (Snapshot,
// Check, Restore) for a PostgreSQL database, which its own tools back up.
var ErrPostgresBackup = errors.New("a PostgreSQL database is checked, backed up and restored with PostgreSQL's tools (pg_dump, pg_restore), not by the worker")

//go:embed migrations/postgres/*.sql
var pgMigrationFS embed.FS

// pgMigrations are the migrations in PostgreSQL's dialect: the same numbers
// and names as the SQLite ones (a test holds them together).
var pgMigrations = mustPGMigrations()

func mustPGMigrations() []migration {
	ms, err := loadMigrationsDir(pgMigrationFS, "migrations/postgres")
	if err != nil {
		panic(err) // the embedded files are part of the binary: a bad name is a build mistake
	}
	return ms
}

// IsPostgres reports whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// MaskDSN is a PostgreSQL address fit for logs and errors: its password
// replaced by xxxxx. Anything that is not a URL comes back as a fixed text.
func MaskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(address not shown)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openPostgres opens the PostgreSQL database at dsn and migrates it to
// SchemaVersion. Writers take one advisory lock per transaction, so they
// run one at a time across every process on the database, as on SQLite;
// readers read snapshots beside them.
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := MaskDSN(dsn)
	c, err := newPGConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", name, err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := migratePG(ctx, db, pgMigrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", name, err)
	}
	rdb := sql.OpenDB(c)
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(4)
	return &Store{db: db, rdb: rdb, path: name, postgres: true}, nil
}

// migratePG applies every migration the database has not recorded, lowest
// first, each in its own transaction under the write lock (so replicas
// starting together apply each once).
func migratePG(ctx context.Context, db *sql.DB, ms []migration) error {
	for {
		done, err := migratePGOne(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

func migratePGOne(ctx context.Context, db *sql.DB, ms []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // takes the write lock
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return false, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied, err := queryIDs(ctx, tx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return false, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for _, a := range applied {
		if !slices.ContainsFunc(ms, func(m migration) bool { return int64(m.version) == a }) {
			return false, fmt.Errorf("%w: database has migration %d, which this binary does not know", ErrNewerSchema, a)
		}
	}
	i := slices.IndexFunc(ms, func(m migration) bool { return !slices.Contains(applied, int64(m.version)) })
	if i < 0 {
		return true, tx.Commit()
	}
	m := ms[i]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now'))`,
		m.version, m.name); err != nil {
		return false, fmt.Errorf("migrate %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: commit: %w", m.name, err)
	}
	return false, nil
}

// schemaVersion is the database's schema version: SQLite's user_version,
// or on PostgreSQL the highest migration recorded.
func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v int
	q := "PRAGMA user_version"
	if s.postgres {
		q = "SELECT COALESCE(max(version), 0) FROM schema_migrations"
	}
	err := s.rdb.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// changeCounter is a query for a value that changes with every commit to the
// database: SQLite's data_version (per connection), PostgreSQL's position in
// its write-ahead log (which other databases of its cluster move too: a
// reader then reads again, never keeps a stale snapshot).
func (s *Store) changeCounter() string {
	if s.postgres {
		return "SELECT CAST(pg_current_wal_lsn() AS text)"
	}
	return "PRAGMA data_version"
}
