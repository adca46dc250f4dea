package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestDockerfilePinsBaseImagesAndFollowsListen(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	pinned := regexp.MustCompile(`@sha256:[0-9a-f]{64}(\s|$)`)
	froms := 0
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "FROM ") {
			continue
		}
		froms++
		if !pinned.MatchString(line) {
			t.Errorf("base image not pinned by digest: %s", line)
		}
	}
	if froms == 0 {
		t.Fatal("no FROM line")
	}
	hc := regexp.MustCompile(`(?m)^\s*CMD \["/worker", "health"[^\n]*`).FindString(string(b))
	if hc == "" || strings.Contains(hc, "--addr") {
		t.Errorf("HEALTHCHECK %q: want worker health without a fixed --addr", hc)
	}
}
