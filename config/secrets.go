package config

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wallwatch/worker/internal/secret"
)

//go:embed secret_shapes.txt
var secretShapesText string

// secretShape matches the shapes of Slack secrets (secret_shapes.txt).
var secretShape = mustShapes(secretShapesText)

func mustShapes(text string) *regexp.Regexp {
	var alts []string
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			alts = append(alts, "(?:"+line+")")
		}
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}

// looksSecret reports whether s holds something shaped like a Slack token or
// webhook URL.
func looksSecret(s string) bool { return secretShape.MatchString(s) }

var secretType = reflect.TypeFor[secret.Value]()

// checkSecretShapes walks the YAML (after ${VAR} expansion) beside the
// config's type and reports every value that looks like a Slack secret in a
// setting that is not a secret. The errors name the key, never the value.
func checkSecretShapes(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == secretType {
		return nil
	}
	var errs []error
	switch n.Kind {
	case yaml.ScalarNode:
		if looksSecret(n.Value) {
			errs = append(errs, secretMisplaced(path))
		}
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			f, ok := fieldByTag(t, key)
			if !ok {
				continue // checkKeys reports it
			}
			p := key
			if path != "" {
				p = path + "." + key
			}
			errs = append(errs, checkSecretShapes(n.Content[i+1], f, p)...)
		}
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for i, c := range n.Content {
			errs = append(errs, checkSecretShapes(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

// fieldByTag finds the type of t's field that YAML key names.
func fieldByTag(t reflect.Type, key string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		if tag == key && tag != "-" && f.IsExported() {
			return f.Type, true
		}
	}
	return nil, false
}

func secretMisplaced(key string) error {
	return &FieldError{Key: key, Reason: "looks like a Slack token or webhook URL, which belong in slack.token " +
		"or slack.webhook_url only (the value is not shown)"}
}

// checkEnvSecretShapes checks the non-secret settings the environment fills.
func checkEnvSecretShapes(c *Config) error {
	var errs []error
	for key, v := range map[string]string{"slack.channel": c.Slack.Channel, "database": c.Database} {
		if looksSecret(v) {
			errs = append(errs, secretMisplaced(key))
		}
	}
	return errors.Join(errs...)
}

// scrub removes from err's text every secret of c and everything shaped like
// one; the result still matches ErrInvalid.
func scrub(err error, c *Config) error {
	if err == nil {
		return nil
	}
	msg := secretShape.ReplaceAllString(err.Error(), "[redacted]")
	for _, s := range []secret.Value{c.Slack.Token, c.Slack.WebhookURL} {
		if v := s.Reveal(); len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return scrubbed{msg: msg}
}

// scrubbed is a config error whose text had a secret removed. It matches
// ErrInvalid but unwraps to nothing else, so the original text is gone.
type scrubbed struct{ msg string }

func (e scrubbed) Error() string        { return e.msg }
func (e scrubbed) Is(target error) bool { return target == ErrInvalid }

// secretURL checks a secret URL with messages that never quote it.
func secretURL(s string) error {
	u, err := parseURLQuietly(s)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an http or https URL (the value is not shown)")
	case u.Host == "":
		return errors.New("no host (the value is not shown)")
	}
	return nil
}

// parseURLQuietly is url.Parse with an error that does not quote the URL.
func parseURLQuietly(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL: a control character, space or bad %-escape (the value is not shown)")
	}
	return u, nil
}
