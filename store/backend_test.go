package store

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wallwatch/worker/internal/pgtest"
)

// The store's suite runs on SQLite, and on PostgreSQL too when
// WORKER_TEST_POSTGRES names a server: each test then gets a fresh
// database of its own there.
const pgEnv = pgtest.Env

// testDatabase is where a test's store lives: a new SQLite file, or a new
// PostgreSQL database when WORKER_TEST_POSTGRES is set.
func testDatabase(t testing.TB) string {
	t.Helper()
	if !pgtest.Enabled() {
		return filepath.Join(t.TempDir(), "data", "worker.db")
	}
	return pgtest.Database(t)
}

// tablesQuery lists the store's tables by name, but those named in except,
// in either dialect.
func tablesQuery(s *Store, except ...string) string {
	not := "'" + strings.Join(except, "', '") + "'"
	if s.postgres {
		return `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name NOT IN (` + not + `) ORDER BY table_name`
	}
	return `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT IN (` + not + `) AND name NOT LIKE 'sqlite_%' ORDER BY name`
}

// refuseTrigger makes inserting a row of table whose column is value fail
// with "event refused",
// in either dialect.
func refuseTrigger(s *Store, table, column, value string) []string {
	if s.postgres {
		return []string{
			`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.` + column + ` = '` + value + `' THEN RAISE EXCEPTION 'event refused'; END IF;
				RETURN NEW; END $$`,
			`CREATE TRIGGER refuse BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION refuse()`,
		}
	}
	return []string{`CREATE TRIGGER refuse BEFORE INSERT ON ` + table + ` WHEN NEW.` + column + ` = '` + value + `'
		BEGIN SELECT RAISE(ABORT, 'event refused'); END`}
}
