package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/internal/sharedtest"
)

const fakeslackToken = "xoxb-acceptance-token"

// startFakeslack runs the shared fakeslack.py on a free port and returns its
// base URL; the test is skipped when python3 or the script is absent.
func startFakeslack(t *testing.T, args ...string) string {
	t.Helper()
	script := sharedtest.Path(t, "tools", "fakeslack.py")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; skipping the fakeslack.py acceptance test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var out bytes.Buffer
	cmd := exec.Command(py, append([]string{script, "--port", strconv.Itoa(port), "--token", fakeslackToken}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fakeslack.py did not start: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr
}

type fakeslackCall struct {
	Path     string         `json:"path"`
	Params   map[string]any `json:"params"`
	Result   any            `json:"result"`
	Injected int            `json:"injected"`
	Lied     bool           `json:"lied"`
}

func fakeslackCalls(t *testing.T, base string) []fakeslackCall {
	t.Helper()
	resp, err := http.Get(base + "/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var calls []fakeslackCall
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		t.Fatal(err)
	}
	return calls
}

// storedPosts counts chat.postMessage calls that fakeslack stored (lies
// included), by metadata key.
func storedPosts(calls []fakeslackCall) map[string]int {
	n := map[string]int{}
	for _, c := range calls {
		res, _ := c.Result.(map[string]any)
		if c.Path != "/api/chat.postMessage" || c.Injected != 0 || res == nil || res["ok"] != true {
			continue
		}
		md, _ := c.Params["metadata"].(map[string]any)
		pl, _ := md["event_payload"].(map[string]any)
		key, _ := pl["key"].(string)
		n[key]++
	}
	return n
}

func TestAcceptanceFakeslack(t *testing.T) {
	ctx := context.Background()
	const channel = "C0ACC"
	client := &http.Client{Timeout: 5 * time.Second}

	t.Run("post, thread and find", func(t *testing.T) {
		base := startFakeslack(t)
		b, err := NewBot(secret.New(fakeslackToken), channel, base+"/api", client) // no trailing slash
		if err != nil {
			t.Fatal(err)
		}
		since := time.Now().Add(-time.Minute)
		parent, err := b.Post(ctx, alert("outbox-1"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := b.Post(ctx, reply("outbox-2", parent))
		if err != nil {
			t.Fatal(err)
		}
		if parent.TS == "" || rep.TS == "" || parent.TS == rep.TS {
			t.Fatalf("receipts %v and %v", parent, rep)
		}
		for _, m := range []Message{alert("outbox-1"), reply("outbox-2", parent)} {
			r, ok, err := b.Find(ctx, m, since)
			if err != nil || !ok {
				t.Fatalf("find %s = %v, %v; want found", m.Key, ok, err)
			}
			if want := map[string]string{"outbox-1": parent.TS, "outbox-2": rep.TS}[m.Key]; r.TS != want {
				t.Errorf("find %s gave ts %s, want %s", m.Key, r.TS, want)
			}
		}
		if _, ok, err := b.Find(ctx, alert("outbox-never"), since); err != nil || ok {
			t.Errorf("find of an unposted key = %v, %v", ok, err)
		}
		calls := fakeslackCalls(t, base)
		var replies, history int
		for _, c := range calls {
			switch c.Path {
			case "/api/conversations.replies":
				replies++
			case "/api/conversations.history":
				history++
			}
		}
		// As on Slack, history lists top-level messages only: each find
		// reads the history once, and only the reply, which is not there,
		// is then looked up in its parent's thread.
		if replies != 1 || history != 3 {
			t.Errorf("%d replies and %d history calls, want 1 and 3", replies, history)
		}
		if got := storedPosts(calls); got["outbox-1"] != 1 || got["outbox-2"] != 1 {
			t.Errorf("stored posts by key %v, want one each", got)
		}
		for _, c := range calls {
			if c.Path == "/api/chat.postMessage" && c.Params["thread_ts"] != nil && c.Params["thread_ts"] != parent.TS {
				t.Errorf("reply thread_ts %v, want %s", c.Params["thread_ts"], parent.TS)
			}
		}
	})

	t.Run("429 gives its retry-after, then the post goes through", func(t *testing.T) {
		// Seed 1 makes the one injected failure a 429 (Python's first draw is 0.13).
		base := startFakeslack(t, "--fail-first", "1", "--retry-after", "3", "--seed", "1")
		b, err := NewBot(secret.New(fakeslackToken), channel, base+"/api/", client)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Post(ctx, alert("outbox-1"))
		if d, perm := Classify(err); err == nil || perm || d != 3*time.Second || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("first post: %v classified %v, %v; want a 3s rate limit", err, d, perm)
		}
		if _, err := b.Post(ctx, alert("outbox-1")); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})

	t.Run("a lie is found, not posted twice", func(t *testing.T) {
		base := startFakeslack(t, "--lie-rate", "1")
		b, err := NewBot(secret.New(fakeslackToken), channel, base+"/api/", client)
		if err != nil {
			t.Fatal(err)
		}
		since := time.Now().Add(-time.Minute)
		_, err = b.Post(ctx, alert("outbox-5"))
		if _, perm := Classify(err); err == nil || perm {
			t.Fatalf("post with lies: %v; want a retryable error", err)
		}
		if _, ok, err := b.Find(ctx, alert("outbox-5"), since); err != nil || !ok {
			t.Fatalf("find = %v, %v; want found", ok, err)
		}
		if got := storedPosts(fakeslackCalls(t, base)); got["outbox-5"] != 1 {
			t.Errorf("stored posts %v, want one", got)
		}
	})

	t.Run("invalid token is permanent", func(t *testing.T) {
		base := startFakeslack(t)
		b, err := NewBot(secret.New("xoxb-wrong"), channel, base+"/api/", client)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Post(ctx, alert("outbox-1"))
		if _, perm := Classify(err); !perm {
			t.Errorf("post with a wrong token: %v; want permanent", err)
		}
	})

	t.Run("webhook and block limits", func(t *testing.T) {
		base := startFakeslack(t)
		w, err := NewWebhook(secret.New(base+"/webhook"), client)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []Message{alert("outbox-1"), bigMessage(60, 400)} {
			if _, err := w.Post(ctx, m); err != nil {
				t.Fatalf("webhook post: %v", err)
			}
		}
		b, err := NewBot(secret.New(fakeslackToken), channel, base+"/api/", client)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Post(ctx, bigMessage(60, 400)); err != nil {
			t.Fatalf("bot post of a big message: %v", err)
		}
	})
}
