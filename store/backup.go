package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrCorrupt marks a database file that fails SQLite's integrity check or
// is not a worker database.
var ErrCorrupt = errors.New("database is damaged")

// Snapshot writes a consistent copy of the open database to path with
// VACUUM INTO, while the worker goes on reading and writing (an online
// backup, as Litestream-style tools keep one). The copy is written next to
// path and renamed over it, so path is always a whole snapshot.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if s.postgres {
		return fmt.Errorf("snapshot %s: %w", s.path, ErrPostgresBackup)
	}
	db, err := openReadOnly(s.path)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", s.path, err)
	}
	defer db.Close()
	if err := vacuumInto(ctx, db, path); err != nil {
		return fmt.Errorf("snapshot %s to %s: %w", s.path, path, err)
	}
	return nil
}

// vacuumInto copies db's database into path, atomically.
func vacuumInto(ctx context.Context, db *sql.DB, path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", path, os.Getpid(), time.Now().UnixNano())
	defer os.Remove(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// openReadOnly opens the database file at path for reading only (SQLite's
// mode=ro; VACUUM INTO still writes its copy elsewhere), without migrating
// it; the file must exist.
func openReadOnly(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", dsn(path, "mode=ro&_busy_timeout=10000"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Copy writes a consistent copy of the database file src to dst without
// changing src (a dry run works on such a copy).
func Copy(ctx context.Context, src, dst string) error {
	db, err := openReadOnly(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer db.Close()
	if err := vacuumInto(ctx, db, dst); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// CheckReport is what Check found.
type CheckReport struct {
	SchemaVersion int      // PRAGMA user_version
	Counts        Stats    // what it holds
	Problems      []string // integrity and foreign-key problems; empty when sound
}

// Check reads the database file at path without changing it: SQLite's
// integrity check, its foreign keys, the schema version and what it holds.
// The error wraps ErrCorrupt when the file is damaged or not a worker
// database (the report then says why), ErrNewerSchema when a newer binary
// migrated it.
func Check(ctx context.Context, path string) (CheckReport, error) {
	if IsPostgres(path) {
		return CheckReport{}, fmt.Errorf("check %s: %w", MaskDSN(path), ErrPostgresBackup)
	}
	var rep CheckReport
	db, err := openReadOnly(path)
	if err != nil {
		return rep, fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	corrupt := func(problem string) (CheckReport, error) {
		rep.Problems = append(rep.Problems, problem)
		return rep, fmt.Errorf("check %s: %w: %s", path, ErrCorrupt, strings.Join(rep.Problems, "; "))
	}
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return corrupt(err.Error())
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return corrupt(err.Error())
		}
		if line != "ok" {
			rep.Problems = append(rep.Problems, line)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return corrupt(err.Error())
	}
	fk, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return corrupt(err.Error())
	}
	for fk.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := fk.Scan(&table, &rowid, &parent, &fkid); err != nil {
			fk.Close()
			return corrupt(err.Error())
		}
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s row %d refers to a missing %s row", table, rowid.Int64, parent))
	}
	if err := errors.Join(fk.Err(), fk.Close()); err != nil {
		return corrupt(err.Error())
	}
	if len(rep.Problems) > 0 {
		return rep, fmt.Errorf("check %s: %w: %s", path, ErrCorrupt, strings.Join(rep.Problems, "; "))
	}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&rep.SchemaVersion); err != nil {
		return corrupt(err.Error())
	}
	if rep.SchemaVersion > SchemaVersion() {
		return rep, fmt.Errorf("check %s: %w: version %d, this binary knows up to %d", path, ErrNewerSchema,
			rep.SchemaVersion, SchemaVersion())
	}
	err = db.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM articles), (SELECT count(*) FROM events),
			(SELECT count(*) FROM developments), (SELECT count(*) FROM outbox WHERE state = 'pending')`,
	).Scan(&rep.Counts.Articles, &rep.Counts.Events, &rep.Counts.Developments, &rep.Counts.Pending)
	if err != nil {
		return corrupt("not a worker database: " + err.Error())
	}
	return rep, nil
}

// Restore replaces the database at path with a copy of the snapshot from,
// after checking the snapshot. The database it replaces (and its WAL) is
// moved aside, never deleted; aside names where. No process may have path
// open: stop serve first.
func Restore(ctx context.Context, from, path string) (aside string, err error) {
	if IsPostgres(path) || IsPostgres(from) {
		return "", fmt.Errorf("restore: %w", ErrPostgresBackup)
	}
	if _, err := Check(ctx, from); err != nil {
		return "", fmt.Errorf("restore from %s: %w", from, err)
	}
	tmp := fmt.Sprintf("%s.restore-%d", path, os.Getpid())
	defer os.Remove(tmp)
	if err := Copy(ctx, from, tmp); err != nil {
		return "", fmt.Errorf("restore from %s: %w", from, err)
	}
	if _, err := os.Stat(path); err == nil {
		aside = fmt.Sprintf("%s.replaced-%s", path, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(path, aside); err != nil {
			return "", fmt.Errorf("restore: move %s aside: %w", path, err)
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + suffix); err == nil {
				if err := os.Rename(path+suffix, aside+suffix); err != nil {
					return aside, fmt.Errorf("restore: move %s aside: %w", path+suffix, err)
				}
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return aside, fmt.Errorf("restore: %w", err)
	}
	return aside, nil
}
