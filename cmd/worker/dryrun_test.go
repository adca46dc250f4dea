package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wallwatch/worker/alerts/slackfake"
)

func slackSection(slack *slackfake.Server) string {
	return fmt.Sprintf("slack:\n  token: %s\n  channel: %s\n  api_url: %s\n", slack.Token(), slackfake.DefaultChannelID, slack.APIURL())
}

func topLevel(slack *slackfake.Server) int {
	n := 0
	for _, m := range slack.Messages(slackfake.DefaultChannelID) {
		if !m.IsReply() {
			n++
		}
	}
	return n
}

func TestADryRunChangesNothing(t *testing.T) {
	site := storySite(t)
	slack := slackfake.New(t)
	cfg, db := storyConfig(t, site, slackSection(slack))

	stdout, stderr, code := runCLI(t, "run-once", "--config", cfg, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "/story.html") {
		t.Fatalf("dry run: exit %d, payloads:\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a dry run on a new setup created the database (%v)", err)
	}
	if n := len(slack.Calls()); n != 0 {
		t.Errorf("a dry run made %d Slack calls", n)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || topLevel(slack) != 1 {
		t.Fatalf("the real run after the dry run: exit %d, %d alerts posted, want 1:\n%s", code, topLevel(slack), stderr)
	}
	// A dry run on a database in use leaves it as it was, and prints
	// nothing more: everything is delivered.
	before, _ := os.ReadFile(db)
	if stdout, _, code := runCLI(t, "run-once", "--config", cfg, "--dry-run", "--force"); code != 0 || strings.Contains(stdout, "/story.html") {
		t.Errorf("dry run on a delivered database: exit %d, printed:\n%s", code, stdout)
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Errorf("a dry run changed the database file")
	}
}

func TestAlertsPrintedToStandardOutputCanBeDeliveredToSlackLater(t *testing.T) {
	site := storySite(t)
	slack := slackfake.New(t)
	printCfg, db := storyConfig(t, site, "")
	stdout, stderr, code := runCLI(t, "run-once", "--config", printCfg)
	if code != 0 || !strings.Contains(stdout, "/story.html") {
		t.Fatalf("run with alerts on standard output: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	body, _ := os.ReadFile(printCfg)
	slackCfg := writeTemp(t, strings.Replace(string(body), "alerts:", slackSection(slack)+"alerts:", 1))
	if !strings.Contains(string(body), db) {
		t.Fatal("the configs do not share the database")
	}

	if _, stderr, code := runCLI(t, "run-once", "--config", slackCfg); code != 0 || topLevel(slack) != 0 {
		t.Fatalf("a plain run with Slack: exit %d, %d posted; printed alerts are not posted unasked:\n%s", code, topLevel(slack), stderr)
	}
	_, stderr, code = runCLI(t, "run-once", "--config", slackCfg, "--deliver-printed")
	if code != 0 || topLevel(slack) != 1 {
		t.Fatalf("--deliver-printed: exit %d, %d alerts posted, want 1:\n%s", code, topLevel(slack), stderr)
	}
	if _, _, code := runCLI(t, "run-once", "--config", slackCfg, "--deliver-printed"); code != 0 || topLevel(slack) != 1 {
		t.Errorf("--deliver-printed again: exit %d, %d alerts; want nothing posted twice", code, topLevel(slack))
	}
	if _, _, code := runCLI(t, "run-once", "--config", printCfg, "--deliver-printed"); code != 2 {
		t.Errorf("--deliver-printed without Slack: exit %d, want 2", code)
	}
}

func TestNoAlertsCatchesUpSilently(t *testing.T) {
	site := storySite(t)
	slack := slackfake.New(t)
	cfg, _ := storyConfig(t, site, slackSection(slack))
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg, "--no-alerts"); code != 0 {
		t.Fatalf("--no-alerts: exit %d:\n%s", code, stderr)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg); code != 0 || len(slack.Calls()) != 0 {
		t.Fatalf("after catching up silently: exit %d, %d Slack calls; want none:\n%s", code, len(slack.Calls()), stderr)
	}

	// Alerts an earlier run left pending stay pending through --no-alerts.
	site2 := storySite(t)
	cfg2, _ := storyConfig(t, site2, slackSection(slack))
	slack.FailNext(1, "invalid_auth")
	if _, _, code := runCLI(t, "run-once", "--config", cfg2); code != 1 {
		t.Fatalf("run with the token refused: exit %d, want 1", code)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg2, "--no-alerts"); code != 0 || topLevel(slack) != 0 {
		t.Fatalf("--no-alerts with an alert pending: exit %d, %d posted; want none:\n%s", code, topLevel(slack), stderr)
	}
	if _, stderr, code := runCLI(t, "run-once", "--config", cfg2); code != 0 || topLevel(slack) != 1 {
		t.Errorf("the next plain run: exit %d, %d posted; want the pending alert:\n%s", code, topLevel(slack), stderr)
	}
}
