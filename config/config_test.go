package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/internal/sharedtest"
)

func envOf(m map[string]string) Getenv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultConfigLoads(t *testing.T) {
	cfg, err := Load("", envOf(nil))
	if err != nil {
		t.Fatalf("built-in default: %v", err)
	}
	if len(cfg.Sources) < 6 {
		t.Errorf("default has %d sources, want real English and Chinese feeds", len(cfg.Sources))
	}
	if cfg.UsesSlack() {
		t.Errorf("default must write alerts to stdout")
	}
	if cfg.Location.String() != "Asia/Shanghai" {
		t.Errorf("location = %v", cfg.Location)
	}
	if cfg.Alerts.MaxAge.D() != 7*24*time.Hour {
		t.Errorf("max_age = %v", cfg.Alerts.MaxAge.D())
	}
}

func TestInvalidConfigsNameFileKeyAndReason(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want []string
	}{
		"unknown key": {
			yaml: "schedul: '@every 1m'\n",
			want: []string{"bad.yaml", "line 1", "schedul"},
		},
		"bad source type": {
			yaml: "sources:\n  - name: a\n    url: https://a.example/feed\n    type: rss\n",
			want: []string{"sources[0].type", `"rss"`},
		},
		"html without item selector": {
			yaml: "sources:\n  - name: a\n    url: https://a.example/\n    type: html\n    selectors:\n      link: a\n",
			want: []string{"sources[0].selectors.item", "required"},
		},
		"bad css selector": {
			yaml: "sources:\n  - name: a\n    url: https://a.example/\n    type: html\n    selectors:\n      item: 'ul >> li['\n      link: a\n",
			want: []string{"sources[0].selectors.item", "bad CSS selector"},
		},
		"duplicate names": {
			yaml: "sources:\n  - {name: a, url: 'https://a.example/f', type: feed}\n  - {name: a, url: 'https://b.example/f', type: feed}\n",
			want: []string{"sources[1].name", "sources[0]"},
		},
		"not a url": {
			yaml: "sources:\n  - {name: a, url: 'ftp://a.example/f', type: feed}\n",
			want: []string{"sources[0].url", "http or https"},
		},
		"cron tz panic": {
			yaml: "schedule: 'TZ=Asia/Shanghai'\n",
			want: []string{"schedule", "needs a zone and then a schedule"},
		},
		"every zero": {
			yaml: "schedule: '@every 0s'\n",
			want: []string{"schedule", "interval under"},
		},
		"never fires": {
			yaml: "schedule: '0 9 31 2 *'\n",
			want: []string{"schedule", "never fires"},
		},
		"bad duration": {
			yaml: "http:\n  timeout: twenty\n",
			want: []string{"line 2", "twenty"},
		},
		"token without channel": {
			yaml: "slack:\n  token: xoxb-1\n",
			want: []string{"slack.channel", "required"},
		},
		"bad timezone": {
			yaml: "timezone: Mars/Olympus\n",
			want: []string{"timezone", "Mars/Olympus"},
		},
		"source schedule": {
			yaml: "sources:\n  - {name: a, url: 'https://a.example/f', type: feed, schedule: 'every day'}\n",
			want: []string{"sources[0].schedule"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, envOf(nil))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), envOf(nil))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvironment(t *testing.T) {
	yml := "database: ${DATA_DIR}/w.db\nslack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: ${CH:-#alerts}\n" +
		"sources:\n  - {name: a, url: 'https://a.example/f?x=$1', type: feed}\n"
	cfg, err := Parse("t.yaml", []byte(yml), envOf(map[string]string{
		"DATA_DIR": "/var/lib/w", "SLACK_BOT_TOKEN": "xoxb-123-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "/var/lib/w/w.db" || cfg.Slack.Token.Reveal() != "xoxb-123-secret" || cfg.Slack.Channel != "#alerts" {
		t.Errorf("expansion: %+v", cfg)
	}
	if cfg.Sources[0].URL != "https://a.example/f?x=$1" {
		t.Errorf("a lone $ was changed: %q", cfg.Sources[0].URL)
	}

	cfg, err = Parse("t.yaml", nil, envOf(map[string]string{
		"WORKER_DATABASE": "/tmp/x.db", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "/tmp/x.db" || cfg.Slack.WebhookURL.IsZero() {
		t.Errorf("environment without a file: %+v", cfg)
	}
}

func TestMaskedOutputHasNoSecrets(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte("slack:\n  webhook_url: https://hooks.slack.com/services/T0/B0/sEcReT\n"+
		"sources:\n  - {name: a, url: 'https://user:pAsS@a.example/f', type: feed}\n"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cfg.Masked().Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{"sEcReT", "pAsS", "T0/B0"} {
		if strings.Contains(out, secret) {
			t.Errorf("masked config shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "hooks.slack.com") {
		t.Errorf("masked config hides too much:\n%s", out)
	}
	cfg2, err := Parse("t.yaml", []byte("slack:\n  token: xoxb-999-tOkEn\n  channel: C1\n"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	_ = cfg2.Masked().Write(&buf)
	if strings.Contains(buf.String(), "tOkEn") || !strings.Contains(buf.String(), "xoxb-") {
		t.Errorf("token masking:\n%s", buf.String())
	}
	// The printed config loads again.
	if _, err := Parse("again", buf.Bytes(), envOf(nil)); err != nil {
		t.Errorf("printed config does not load: %v", err)
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90s": 90 * time.Second,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseDuration(FormatDuration(want)); back != want {
			t.Errorf("FormatDuration(%v) does not round-trip", want)
		}
	}
	if _, err := ParseDuration("7x"); err == nil {
		t.Error("7x parsed")
	}
}

func TestMaxAgeZeroMeansNoLimit(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte("alerts:\n  max_age: 0\n"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Alerts.MaxAge != 0 {
		t.Errorf("max_age 0 became %v", cfg.Alerts.MaxAge.D())
	}
}

func TestFixtureSourcesYAML(t *testing.T) {
	p := sharedtest.Path(t, "corpus", "site", "sources.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(p, bytes.ReplaceAll(b, []byte("PORT"), []byte("8000")), envOf(nil))
	if err != nil {
		t.Fatalf("fixture config: %v", err)
	}
	if len(cfg.Sources) != 5 || cfg.Sources[4].Selectors.Next != "a.next-page" || !cfg.HTTP.AllowPrivateNetworks {
		t.Errorf("fixture config read as %+v", cfg.Sources)
	}
}
