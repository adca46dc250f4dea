package worker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// developments are distinct, years apart and of different kinds, so that
// each is an alert of its own.
var developments = []sources.Event{
	{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageLaunched,
		Date: sources.Date{Year: 2019, Month: 3, Day: 4}, Headline: true, Evidence: "Taobao accepts WeChat Pay."},
	{A: []string{"DingTalk"}, B: []string{"WeChat"}, Kind: sources.KindWorkplace, Stage: sources.StageLaunched,
		Date: sources.Date{Year: 2021, Month: 6, Day: 7}, Headline: true, Evidence: "DingTalk meetings open in WeChat."},
	{A: []string{"Alimama"}, B: []string{"WeChat Moments"}, Kind: sources.KindAdvertising, Stage: sources.StageLaunched,
		Date: sources.Date{Year: 2023, Month: 9, Day: 10}, Headline: true, Evidence: "Alimama ads appear in Moments."},
}

// seedAlerts records one article per development, each queueing an alert.
func seedAlerts(t *testing.T, st *store.Store, now time.Time) {
	t.Helper()
	for i, ev := range developments {
		_, err := st.Record(context.Background(), store.RecordInput{
			Source: "seed",
			Article: sources.Article{
				URL: fmt.Sprintf("https://news.example/%d", i), Title: ev.Evidence, Lang: "en",
				Published: now.Add(-time.Hour), Text: ev.Evidence,
			},
			Events: []sources.Event{ev},
			Alert:  true,
			Now:    now,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newBot(t *testing.T, slack *slackfake.Server) alerts.Notifier {
	t.Helper()
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

func posts(slack *slackfake.Server) int {
	n := 0
	for _, c := range slack.Calls() {
		if c.Method == "chat.postMessage" {
			n++
		}
	}
	return n
}

func TestARateLimitHoldsEveryDeliveryAndOutlivesTheProcess(t *testing.T) {
	ctx := context.Background()
	slack := slackfake.New(t)
	slack.SetRetryAfter("86400")
	clk := newClock()
	st := openStore(t)
	seedAlerts(t, st, clk.Now())
	withClock := func(c *worker.Config) { c.Now = clk.Now }

	slack.FailNext(1, slackfake.FailRateLimit)
	rep, err := workerOn(t, st, newBot(t, slack), withClock).Deliver(ctx, 10*time.Second)
	if !errors.Is(err, worker.ErrUndelivered) {
		t.Errorf("rate limited: error %v, want ErrUndelivered", err)
	}
	if n := posts(slack); n != 1 || rep.Held != len(developments) || rep.HeldUntil.Sub(clk.Now()) < 10*time.Minute {
		t.Fatalf("after a 429 with Retry-After: %d posts, report %+v; want the one refused post and every alert held", n, rep)
	}

	// The next process, a moment later, keeps to the same Retry-After.
	clk.Advance(100 * time.Millisecond)
	next := workerOn(t, st, newBot(t, slack), withClock)
	if rep, err := next.RunOnce(ctx, worker.RunOptions{}); !errors.Is(err, worker.ErrUndelivered) || rep.Delivery.Held != len(developments) {
		t.Errorf("next run: %+v, error %v; want every alert held", rep.Delivery, err)
	}
	if n := posts(slack); n != 1 {
		t.Errorf("%d posts during the Retry-After, want none after the refused one", n-1)
	}

	clk.Advance(alerts.MaxRetryAfter)
	rep, err = next.Deliver(ctx, 10*time.Second)
	if err != nil || rep.Posted != len(developments) {
		t.Errorf("after the Retry-After: %+v, %v; want every alert posted", rep, err)
	}
}

func TestTheDeliveryDeadlineBoundsASlowSlack(t *testing.T) {
	ctx := context.Background()
	slack := slackfake.New(t)
	slack.Delay(3 * time.Second) // stores each message, answers 3 s later
	st := openStore(t)
	seedAlerts(t, st, time.Now())
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	bot.Grace = 100 * time.Millisecond // a post under way outlives the deadline by this much
	w := workerOn(t, st, bot, nil)

	start := time.Now()
	rep, err := w.Deliver(ctx, time.Second)
	elapsed := time.Since(start)
	if !errors.Is(err, worker.ErrUndelivered) || rep.Posted != 0 || rep.Retrying != len(developments) {
		t.Errorf("report %+v, error %v; want every alert left for later", rep, err)
	}
	if elapsed > 2500*time.Millisecond {
		t.Errorf("a delivery step with a 1 s deadline took %s", elapsed)
	}
	if got := testutil.ToFloat64(w.Metrics().DeliveryFailures.WithLabelValues("deadline")); got != 1 {
		t.Errorf("deadline failures counted: %v, want 1", got)
	}

	// Once Slack answers quickly, the post that was cut off is found, not
	// posted again.
	slack.Delay(0)
	rep, err = w.Deliver(ctx, 10*time.Second)
	if err != nil || rep.Found != 1 || rep.Posted != len(developments)-1 {
		t.Errorf("after the slow answers: %+v, %v; want the cut-off post found and the others posted", rep, err)
	}
	if n := len(slack.Messages(slackfake.DefaultChannelID)); n != len(developments) {
		t.Errorf("%d messages in the channel, want %d", n, len(developments))
	}
}

func TestNotReadyWhileDeliveriesAreRefusedOrAlertsWaitTooLong(t *testing.T) {
	ctx := context.Background()
	slack := slackfake.New(t)
	clk := newClock()
	st := openStore(t)
	seedAlerts(t, st, clk.Now())
	w := workerOn(t, st, newBot(t, slack), func(c *worker.Config) { c.Now = clk.Now; c.MaxPendingAge = 30 * time.Minute })
	if err := w.Ready(ctx); err != nil {
		t.Fatalf("fresh alerts waiting: %v", err)
	}

	slack.FailNext(1, "token_revoked")
	if _, err := w.Deliver(ctx, 10*time.Second); !errors.Is(err, worker.ErrNotifier) {
		t.Fatalf("revoked token: error %v, want ErrNotifier", err)
	}
	if err := w.Ready(ctx); !errors.Is(err, worker.ErrNotReady) {
		t.Errorf("revoked token: ready %v, want ErrNotReady", err)
	}
	if code, body := readyz(w); code != http.StatusServiceUnavailable || !strings.Contains(body, "token_revoked") {
		t.Errorf("revoked token: /readyz answered %d %q, want 503 naming the refusal", code, body)
	}
	if got := testutil.ToFloat64(w.Metrics().DeliveryFailures.WithLabelValues("permanent")); got != 1 {
		t.Errorf("permanent failures counted: %v, want 1", got)
	}

	// The token works again (a later retry); an alert then waits too long
	// behind a Slack that cannot be reached.
	clk.Advance(2 * time.Hour)
	if rep, err := w.Deliver(ctx, 10*time.Second); err != nil || rep.Posted != len(developments) {
		t.Fatalf("token fixed: %+v, %v", rep, err)
	}
	if err := w.Ready(ctx); err != nil {
		t.Errorf("everything delivered: %v", err)
	}
	if code, _ := readyz(w); code != http.StatusOK {
		t.Errorf("everything delivered: /readyz answered %d", code)
	}
	seedLate := developments[0]
	seedLate.Date = sources.Date{Year: 2025}
	seedLate.Kind = sources.KindLogistics
	seedLate.A, seedLate.B = []string{"Cainiao"}, []string{"WeChat"}
	if _, err := st.Record(ctx, store.RecordInput{Source: "seed", Alert: true, Now: clk.Now(), Events: []sources.Event{seedLate},
		Article: sources.Article{URL: "https://news.example/late", Title: "late", Lang: "en", Published: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	slack.FailNext(inRunAttempts, slackfake.FailUnavailable)
	if _, err := w.Deliver(ctx, 3*time.Second); !errors.Is(err, worker.ErrUndelivered) {
		t.Fatalf("Slack unavailable: %v", err)
	}
	clk.Advance(31 * time.Minute)
	if err := w.Ready(ctx); !errors.Is(err, worker.ErrNotReady) {
		t.Errorf("an alert waiting 31 min (limit 30): ready %v, want ErrNotReady", err)
	}
	if got := testutil.ToFloat64(w.Metrics().OutboxOldest); got < 31*60 {
		t.Errorf("oldest pending gauge %v s, want at least 31 min", got)
	}
}

// inRunAttempts is more failures than one delivery step makes for a message.
const inRunAttempts = 10

// readyz asks the worker's handler for /readyz.
func readyz(w *worker.Worker) (int, string) {
	rec := httptest.NewRecorder()
	w.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code, rec.Body.String()
}

func TestAShortRateLimitIsWaitedOutByTheNextRun(t *testing.T) {
	ctx := context.Background()
	slack := slackfake.New(t)
	slack.SetRetryAfter("2")
	st := openStore(t)
	seedAlerts(t, st, time.Now())
	slack.FailNext(1, slackfake.FailRateLimit)
	// A deadline too short to wait the 2 s out: everything is held.
	rep, err := workerOn(t, st, newBot(t, slack), nil).Deliver(ctx, time.Second)
	if !errors.Is(err, worker.ErrUndelivered) || rep.Held != len(developments) {
		t.Fatalf("first step: %+v, %v; want every alert held", rep, err)
	}
	// The next run, at once, waits the rest of the Retry-After and delivers.
	start := time.Now()
	rep, err = workerOn(t, st, newBot(t, slack), nil).Deliver(ctx, 10*time.Second)
	if err != nil || rep.Posted != len(developments) {
		t.Fatalf("next run: %+v, %v; want every alert posted", rep, err)
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("the next run posted after %s, inside the Retry-After", waited)
	}
}
