package alerts

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
)

// A shutdown that catches a post on the wire lets it finish within the
// grace window, through a webhook and through the bot alike, so its answer
// is known; past the window it is cut off.
func TestShutdownGivesAPostUnderWayItsWindow(t *testing.T) {
	for _, via := range []string{"webhook", "bot"} {
		t.Run(via, func(t *testing.T) {
			s := slackfake.New(t)
			s.Delay(400 * time.Millisecond)
			n := newNotifier(t, s, via, time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			if _, err := n.Post(ctx, alert("outbox-1")); err != nil {
				t.Fatalf("post under way when the context ended: %v", err)
			}
			if got := len(s.Messages(slackfake.DefaultChannelID)); got != 1 {
				t.Errorf("%d messages stored, want 1", got)
			}

			short := newNotifier(t, s, via, 100*time.Millisecond)
			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			_, err := short.Post(ctx, alert("outbox-2"))
			if !errors.Is(err, context.Canceled) || !MaybePosted(err) {
				t.Errorf("post past its window: %v; want it cut off, maybe posted", err)
			}
			if d := time.Since(start); d > 350*time.Millisecond {
				t.Errorf("cut off after %v; want about 150ms", d)
			}

			_, err = n.Post(ctx, alert("outbox-3"))
			if err == nil || MaybePosted(err) {
				t.Errorf("post after the context ended: %v; want it not started", err)
			}
		})
	}
}

func newNotifier(t *testing.T, s *slackfake.Server, via string, grace time.Duration) Notifier {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	if via == "bot" {
		b, err := NewBot(secret.New(s.Token()), slackfake.DefaultChannelID, s.APIURL(), client)
		if err != nil {
			t.Fatal(err)
		}
		b.Grace = grace
		return b
	}
	w, err := NewWebhook(secret.New(s.WebhookURL()), client)
	if err != nil {
		t.Fatal(err)
	}
	w.Grace = grace
	return w
}
