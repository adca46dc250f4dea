package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	leakToken = "xoxb-4242-4343-LEAKYTOKEN"
	leakHook  = "https://hooks.slack.com/services/TLEAK0001/BLEAK0002/LEAKYHOOKSECRET"
)

// leaks lists the parts of the test secrets that must never be shown.
var leaks = []string{leakToken, "LEAKYTOKEN", "4242-4343", "TLEAK0001", "BLEAK0002", "LEAKYHOOK", "pAsSwOrD", "QSECRET"}

func checkNoLeak(t *testing.T, what, s string) {
	t.Helper()
	for _, l := range leaks {
		if strings.Contains(s, l) {
			t.Errorf("%s shows %q:\n%s", what, l, s)
		}
	}
}

// A secret mounted from a file ends with a newline: it is trimmed, and a
// webhook URL the config cannot use is named by its key, never shown.
func TestSecretValuesFromTheEnvironment(t *testing.T) {
	for name, v := range map[string]string{"newline": leakHook + "\n", "CRLF": leakHook + "\r\n", "spaces": "  " + leakHook + " "} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Parse("t.yaml", nil, envOf(map[string]string{"SLACK_WEBHOOK_URL": v}))
			if err != nil {
				checkNoLeak(t, "error", err.Error())
				t.Fatalf("a webhook URL with surrounding white space: %v", err)
			}
			if cfg.Slack.WebhookURL.Reveal() != leakHook {
				t.Errorf("webhook URL %q, want it trimmed", cfg.Slack.WebhookURL.Reveal())
			}
			var buf bytes.Buffer
			if err := cfg.Masked().Write(&buf); err != nil {
				t.Fatal(err)
			}
			checkNoLeak(t, "config check", buf.String()+fmt.Sprintf("%+v %#v", cfg, cfg))
		})
	}
	for name, v := range map[string]string{
		"bad escape":         leakHook + "%zz",
		"control inside":     strings.Replace(leakHook, "/services/", "/serv\r\nices/", 1),
		"not http":           "ftp" + strings.TrimPrefix(leakHook, "https"),
		"no host":            "https:///services/TLEAK0001/BLEAK0002/LEAKYHOOKSECRET",
		"a token, not a URL": leakToken,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.yaml", nil, envOf(map[string]string{"SLACK_WEBHOOK_URL": v}))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "slack.webhook_url") {
				t.Fatalf("error %v; want one naming slack.webhook_url", err)
			}
			checkNoLeak(t, "error", err.Error())
		})
	}
}

// A value that looks like a token or a webhook URL in a field that is not
// secret is a config error, named by its key, the value not shown.
func TestSecretInANonSecretField(t *testing.T) {
	tests := map[string]struct{ yaml, key string }{
		"token as channel": {yaml: "slack:\n  token: xoxb-1-2-fine\n  channel: " + leakToken + "\n", key: "slack.channel"},
		"token as channel from the environment": {
			yaml: "slack:\n  token: xoxb-1-2-fine\n  channel: ${CHANNEL}\n", key: "slack.channel"},
		"webhook URL as source": {
			yaml: "sources:\n  - {name: a, url: '" + leakHook + "', type: feed}\n", key: "sources[0].url"},
		"token as source name, twice": {
			yaml: "sources:\n  - {name: " + leakToken + ", url: 'https://a.example/f', type: feed}\n" +
				"  - {name: " + leakToken + ", url: 'https://b.example/f', type: feed}\n", key: "sources[1].name"},
		"token as user agent":   {yaml: "http:\n  user_agent: 'x " + leakToken + "'\n", key: "http.user_agent"},
		"token as timezone":     {yaml: "timezone: " + leakToken + "\n", key: "timezone"},
		"token as a duration":   {yaml: "http:\n  timeout: " + leakToken + "\n", key: "http.timeout"},
		"app token as database": {yaml: "database: xapp-1-A0-QSECRET\n", key: "database"},
		"api_url with a password": {
			yaml: "slack:\n  token: xoxb-1-2-fine\n  channel: C1\n  api_url: https://bot:pAsSwOrD@slack.example/api/\n", key: "slack.api_url"},
		"api_url with a token in the query": {
			yaml: "slack:\n  token: xoxb-1-2-fine\n  channel: C1\n  api_url: https://slack.example/api/?token=QSECRET\n", key: "slack.api_url"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.yaml), envOf(map[string]string{"CHANNEL": leakToken}))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error %v; want one naming %s", err, tc.key)
			}
			checkNoLeak(t, "error", err.Error())
		})
	}
}

// The token never shows in config check, a printed config or an error.
func TestTokenNeverPrinted(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte("slack:\n  token: ${T}\n  channel: C1\n"), envOf(map[string]string{"T": leakToken + "\n"}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cfg.Masked().Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Write(&buf); err != nil {
		t.Fatal(err)
	}
	checkNoLeak(t, "printed config", buf.String()+fmt.Sprintf("%v %+v %#v %s", cfg, cfg.Slack, cfg.Slack, cfg.Slack.Token))
	if cfg.Slack.Token.Reveal() != leakToken {
		t.Errorf("token %q, want it trimmed", cfg.Slack.Token.Reveal())
	}
}
