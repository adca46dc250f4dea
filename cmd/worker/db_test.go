package main

import (
	"os"
	"strings"
	"testing"
)

func TestDatabaseBackupCheckAndRestore(t *testing.T) {
	site := storySite(t)
	cfg, db := storyConfig(t, site, "")
	if stdout, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || !strings.Contains(stdout, "/story.html") {
		t.Fatalf("first run: exit %d:\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := runCLI(t, "db", "backup", "--config", cfg); code != 0 || !strings.Contains(stdout, db+".backup") {
		t.Fatalf("db backup: exit %d:\n%s%s", code, stdout, stderr)
	}
	if stdout, _, code := runCLI(t, "db", "check", "--config", cfg); code != 0 || !strings.Contains(stdout, "ok") ||
		!strings.Contains(stdout, "1 articles") {
		t.Errorf("db check of a sound database: exit %d:\n%s", code, stdout)
	}

	// The disk damages the database.
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 8192)), 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, stderr, code := runCLI(t, "db", "check", "--config", cfg); code != 1 || !strings.Contains(stderr, "damaged") {
		t.Errorf("db check of a damaged database: exit %d, want 1:\n%s", code, stderr)
	}
	stdout, stderr, code := runCLI(t, "db", "restore", db+".backup", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, "kept at") {
		t.Fatalf("db restore: exit %d:\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := runCLI(t, "db", "check", "--config", cfg); code != 0 {
		t.Errorf("db check after the restore: exit %d:\n%s", code, stderr)
	}
	// The restored database remembers what was alerted: nothing is posted again.
	if stdout, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || strings.TrimSpace(stdout) != "" {
		t.Errorf("run after the restore: exit %d, printed:\n%s%s", code, stdout, stderr)
	}
	if _, _, code := runCLI(t, "db", "restore", "--config", cfg); code != 2 {
		t.Errorf("db restore without a file: exit %d, want 2", code)
	}
}
