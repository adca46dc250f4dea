// Package sharedtest locates the shared corpus, specs and tools that live
// beside the repository (../shared) for tests that use them, and skips those
// tests cleanly on a plain clone where they are absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder, from $WORKER_SHARED or ../shared beside the
// module root. When neither exists the test is skipped.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("WORKER_SHARED"); d != "" {
		if isDir(d) {
			return d
		}
		tb.Skipf("WORKER_SHARED=%s is not a folder", d)
	}
	root, err := moduleRoot()
	if err != nil {
		tb.Skipf("shared folder not found: %v", err)
	}
	d := filepath.Join(root, "..", "shared")
	if !isDir(d) {
		tb.Skipf("shared folder %s is absent; skipping", d)
	}
	return d
}

// Path returns a path inside the shared folder, skipping the test when it is
// absent.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s is absent; skipping", p)
	}
	return p
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", os.ErrNotExist
		}
		d = up
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
