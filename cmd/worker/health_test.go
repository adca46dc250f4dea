package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHealthFollowsTheServesListenAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a worker process")
	}
	site := storySite(t)
	cfg, db := storyConfig(t, site, "")
	_, port, _ := net.SplitHostPort(freeAddr(t))
	serve, out := startWorker(t, "serve", "--config", cfg, "--listen", ":"+port, "--no-alerts")
	deadline := time.Now().Add(15 * time.Second)
	for {
		stdout, _, code := runCLI(t, "health", "--config", cfg)
		if code == 0 && strings.Contains(stdout, "ready") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker health without --addr never found the serve on :%s:\n%s", port, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, _, code := runCLI(t, "health", "--config", cfg, "--addr", "127.0.0.1:1"); code != 1 {
		t.Errorf("health --addr of nothing: exit %d, want 1", code)
	}
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = serve.Wait()
	if _, err := os.Stat(listenFile(db)); !os.IsNotExist(err) {
		t.Errorf("%s left behind after serve stopped: %v", filepath.Base(listenFile(db)), err)
	}
	if _, _, code := runCLI(t, "health", "--config", cfg); code != 1 {
		t.Errorf("health after serve stopped: exit %d, want 1", code)
	}
}
