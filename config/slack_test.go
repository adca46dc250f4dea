package config

import (
	"errors"
	"strings"
	"testing"
)

func TestASlackSectionThatGivesNoDestinationIsAnError(t *testing.T) {
	tests := map[string]struct {
		yaml string
		env  map[string]string
		want []string // in the error
	}{
		"unset token variable": {
			yaml: "slack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: '#alerts'\n",
			want: []string{"slack.token", "${SLACK_BOT_TOKEN}"},
		},
		"channel without a token": {
			yaml: "slack:\n  channel: '#alerts'\n",
			want: []string{"slack.token", "a channel needs a token"},
		},
		"token and webhook both unset": {
			yaml: "slack:\n  token: ${SLACK_BOT_TOKEN}\n  webhook_url: ${SLACK_WEBHOOK_URL}\n  channel: C1\n",
			want: []string{"slack.token is empty", "slack.webhook_url is empty", "${SLACK_WEBHOOK_URL}"},
		},
		"an empty token": {
			yaml: "slack:\n  token: ''\n  channel: C1\n",
			want: []string{"slack.token is empty"},
		},
		"only an api url": {
			yaml: "slack:\n  api_url: http://127.0.0.1:9/api/\n",
			want: []string{"slack.token", "neither a token nor a webhook URL"},
		},
		"the variable not passed into the container": {
			yaml: "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n",
			env:  map[string]string{"SLACK_CHANNEL": "#alerts", "SLACK_BOT_TOKEN": ""},
			want: []string{"SLACK_BOT_TOKEN is set but empty"},
		},
		"a channel in the environment only": {
			yaml: "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n",
			env:  map[string]string{"SLACK_CHANNEL": "#alerts"},
			want: []string{"a channel needs a token"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tt.yaml), envOf(tt.env))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestStandardOutputOnlyWithoutAnySlackSetting(t *testing.T) {
	for name, tt := range map[string]struct {
		yaml      string
		env       map[string]string
		usesSlack bool
	}{
		"no slack anywhere":       {yaml: "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n"},
		"an empty slack section":  {yaml: "slack: {}\n"},
		"token from the env":      {yaml: "slack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: C1\n", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, usesSlack: true},
		"token, webhook unset":    {yaml: "slack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: C1\n  webhook_url: ${SLACK_WEBHOOK_URL}\n", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, usesSlack: true},
		"webhook from the env":    {yaml: "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n", env: map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}, usesSlack: true},
		"default with token only": {yaml: "sources: [{name: wire, url: 'https://news.example/feed.xml', type: feed}]\n", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CHANNEL": "C1"}, usesSlack: true},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Parse("w.yaml", []byte(tt.yaml), envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.UsesSlack() != tt.usesSlack {
				t.Errorf("uses Slack %v, want %v", cfg.UsesSlack(), tt.usesSlack)
			}
		})
	}
}
