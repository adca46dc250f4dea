package alerts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
)

// An answer to chat.postMessage that says ok but gives no ts is not a
// success: a reply threaded under it would go out at top level.
func TestBotAnswerWithoutTSIsAnError(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	}))
	t.Cleanup(srv.Close)
	b, err := NewBot(secret.New("xoxb-1-answer"), "C0TEST", srv.URL+"/api/", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Post(context.Background(), alert("outbox-1"))
	if err == nil {
		t.Fatalf("Post succeeded with receipt %+v; want an error", r)
	}
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("error %v: want it permanent (the server is not Slack-compatible)", err)
	}
	if !MaybePosted(err) {
		t.Errorf("error %v: the server answered ok, so the message may have been stored", err)
	}
}

// A reply with no parent ts is never posted: it would land at top level.
func TestBotRefusesAReplyWithoutParent(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		fmt.Fprint(w, `{"ok": true, "channel": "C0TEST", "ts": "1.000001"}`)
	}))
	t.Cleanup(srv.Close)
	b, err := NewBot(secret.New("xoxb-1-answer"), "C0TEST", srv.URL+"/api/", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Post(context.Background(), reply("outbox-2", Receipt{Channel: "C0TEST"}))
	if !errors.Is(err, ErrPermanent) || MaybePosted(err) {
		t.Errorf("Post: %v; want a permanent error, nothing sent", err)
	}
	if n := posts.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// Which failures may have left a message in the channel: what the webhook's
// one-retry guarantee and the bot's look-up rest on.
func TestMaybePosted(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		fail string
		want bool
	}{
		"503 (Slack may have stored it)":        {fail: slackfake.FailUnavailable, want: true},
		"stored, then answered 503":             {fail: slackfake.FailLie, want: true},
		"no answer before the client's timeout": {fail: slackfake.FailTimeout, want: true},
		"internal_error":                        {fail: "internal_error", want: true},
		"429":                                   {fail: slackfake.FailRateLimit},
		"invalid_blocks":                        {fail: "invalid_blocks"},
		"channel_not_found":                     {fail: "channel_not_found"},
	}
	for name, tc := range tests {
		for _, via := range []string{"bot", "webhook"} {
			t.Run(name+"/"+via, func(t *testing.T) {
				s := slackfake.New(t)
				client := &http.Client{Timeout: 300 * time.Millisecond}
				var n Notifier
				if via == "bot" {
					b, err := NewBot(secret.New(s.Token()), slackfake.DefaultChannelID, s.APIURL(), client)
					if err != nil {
						t.Fatal(err)
					}
					n = b
				} else {
					w, err := NewWebhook(secret.New(s.WebhookURL()), client)
					if err != nil {
						t.Fatal(err)
					}
					n = w
				}
				s.FailNext(1, tc.fail)
				_, err := n.Post(ctx, alert("outbox-1"))
				if err == nil {
					t.Fatal("post succeeded")
				}
				if got := MaybePosted(err); got != tc.want {
					t.Errorf("MaybePosted(%v) = %v, want %v", err, got, tc.want)
				}
			})
		}
	}
	t.Run("connection refused", func(t *testing.T) {
		w, err := NewWebhook(secret.New(closedURL(t)+"/services/T/B/x"), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Post(ctx, alert("outbox-1"))
		if err == nil || MaybePosted(err) {
			t.Errorf("Post: %v; want an error that posted nothing", err)
		}
	})
	t.Run("cancelled before sending", func(t *testing.T) {
		s := slackfake.New(t)
		w, err := NewWebhook(secret.New(s.WebhookURL()), nil)
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = w.Post(cctx, alert("outbox-1"))
		if err == nil || MaybePosted(err) || len(s.Calls()) != 0 {
			t.Errorf("Post: %v, %d calls; want an error that posted nothing", err, len(s.Calls()))
		}
	})
}
