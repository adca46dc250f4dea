package worker_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/worker"
)

// Through a webhook, whose posts cannot be looked up, an ambiguous answer
// (Slack stored the message but answered 503, or no answer came) is retried
// once at most: one alert is never more than two messages, and is never
// missing.
func TestWebhookAmbiguousAnswerRetriedOnce(t *testing.T) {
	tests := map[string]struct {
		lies       int // posts stored but answered 503
		refusals   int // then posts refused for certain (429)
		want       int // messages in the channel
		wantUnconf int
	}{
		"one lie":                      {lies: 1, want: 2},
		"every answer a lie":           {lies: 20, want: 2, wantUnconf: 1},
		"a lie, then a rate limit":     {lies: 1, refusals: 1, want: 2},
		"a rate limit only":            {refusals: 1, want: 1},
		"no answer within the timeout": {want: 2, wantUnconf: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := newSite(t)
			slack := slackfake.New(t)
			slack.SetRetryAfter("1")
			client := &http.Client{Timeout: 300 * time.Millisecond}
			hook, err := alerts.NewWebhook(secret.New(slack.WebhookURL()), client)
			if err != nil {
				t.Fatal(err)
			}
			if name == "no answer within the timeout" {
				slack.Delay(time.Second) // stored, then answered after the client gave up
			}
			slack.FailNext(tc.lies, slackfake.FailLie)
			slack.FailNext(tc.refusals, slackfake.FailRateLimit)
			w := newWorker(t, s, hook, s.URL+"/feed.xml")
			var unconf int
			for range 3 { // later runs retry what is left
				rep, _ := w.RunOnce(ctx, worker.RunOptions{})
				unconf += rep.Delivery.Unconfirmed
				slack.Delay(0)
			}
			if n := len(slack.Messages(slackfake.DefaultChannelID)); n != tc.want {
				t.Errorf("%d messages in the channel, want %d (calls %d)", n, tc.want, len(slack.Calls()))
			}
			if unconf != tc.wantUnconf {
				t.Errorf("%d deliveries left unconfirmed, want %d", unconf, tc.wantUnconf)
			}
		})
	}
}

// A shutdown while a webhook post is on the wire lets the post finish and be
// recorded, so the next run does not post it again.
func TestShutdownDuringAWebhookPost(t *testing.T) {
	s := newSite(t)
	slack := slackfake.New(t)
	slack.Delay(500 * time.Millisecond)
	hook, err := alerts.NewWebhook(secret.New(slack.WebhookURL()), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, s, hook, s.URL+"/feed.xml")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(slack.Calls()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel() // SIGTERM, with the post under way
	}()
	_, _ = w.RunOnce(ctx, worker.RunOptions{})
	slack.Delay(0)
	if _, err := w.RunOnce(context.Background(), worker.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(slack.Messages(slackfake.DefaultChannelID)); n != 1 {
		t.Errorf("%d messages after a shutdown mid-post and a second run, want 1", n)
	}
}
