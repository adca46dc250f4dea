package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/sharedtest"
)

// TestMain lets the test binary stand in for the worker binary: with
// WORKER_TEST_AS_MAIN=1 it runs the command line instead of the tests, so
// tests can start real worker processes, signal them and kill them.
func TestMain(m *testing.M) {
	if os.Getenv("WORKER_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// startWorker starts the worker as a child process.
func startWorker(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "WORKER_TEST_AS_MAIN=1")
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(url string) (int, string) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// topLevel counts, per development, the top-level alerts that link one of
// its articles, and reports alerts that match none.
func (f *fixture) checkAlerts(t *testing.T, msgs []slackfake.Message) {
	t.Helper()
	var devPaths []string
	for _, d := range f.expected.Developments {
		devPaths = append(devPaths, d.Articles...)
		n := 0
		for _, m := range msgs {
			if !m.IsReply() && mentions(m.Text+string(m.Blocks), d.Articles) {
				n++
			}
		}
		if n < 1 || n > f.allowed(d.Articles) {
			t.Errorf("development %s: %d top-level alerts, want exactly one per stage (1..%d)", d.Key, n, f.allowed(d.Articles))
		}
	}
	for _, m := range msgs {
		if !m.IsReply() && !mentions(m.Text+string(m.Blocks), devPaths) {
			t.Errorf("alert matching no development: %.160s", m.Text)
		}
	}
}

func TestServeWithConcurrentRunOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes for about 20 s")
	}
	f := newFixture(t)
	slack := slackfake.New(t, slackfake.WithToken("xoxb-serve"), slackfake.WithChannel("C0SRV", "alerts"))
	cfg := f.config(t, "slack:\n  token: xoxb-serve\n  channel: C0SRV\n  api_url: "+slack.APIURL()+"\n")
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), `schedule: "@every 1h"`, `schedule: "@every 2s"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	serve, out := startWorker(t, "serve", "--config", cfg, "--listen", addr, "--log-format", "json")

	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := get("http://" + addr + "/readyz"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 10 s:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _ := get("http://" + addr + "/healthz"); code != 200 {
		t.Errorf("/healthz answered %d", code)
	}

	// A manual run on the same database while serve runs.
	once, onceOut := startWorker(t, "run-once", "--config", cfg, "--log-format", "json")
	if err := once.Wait(); err != nil {
		t.Errorf("run-once beside serve: %v\n%s", err, onceOut)
	}

	// Wait until every development is alerted and nothing more comes for
	// three schedule periods.
	stable, last := time.Now(), -1
	for time.Since(stable) < 6*time.Second {
		if n := len(slack.Messages("C0SRV")); n != last {
			last, stable = n, time.Now()
		}
		if time.Since(stable) > 40*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.checkAlerts(t, slack.Messages("C0SRV"))

	_, metrics := get("http://" + addr + "/metrics")
	for _, name := range []string{
		"worker_source_fetches_total{", "worker_alerts_sent_total", "worker_events_detected_total",
		"worker_source_last_success_timestamp_seconds{", "worker_run_duration_seconds",
	} {
		if !strings.Contains(metrics, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if !strings.Contains(metrics, `result="not_modified"`) {
		t.Errorf("no conditional (304) fetches counted once the site stopped changing")
	}

	sent := time.Now()
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM:\n%s", err, out)
		}
		if d := time.Since(sent); d > 10*time.Second {
			t.Errorf("serve took %v to stop", d)
		}
	case <-time.After(12 * time.Second):
		t.Fatalf("serve still running 12 s after SIGTERM:\n%s", out)
	}
	if strings.Contains(out.String(), "xoxb-serve") {
		t.Error("the token appears in serve's output")
	}
}

// slackStandIn is a Slack API stand-in the kill test runs against.
type slackStandIn struct {
	apiURL   string
	messages func() []slackfake.Message // every stored message, replies included
}

// goSlack is the in-repo stand-in, answering chat.postMessage 0.4 s after
// storing the message.
func goSlack(t *testing.T) slackStandIn {
	s := slackfake.New(t, slackfake.WithToken("xoxb-kill"), slackfake.WithChannel("C0KIL", "alerts"))
	s.Delay(400 * time.Millisecond)
	return slackStandIn{apiURL: s.APIURL(), messages: func() []slackfake.Message { return s.Messages("C0KIL") }}
}

// pySlack is ../shared/tools/fakeslack.py --delay 0.4, when python3 and the
// shared tools are present.
func pySlack(t *testing.T) slackStandIn {
	tool := sharedtest.Path(t, "tools", "fakeslack.py")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(py, tool, "--port", port, "--token", "xoxb-kill", "--delay", "0.4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fakeslack.py did not start")
		}
	}
	return slackStandIn{apiURL: "http://" + addr + "/api/", messages: func() []slackfake.Message {
		_, body := get("http://" + addr + "/calls")
		var calls []struct {
			Path   string         `json:"path"`
			Params map[string]any `json:"params"`
			Result any            `json:"result"`
		}
		if err := json.Unmarshal([]byte(body), &calls); err != nil {
			t.Fatalf("fakeslack.py /calls: %v", err)
		}
		var out []slackfake.Message
		for _, c := range calls {
			res, ok := c.Result.(map[string]any)
			if !strings.HasSuffix(c.Path, "chat.postMessage") || !ok || res["ok"] != true {
				continue
			}
			m := slackfake.Message{TS: fmt.Sprint(res["ts"])}
			m.Text, _ = c.Params["text"].(string)
			m.ThreadTS, _ = c.Params["thread_ts"].(string)
			m.Blocks, _ = json.Marshal(c.Params["blocks"])
			if md, ok := c.Params["metadata"].(map[string]any); ok {
				payload, _ := md["event_payload"].(map[string]any)
				m.Metadata = &slackfake.Metadata{EventPayload: payload}
			}
			out = append(out, m)
		}
		return out
	}}
}

func TestKilledRunsNeverDoubleAnAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("kills worker processes repeatedly")
	}
	for name, standIn := range map[string]func(*testing.T) slackStandIn{"slackfake": goSlack, "fakeslack.py": pySlack} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			slack := standIn(t)
			cfg := f.config(t, "slack:\n  token: xoxb-kill\n  channel: C0KIL\n  api_url: "+slack.apiURL+"\n")

			rng := rand.New(rand.NewPCG(1, 2))
			for i := range 6 {
				cmd, _ := startWorker(t, "run-once", "--config", cfg)
				time.Sleep(time.Duration(300+rng.IntN(2500)) * time.Millisecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				t.Logf("kill %d: %d messages so far", i+1, len(slack.messages()))
			}
			// Then let it finish.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			for i := 0; i < 3 && ctx.Err() == nil; i++ {
				cmd, out := startWorker(t, "run-once", "--config", cfg)
				if err := cmd.Wait(); err != nil {
					t.Fatalf("final run: %v\n%s", err, out)
				}
			}
			msgs := slack.messages()
			f.checkAlerts(t, msgs)
			// No message posted twice: the idempotency keys are unique.
			keys := map[string]int{}
			for _, m := range msgs {
				if m.Metadata == nil {
					t.Errorf("message without an idempotency key: %.100s", m.Text)
					continue
				}
				keys[fmt.Sprint(m.Metadata.EventPayload["key"])]++
			}
			for k, n := range keys {
				if n > 1 {
					t.Errorf("message %s posted %d times", k, n)
				}
			}
		})
	}
}
