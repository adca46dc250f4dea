package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// slackEnv are the environment variables that configure Slack without a
// config file, by the setting they fill.
var slackEnv = []struct{ key, name string }{
	{"token", "SLACK_BOT_TOKEN"},
	{"channel", "SLACK_CHANNEL"},
	{"webhook_url", "SLACK_WEBHOOK_URL"},
}

// slackSettings records where Slack settings were given: the keys of the
// file's slack section with their text before ${VAR} expansion, and the
// Slack variables set in the environment (even to "").
type slackSettings struct {
	file map[string]string // key -> raw value
	env  map[string]bool   // variable name -> set
}

// readSlackSettings notes the slack section's keys of root before expansion.
func readSlackSettings(root *yaml.Node, env Getenv) slackSettings {
	s := slackSettings{file: map[string]string{}, env: map[string]bool{}}
	if root != nil && root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "slack" || root.Content[i+1].Kind != yaml.MappingNode {
				continue
			}
			sec := root.Content[i+1]
			for j := 0; j+1 < len(sec.Content); j += 2 {
				if v := sec.Content[j+1]; v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
					s.file[sec.Content[j].Value] = v.Value
				}
			}
		}
	}
	for _, e := range slackEnv {
		if _, ok := env(e.name); ok {
			s.env[e.name] = true
		}
	}
	return s
}

// any reports whether any Slack setting was given at all.
func (s slackSettings) any() bool { return len(s.file) > 0 || len(s.env) > 0 }

// checkSlack refuses Slack settings that, after expansion, give neither a
// token with a channel nor a webhook URL: alerts would silently go to
// standard output. Only a config with no Slack setting at all, in the file
// or the environment, prints alerts. Errors name the empty setting and the
// variables it was to come from, never a value.
func checkSlack(c *Config, s slackSettings) error {
	if !s.any() {
		return nil
	}
	sl := c.Slack
	if (!sl.Token.IsZero() && sl.Channel != "") || !sl.WebhookURL.IsZero() {
		return nil
	}
	var why []string
	for _, k := range []string{"token", "webhook_url", "channel"} {
		if raw, ok := s.file[k]; ok && !s.set(c, k) {
			why = append(why, fmt.Sprintf("slack.%s is empty%s", k, expandedFrom(raw)))
		}
	}
	for _, e := range slackEnv {
		if s.env[e.name] && !s.set(c, e.key) {
			why = append(why, e.name+" is set but empty")
		}
	}
	key := "slack.token"
	switch {
	case !sl.Token.IsZero():
		key = "slack.channel"
		why = append(why, "a channel is required with a token (slack.channel or SLACK_CHANNEL)")
	case sl.Channel != "":
		why = append(why, "a channel needs a token (slack.token or SLACK_BOT_TOKEN)")
	case len(why) == 0:
		why = append(why, "slack settings are given but neither a token nor a webhook URL")
	}
	return &FieldError{Key: key, Reason: "no usable Slack destination: " + strings.Join(why, "; ") +
		" (remove every Slack setting to print alerts to standard output)"}
}

// set reports whether the config's Slack setting key ended up non-empty.
func (s slackSettings) set(c *Config, key string) bool {
	switch key {
	case "token":
		return !c.Slack.Token.IsZero()
	case "channel":
		return c.Slack.Channel != ""
	case "webhook_url":
		return !c.Slack.WebhookURL.IsZero()
	}
	return false
}

// expandedFrom names the variables a raw value was to be expanded from.
func expandedFrom(raw string) string {
	var names []string
	for _, m := range varRef.FindAllStringSubmatch(raw, -1) {
		names = append(names, "${"+m[1]+"}")
	}
	if len(names) == 0 {
		return ""
	}
	return " after expanding " + strings.Join(names, ", ") + " (is the variable set and passed to the process?)"
}
