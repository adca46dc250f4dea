package worker_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// storyRun makes one pass over the storyline site on a fresh database with
// the given max_age and options, and returns the report and the channel.
func storyRun(t *testing.T, maxAge time.Duration, opts worker.RunOptions) (worker.Report, *slackfake.Server) {
	t.Helper()
	ctx := context.Background()
	site := newStorySite(t)
	slack := slackfake.New(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	f, err := feed.New("news", site.URL+"/feed.xml", client, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: bot, MaxAge: maxAge,
		Sources: []worker.Source{{Source: f, URL: site.URL + "/feed.xml"}}, Location: time.UTC,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep, slack
}

func notAlerted(rep worker.Report) (headline int, n worker.NotAlerted) {
	for _, s := range rep.Sources {
		headline += s.Headline
		n.MaxAge += s.NotAlerted.MaxAge
		n.NoAlerts += s.NotAlerted.NoAlerts
		n.Coverage += s.NotAlerted.Coverage
	}
	return headline, n
}

// TestHeadlineEventsNotAlertedAreCountedByReason checks the reasons a
// recorded headline event gets no alert of its own against what reached
// the channel.
func TestHeadlineEventsNotAlertedAreCountedByReason(t *testing.T) {
	t.Run("every alert due", func(t *testing.T) {
		rep, slack := storyRun(t, 0, worker.RunOptions{})
		headline, n := notAlerted(rep)
		var tops, replies int
		for _, m := range slack.Messages(slackfake.DefaultChannelID) {
			if m.IsReply() {
				replies++
			} else {
				tops++
			}
		}
		if headline == 0 || n.MaxAge != 0 || n.NoAlerts != 0 {
			t.Fatalf("%d headline events, not alerted %+v", headline, n)
		}
		if headline-n.Total() != tops || n.Coverage != replies {
			t.Errorf("%d headline events, not alerted %+v; channel has %d alerts and %d replies", headline, n, tops, replies)
		}
	})
	t.Run("older than max_age", func(t *testing.T) {
		rep, slack := storyRun(t, time.Hour, worker.RunOptions{})
		headline, n := notAlerted(rep)
		if headline == 0 || n.MaxAge != headline || n.Total() != headline {
			t.Errorf("%d headline events, not alerted %+v; want all for max_age", headline, n)
		}
		if got := len(slack.Messages(slackfake.DefaultChannelID)); got != 0 {
			t.Errorf("%d messages posted, want none", got)
		}
	})
	t.Run("no alerts", func(t *testing.T) {
		rep, _ := storyRun(t, 0, worker.RunOptions{NoAlerts: true, NoDelivery: true})
		headline, n := notAlerted(rep)
		if headline == 0 || n.NoAlerts != headline || n.Total() != headline {
			t.Errorf("%d headline events, not alerted %+v; want all for --no-alerts", headline, n)
		}
	})
}

// TestDeliveryLogsNameTheDevelopment checks that the log line of each post
// names the development by its header, not only by a row number.
func TestDeliveryLogsNameTheDevelopment(t *testing.T) {
	slack := slackfake.New(t)
	clk := newClock()
	st := openStore(t)
	seedAlerts(t, st, clk.Now())
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	w := workerOn(t, st, newBot(t, slack), func(c *worker.Config) { c.Now = clk.Now; c.Logger = logger })
	if rep, err := w.Deliver(context.Background(), 10*time.Second); err != nil || rep.Posted != len(developments) {
		t.Fatalf("deliver: %+v, %v", rep, err)
	}
	named := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l struct{ Msg, Development string }
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l.Msg == "posted" {
			named[l.Development] = true
		}
	}
	for _, ev := range developments {
		want := alerts.Headline(alerts.Development{A: ev.A, B: ev.B, Kind: ev.Kind, Stage: ev.Stage, Date: ev.Date}, sources.Date{})
		if !named[want] {
			t.Errorf("no posted line names %q; logs:\n%s", want, logs.String())
		}
	}
}
