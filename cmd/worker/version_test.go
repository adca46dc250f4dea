package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestVersionFlagPrintsTheBuild(t *testing.T) {
	out, stderr, code := runCLI(t, "--version")
	if code != 0 {
		t.Fatalf("--version exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "worker version ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("--version printed %q, want the version and %s", out, runtime.Version())
	}
	old := version
	version = "v9.8.7"
	defer func() { version = old }()
	if got := versionText(); !strings.HasPrefix(got, "v9.8.7") {
		t.Errorf("with -X main.version=v9.8.7: %q", got)
	}
}
