package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wallwatch/worker/alerts/slackfake"
)

type listedDevelopment struct {
	ID    int64  `json:"id"`
	What  string `json:"what"`
	Alert string `json:"alert"`
	Slack string `json:"slack"`
	Muted string `json:"muted"`
}

func listDevelopments(t *testing.T, cfg string) []listedDevelopment {
	t.Helper()
	stdout, stderr, code := runCLI(t, "developments", "list", "--format", "json", "--config", cfg)
	if code != 0 {
		t.Fatalf("developments list: exit %d: %s", code, stderr)
	}
	var out []listedDevelopment
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var d listedDevelopment
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, d)
	}
	return out
}

// TestDevelopmentsListShowResendMute goes through the operator's commands
// against a real run: the list gives each development with its Slack link,
// resend posts the alert again, and a muted development, source or kind
// posts nothing more.
func TestDevelopmentsListShowResendMute(t *testing.T) {
	site := storySite(t)
	slack := slackfake.New(t)
	cfg, _ := storyConfig(t, site, slackSection(slack))
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("run-once: exit %d: %s", code, stderr)
	}
	devs := listDevelopments(t, cfg)
	if len(devs) != 1 || devs[0].Alert != "posted" || !strings.HasPrefix(devs[0].What, "WeChat Pay on Taobao") || devs[0].Muted != "" {
		t.Fatalf("developments: %+v", devs)
	}
	msgs := slack.Messages(slackfake.DefaultChannelID)
	if len(msgs) != 1 || !strings.Contains(devs[0].Slack, strings.ReplaceAll(msgs[0].TS, ".", "")) {
		t.Errorf("slack link %q does not name the posted message %+v", devs[0].Slack, msgs)
	}
	table, _, code := runCLI(t, "developments", "list", "--config", cfg)
	if code != 0 || !strings.Contains(table, devs[0].Slack) || !strings.Contains(table, devs[0].What) {
		t.Errorf("table (exit %d):\n%s", code, table)
	}
	show, _, code := runCLI(t, "developments", "show", "1", "--config", cfg)
	if code != 0 || !strings.Contains(show, `"slack": "`+devs[0].Slack+`"`) {
		t.Errorf("show (exit %d):\n%s", code, show)
	}

	// resend: posted again by the next run, as a new message.
	if out, stderr, code := runCLI(t, "developments", "resend", "1", "--config", cfg); code != 0 || !strings.Contains(out, "queued") {
		t.Fatalf("resend: exit %d: %s %s", code, out, stderr)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 {
		t.Fatalf("run-once after resend: exit %d: %s", code, stderr)
	}
	if n := topLevel(slack); n != 2 {
		t.Errorf("%d alerts after a resend, want 2", n)
	}

	// mute the development, then resend it: nothing is posted, and the
	// summary and the list say it is muted.
	for _, args := range [][]string{{"mute", "development", "1"}, {"resend", "1"}} {
		if _, stderr, code := runCLI(t, append(append([]string{"developments"}, args...), "--config", cfg)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	_, stderr, code := runCLI(t, "run-once", "--config", cfg)
	if code != 0 || !strings.Contains(stderr, "1 alerts and replies muted") {
		t.Errorf("run-once with the development muted: exit %d:\n%s", code, stderr)
	}
	if n := topLevel(slack); n != 2 {
		t.Errorf("%d alerts with the development muted, want still 2", n)
	}
	if devs := listDevelopments(t, cfg); devs[0].Muted != "development 1" || devs[0].Alert != "set aside" {
		t.Errorf("muted development listed as %+v", devs[0])
	}
	if _, stderr, code := runCLI(t, "developments", "mute", "development", "1", "--undo", "--config", cfg); code != 0 {
		t.Errorf("unmute: exit %d:\n%s", code, stderr)
	}
	if devs := listDevelopments(t, cfg); devs[0].Muted != "" {
		t.Errorf("unmuted development listed as %+v", devs[0])
	}
	if _, stderr, code := runCLI(t, "developments", "mute", "development", "1", "--undo", "--config", cfg); code != 2 || !strings.Contains(stderr, "not muted") {
		t.Errorf("unmuting what is not muted: exit %d:\n%s", code, stderr)
	}

	// bad usage names what was wrong.
	for _, args := range [][]string{{"mute", "kind", "gossip"}, {"mute", "source", "nowhere"}, {"mute", "colour", "red"},
		{"show", "x"}, {"resend", "99"}, {"mute", "development", "99"}} {
		_, stderr, code := runCLI(t, append(append([]string{"developments"}, args...), "--config", cfg)...)
		if code == 0 || !strings.Contains(stderr, `"`+args[len(args)-1]+`"`) && !strings.Contains(stderr, `"`+args[1]+`"`) &&
			!strings.Contains(stderr, "development "+args[len(args)-1]) {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}

// A muted source or kind sets aside what is still to be posted for it.
func TestMutedSourceAndKindPostNothing(t *testing.T) {
	for _, mute := range [][]string{{"source", "wire"}, {"kind", "payment"}} {
		t.Run(mute[0], func(t *testing.T) {
			site := storySite(t)
			slack := slackfake.New(t)
			cfg, _ := storyConfig(t, site, slackSection(slack))
			// Slack refuses the first run's alert, which stays queued.
			slack.FailNext(1, "invalid_auth")
			if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 1 {
				t.Fatalf("run-once with Slack refusing: exit %d: %s", code, stderr)
			}
			if _, stderr, code := runCLI(t, append([]string{"developments", "mute"}, append(mute, "--config", cfg)...)...); code != 0 {
				t.Fatalf("mute: exit %d: %s", code, stderr)
			}
			if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || !strings.Contains(stderr, "muted") {
				t.Fatalf("run-once: exit %d: %s", code, stderr)
			}
			if n := len(slack.Messages(slackfake.DefaultChannelID)); n != 0 {
				t.Errorf("%d messages posted with %v muted", n, mute)
			}
		})
	}
}
