package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestABuildWithoutCgoSaysWhatItNeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("built without cgo; want a build error")
	}
	first := ""
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "#") && strings.TrimSpace(line) != "" {
			first = line
			break
		}
	}
	if !strings.Contains(first, "needs_cgo_and_a_C_compiler") || !strings.Contains(first, "CGO_ENABLED_1") {
		t.Errorf("first error of a build without cgo: %q, want the cgo message\n%s", first, out)
	}
}
