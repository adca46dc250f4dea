package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/store"
)

// storySite serves one feed listing one story that reports a development.
func storySite(t *testing.T) *httptest.Server {
	t.Helper()
	published := time.Now().Add(-time.Hour).UTC()
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>wire</title>
<item><title>Taobao starts accepting WeChat Pay</title><link>/story.html</link><pubDate>%s</pubDate></item></channel></rss>`,
			published.Format(time.RFC1123Z))
	})
	mux.HandleFunc("/story.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, healthyArticle, published.Format(time.RFC3339))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// storyConfig writes a config for site with the given slack section and
// returns its path and the database path.
func storyConfig(t *testing.T, site *httptest.Server, slack string) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "w.db")
	body := fmt.Sprintf("database: %s\ntimezone: UTC\n%salerts:\n  max_age: 0\n  delivery_deadline: 5s\n"+
		"http:\n  allow_private_networks: true\n  per_host_rate: 0\n  timeout: 3s\n"+
		"sources:\n  - {name: wire, url: '%s/feed.xml', type: feed}\n", db, slack, site.URL)
	cfg = filepath.Join(dir, "worker.yaml")
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

func TestRunOnceExitsOneWheneverAlertsCannotBeDelivered(t *testing.T) {
	site := storySite(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	downURL := down.URL
	down.Close() // nothing listens there any more

	for name, tc := range map[string]struct {
		down bool
		fail string
	}{
		"slack unreachable all run": {down: true},
		"invalid_auth":              {fail: "invalid_auth"},
		"slack answers 503":         {fail: slackfake.FailUnavailable},
	} {
		t.Run(name, func(t *testing.T) {
			slack := slackfake.New(t)
			apiURL := slack.APIURL()
			if tc.down {
				apiURL = downURL + "/api/"
			}
			cfg, _ := storyConfig(t, site, fmt.Sprintf("slack:\n  token: %s\n  channel: %s\n  api_url: %s\n",
				slack.Token(), slackfake.DefaultChannelID, apiURL))
			if tc.fail != "" {
				slack.FailNext(20, tc.fail)
			}
			_, stderr, code := runCLI(t, "run-once", "--config", cfg, "--log-format", "json")
			if code != 1 {
				t.Errorf("exit %d, want 1:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, "not delivered") && !strings.Contains(stderr, "cannot be delivered") {
				t.Errorf("the error does not say the alerts were not delivered:\n%s", stderr)
			}
		})
	}
}

func TestRunOnceExitsOneWhenNothingCanBeRecorded(t *testing.T) {
	site := storySite(t)
	cfg, db := storyConfig(t, site, "")
	// Every write of an article fails, as on a full disk.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`CREATE TRIGGER disk_full BEFORE INSERT ON articles BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "run-once", "--config", cfg, "--log-format", "json")
	if code != 1 {
		t.Errorf("exit %d with nothing recorded, want 1:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "1 not recorded") || !strings.Contains(stderr, "database or disk is full") {
		t.Errorf("the summary does not say what was not recorded:\n%s", stderr)
	}
}

func TestConfigCheckRefusesASlackSectionThatGivesNoDestination(t *testing.T) {
	cfg := writeTemp(t, "slack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: '#alerts'\nsources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n")
	_, stderr, code := runCLI(t, "config", "check", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "slack.token") || !strings.Contains(stderr, "${SLACK_BOT_TOKEN}") {
		t.Errorf("exit %d, want 2 naming slack.token and its variable:\n%s", code, stderr)
	}
	stdout, stderr, code := runCLI(t, "config", "check", "--config", writeTemp(t, "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n"))
	if code != 0 || !strings.Contains(stdout, "alerts go to: standard output (no Slack setting") {
		t.Errorf("without Slack settings: exit %d:\n%s%s", code, stdout, stderr)
	}
}
