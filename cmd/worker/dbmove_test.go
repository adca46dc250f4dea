package main

import (
	"os"
	"strings"
	"testing"

	"github.com/wallwatch/worker/internal/pgtest"
)

func TestDatabaseCopyToPostgres(t *testing.T) {
	pg := pgtest.Database(t)
	site := storySite(t)
	cfg, db := storyConfig(t, site, "")
	if stdout, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || !strings.Contains(stdout, "/story.html") {
		t.Fatalf("first run: exit %d:\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runCLI(t, "db", "copy", "--from", "sqlite:"+db); code != 2 {
		t.Errorf("db copy without --to: exit %d, want 2:\n%s", code, stderr)
	}
	stdout, stderr, code := runCLI(t, "db", "copy", "--from", "sqlite:"+db, "--to", pg)
	if code != 0 || !strings.Contains(stdout, "articles 1") {
		t.Fatalf("db copy: exit %d:\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runCLI(t, "db", "migrate", pg); code != 0 || !strings.Contains(stdout, "at schema") {
		t.Errorf("db migrate: exit %d:\n%s%s", code, stdout, stderr)
	}
	// The installation goes on on PostgreSQL: what was alerted is not alerted again.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "database: "+db, "database: "+pg, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || strings.TrimSpace(stdout) != "" {
		t.Errorf("run on the copy: exit %d, printed:\n%s%s", code, stdout, stderr)
	}
	// A dry run reads a copy of what PostgreSQL holds: nothing delivered there is printed again.
	if stdout, stderr, code := runCLI(t, "run-once", "--config", cfg, "--dry-run", "--force"); code != 0 || strings.Contains(stdout, "/story.html") {
		t.Errorf("dry run on the copy: exit %d, printed:\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runCLI(t, "events", "list", "--config", cfg); code != 0 || !strings.Contains(stdout, "Taobao starts accepting WeChat Pay") {
		t.Errorf("events list on the copy: exit %d:\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runCLI(t, "db", "backup", "--config", cfg); code == 0 || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("db backup of a PostgreSQL database: exit %d, want a pointer to pg_dump:\n%s", code, stderr)
	}
	if stdout, _, code := runCLI(t, "db", "copy", "--from", "sqlite:"+db, "--to", pg); code == 0 {
		t.Errorf("a second copy into a database in use: exit 0:\n%s", stdout)
	}
}
