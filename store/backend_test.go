package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The store's suite runs on SQLite, and on PostgreSQL too when
// WORKER_TEST_POSTGRES names a server (a postgres:// URL of a role that may
// create databases; .ci/postgres starts one): each test then gets a fresh
// database of its own there.
const pgEnv = "WORKER_TEST_POSTGRES"

// testDatabase is where a test's store lives: a new SQLite file, or a new
// PostgreSQL database when WORKER_TEST_POSTGRES is set.
func testDatabase(t testing.TB) string {
	t.Helper()
	if os.Getenv(pgEnv) == "" {
		return filepath.Join(t.TempDir(), "data", "worker.db")
	}
	return newPGDatabase(t)
}

// newPGDatabase creates an empty database on the WORKER_TEST_POSTGRES
// server, dropped when the test ends, and returns its URL. It skips the
// test when no server is named.
func newPGDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(pgEnv)
	if admin == "" {
		t.Skipf("%s not set: no PostgreSQL server to test against", pgEnv)
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("%s: %v", pgEnv, err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "worker_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db := stdlib.OpenDB(*cfg)
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", pgEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// openPG opens the PostgreSQL database at dsn directly, without the store.
func openPG(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}
