// Package pgtest gives tests a PostgreSQL database of their own on the
// server WORKER_TEST_POSTGRES names (a postgres:// URL of a role that may
// create databases; .ci/postgres starts a private one), and skips them
// cleanly when none is named.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Env names the server the tests may create databases on.
const Env = "WORKER_TEST_POSTGRES"

// Enabled reports whether a server is named.
func Enabled() bool { return os.Getenv(Env) != "" }

// Database creates an empty database, dropped when the test ends, and
// returns its URL. It skips the test when no server is named.
func Database(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		t.Skipf("%s not set: no PostgreSQL server to test against", Env)
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", Env, err)
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
	u.Path = "/" + name
	return u.String()
}
