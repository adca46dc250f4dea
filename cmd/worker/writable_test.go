package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// asOtherUser returns a command that runs the worker (this test binary) as
// a user who cannot write dir: as nobody when the tests run as root (root
// writes everywhere), else as this user after dir is made read-only.
func asOtherUser(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Getuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "WORKER_TEST_AS_MAIN=1")
		return cmd
	}
	// nobody must be able to reach and run the binary.
	binDir := t.TempDir()
	for _, d := range []string{filepath.Dir(binDir), binDir} { // t.TempDir's folders are 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(binDir, "worker")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "WORKER_TEST_AS_MAIN=1", "HOME=/")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAnUnwritableDataDirectoryIsNamedWithItsFix(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "worker.yaml")
	body := "database: " + filepath.Join(data, "worker.db") +
		"\nsources:\n  - {name: wire, url: 'http://127.0.0.1:1/feed.xml', type: feed}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"config", "check"}, {"run-once"}} {
		cmd := asOtherUser(t, data, append(args, "--config", cfg)...)
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("%v: %v, want exit 1:\n%s", args, err, out)
		}
		for _, want := range []string{"the directory " + data + " is not writable", "running as", "chown", "WORKER_DATABASE"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%v: output does not say %q:\n%s", args, want, out)
			}
		}
		if strings.Contains(string(out), "unable to open database file") {
			t.Errorf("%v: SQLite's message got through:\n%s", args, out)
		}
	}
}

func TestConfigCheckAcceptsAWritableDatabasePath(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new", "dir", "worker.db")
	cfg := writeTemp(t, "database: "+db+"\nsources:\n  - {name: wire, url: 'https://news.example/feed.xml', type: feed}\n")
	if _, stderr, code := runCLI(t, "config", "check", "--config", cfg); code != 0 {
		t.Fatalf("config check exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Dir(db)); err == nil {
		t.Errorf("config check created %s", filepath.Dir(db))
	}
}
