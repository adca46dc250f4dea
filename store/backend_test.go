package store

import (
	"path/filepath"
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
