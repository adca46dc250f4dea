// Package store keeps the worker's state in SQLite: the articles it has
// read, the interconnection events found in them, the developments those
// events report (clustered across outlets and languages), the outbox of
// Slack deliveries and per-source fetch state.
//
// Every write is one immediate transaction, so several goroutines and
// several processes may share one database file.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" database/sql driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNewerSchema is returned by Open when the database was migrated by a
// newer version of the worker than this one.
var ErrNewerSchema = errors.New("database schema is newer than this binary")

// ErrNotMigrated is returned by Ready when the database is not at the
// schema version this binary expects.
var ErrNotMigrated = errors.New("database schema not migrated")

// Store is an open database. It is safe for concurrent use.
type Store struct {
	db       *sql.DB // writers: every transaction begins IMMEDIATE
	rdb      *sql.DB // readers: deferred, query-only transactions
	path     string  // the SQLite file, or the PostgreSQL address with its password masked
	postgres bool
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded migrations, in order.
var migrations = mustMigrations()

func mustMigrations() []migration {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		panic(err) // the embedded files are part of the binary: a bad name is a build mistake
	}
	return ms
}

// SchemaVersion returns the schema version this binary migrates databases
// to (the PRAGMA user_version of a migrated database): the highest
// migration number it knows.
func SchemaVersion() int { return highestVersion(migrations) }

// loadMigrations reads migrations/NNNN_name.sql, each number once. Numbers
// may leave gaps: migrations written side by side are applied whichever
// lands first, each once (the database records which it has).
func loadMigrations(fsys fs.FS) ([]migration, error) {
	return loadMigrationsDir(fsys, "migrations")
}

// loadMigrationsDir reads dir/NNNN_name.sql as loadMigrations does.
func loadMigrationsDir(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s: both are number %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// dsn builds a go-sqlite3 URI for path with per-connection settings: every
// pooled connection gets them, which a PRAGMA run through the pool would not
// guarantee.
func dsn(path string, params string) string {
	// The path is part of a URI: escape what SQLite would read as its syntax.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + params
}

// stmtCache is the go-sqlite3 connection parameter that keeps up to that
// many prepared statements per connection, keyed by their SQL text: more
// than the store's distinct statements, so that a pass prepares each once.
const stmtCache = "_stmt_cache_size=64"

// Open opens (creating it and its folder if needed) the database at path
// and migrates it to SchemaVersion. A postgres:// or postgresql:// URL
// opens that PostgreSQL database instead (see openPostgres).
func Open(ctx context.Context, path string) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	// Both pools keep each connection's prepared statements for reuse
	// (stmtCache): preparing and finalizing cost more than running them.
	db, err := sql.Open("sqlite3", dsn(path,
		"_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL&"+stmtCache))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// SQLite runs one writer at a time: more connections only wait in its
	// busy handler (sleeping, not queueing) and are opened and closed again
	// as the idle pool overflows. Writers queue for this one instead.
	db.SetMaxOpenConns(1)
	if err := retryBusy(ctx, func() error { return migrate(ctx, db, migrations) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite3", dsn(path,
		"_busy_timeout=10000&_foreign_keys=on&_txlock=deferred&_query_only=1&_cache_size=-32000&"+stmtCache))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db, rdb: rdb, path: path}, nil
}

// busyWait bounds how long Open waits for another process that holds a
// new database's first lock.
const busyWait = 10 * time.Second

// retryBusy runs fn again while it fails with SQLITE_BUSY. Switching a new
// file to WAL takes a lock for which SQLite reports "database is locked" at
// once instead of waiting out the busy timeout, when two processes create
// one database together.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(busyWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := fn()
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// migrate applies every migration the database has not recorded, lowest
// number first, each in its own immediate transaction (which also keeps two
// processes opening one new file from applying a migration twice).
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	for {
		done, err := migrateOne(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

// appliedMigrations reads the versions the database has applied. A
// database migrated before they were recorded applied 1 … user_version in
// order; those are recorded now.
func appliedMigrations(ctx context.Context, tx *sql.Tx, ms []migration, userVersion int) (map[int]bool, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if n == 0 {
		for _, m := range ms {
			if m.version > userVersion {
				break
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`,
				m.version, m.name); err != nil {
				return nil, fmt.Errorf("record migration %s: %w", m.name, err)
			}
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func migrateOne(ctx context.Context, db *sql.DB, ms []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("migrate: read user_version: %w", err)
	}
	known := highestVersion(ms)
	if v > known {
		return false, fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrNewerSchema, v, known)
	}
	applied, err := appliedMigrations(ctx, tx, ms, v)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	for a := range applied {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == a }) {
			return false, fmt.Errorf("%w: database has migration %d, which this binary does not know", ErrNewerSchema, a)
		}
	}
	i := slices.IndexFunc(ms, func(m migration) bool { return !applied[m.version] })
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
	// user_version cannot be a bound parameter; it is an int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", max(v, m.version))); err != nil {
		return false, fmt.Errorf("migrate %s: set user_version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: commit: %w", m.name, err)
	}
	return false, nil
}

// highestVersion is the highest version among ms, 0 for none.
func highestVersion(ms []migration) int {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.rdb.Close(), s.db.Close())
}

// Ready reports whether the database answers and is at SchemaVersion.
func (s *Store) Ready(ctx context.Context) error {
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	if v != SchemaVersion() {
		return fmt.Errorf("store %s: %w: version %d, want %d", s.path, ErrNotMigrated, v, SchemaVersion())
	}
	return nil
}

// write runs fn in one immediate transaction and commits it.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// read runs fn in one read transaction: a consistent snapshot that never
// waits for writers.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// InstanceID returns the database's random identity, made when it was
// created: the prefix of the idempotency keys of its Slack messages.
func (s *Store) InstanceID(ctx context.Context) (string, error) {
	var id string
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'instance_id'`).Scan(&id)
	})
	if err != nil {
		return "", fmt.Errorf("store: instance id: %w", err)
	}
	return id, nil
}
