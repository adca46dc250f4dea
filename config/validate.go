package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
)

// FieldError names the key that is wrong and why.
type FieldError struct {
	Key    string // e.g. "sources[2].selectors.item"
	Reason string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Reason }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// MinInterval is the shortest schedule accepted: anything faster is a typo
// (robfig/cron runs "@every 0s" and "@every 500ms" every second).
const MinInterval = time.Second

// Validate checks every value and loads the timezone. It reports every
// problem it finds, joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, &FieldError{Key: key, Reason: fmt.Sprintf(format, a...)})
	}

	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		bad("timezone", "unknown time zone %q", c.Timezone)
		loc = time.UTC
	}
	c.Location = loc
	if _, err := ParseSchedule(c.Schedule, loc); err != nil {
		bad("schedule", "%v", err)
	}
	if strings.TrimSpace(c.Database) == "" {
		bad("database", "required: a SQLite file path or a postgres:// URL")
	}

	switch {
	case !c.Slack.Token.IsZero() && !c.Slack.WebhookURL.IsZero():
		bad("slack", "set either token (with channel) or webhook_url, not both")
	case !c.Slack.Token.IsZero() && c.Slack.Channel == "":
		bad("slack.channel", "required with slack.token")
	}
	if !c.Slack.WebhookURL.IsZero() {
		if err := secretURL(c.Slack.WebhookURL.Reveal()); err != nil {
			bad("slack.webhook_url", "%v", err)
		}
	}
	if c.Slack.APIURL != "" {
		if err := apiURL(c.Slack.APIURL); err != nil {
			bad("slack.api_url", "%v", err)
		}
	}
	if c.Alerts.MaxAge < 0 {
		bad("alerts.max_age", "must not be negative (0 means no limit)")
	}
	if c.Alerts.DeliveryDeadline.D() <= 0 {
		bad("alerts.delivery_deadline", "must be positive, e.g. 2m")
	}
	if c.Alerts.MaxPendingAge.D() <= 0 {
		bad("alerts.max_pending_age", "must be positive, e.g. 1h")
	}
	if c.MaxNewItems < 0 {
		bad("max_new_items", "must not be negative (0 means no limit)")
	}
	if c.Backup.Interval < 0 {
		bad("backup.interval", "must not be negative (0 turns backups off)")
	} else if c.Backup.Interval > 0 && c.Backup.Interval.D() < time.Minute {
		bad("backup.interval", "%s: at least 1m", FormatDuration(c.Backup.Interval.D()))
	}
	if c.HTTP.Timeout.D() <= 0 {
		bad("http.timeout", "must be positive, e.g. 20s")
	}
	if c.HTTP.PerHostConcurrency < 0 {
		bad("http.per_host_concurrency", "must not be negative (0 means no limit)")
	}
	if c.HTTP.PerHostRate < 0 {
		bad("http.per_host_rate", "must not be negative (0 means no limit)")
	}
	if c.HTTP.MaxBodyBytes < 0 {
		bad("http.max_body_bytes", "must not be negative")
	}
	if strings.TrimSpace(c.HTTP.UserAgent) == "" {
		bad("http.user_agent", "required")
	}

	if t := c.Slack.Token.Reveal(); t != "" && strings.Contains(strings.ToLower(t), "://") {
		bad("slack.token", "holds a URL: a webhook URL goes in slack.webhook_url; slack.token takes a bot token, xoxb-… (the value is not shown)")
	}
	names := map[string]int{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name == "" {
			bad(key+".name", "required")
		} else if j, dup := names[s.Name]; dup {
			bad(key+".name", "%q is also the name of sources[%d]", s.Name, j)
		} else {
			names[s.Name] = i
		}
		if err := httpURL(s.URL); err != nil {
			bad(key+".url", "%v", err)
		}
		if s.MaxNewItems != nil && *s.MaxNewItems < 0 {
			bad(key+".max_new_items", "must not be negative (0 means no limit)")
		}
		if s.Schedule != "" {
			if _, err := ParseSchedule(s.Schedule, loc); err != nil {
				bad(key+".schedule", "%v", err)
			}
		}
		switch s.Type {
		case TypeFeed:
			if s.Selectors != (Selectors{}) {
				bad(key+".selectors", "only for type html")
			}
		case TypeHTML:
			for _, f := range []struct{ name, sel string }{
				{"item", s.Selectors.Item}, {"link", s.Selectors.Link}, {"title", s.Selectors.Title},
				{"date", s.Selectors.Date}, {"next", s.Selectors.Next},
			} {
				required := f.name == "item" || f.name == "link"
				if f.sel == "" {
					if required {
						bad(key+".selectors."+f.name, "required for type html")
					}
					continue
				}
				if err := checkSelector(f.sel); err != nil {
					bad(key+".selectors."+f.name, "%v", err)
				}
			}
		case "":
			bad(key+".type", "required: feed or html")
		default:
			bad(key+".type", "%q: want feed or html", s.Type)
		}
	}
	for i, w := range c.Watch {
		key := fmt.Sprintf("watch[%d]", i)
		if w.Name == "" {
			bad(key+".name", "required")
		}
		for j, side := range w.Sides {
			for k, e := range side.Entities {
				if strings.TrimSpace(e.Name) == "" {
					bad(fmt.Sprintf("%s.sides[%d].entities[%d].name", key, j, k), "required")
				}
			}
		}
	}
	return errors.Join(errs...)
}

func httpURL(s string) error {
	if s == "" {
		return errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q: not a URL", readableURL(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want an http or https URL", readableURL(s))
	}
	if u.Host == "" {
		return fmt.Errorf("%q: no host", readableURL(s))
	}
	return nil
}

// apiURL checks slack.api_url, which may not carry credentials: a
// user:password@ or a query would be sent with, and printed as, the URL.
func apiURL(s string) error {
	if err := secretURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return errors.New("must not carry credentials (user:password@), a query or a fragment (the value is not shown)")
	}
	return nil
}

// readableURL shows raw up to its path: user:password@ becomes "…@" and a
// query or fragment "?…", and a long value is cut, so that the reader sees
// what they wrote (a missing scheme, a typo) and no secret.
func readableURL(raw string) string {
	raw = strings.TrimSpace(raw)
	cut := ""
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw, cut = raw[:i], "?…"
	}
	rest, scheme := raw, ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	host, path, _ := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = "…@" + host[at+1:]
	}
	out := scheme + host
	if path != "" || strings.HasSuffix(rest, "/") {
		out += "/" + path
	}
	if r := []rune(out); len(r) > 80 {
		out = string(r[:79]) + "…"
	}
	return strings.ToValidUTF8(out, "\uFFFD") + cut
}

// checkSelector compiles a CSS selector, with an optional @attribute suffix.
func checkSelector(sel string) (err error) {
	css, attr, hasAttr := strings.Cut(sel, "@")
	if hasAttr && strings.TrimSpace(attr) == "" {
		return fmt.Errorf("%q: empty attribute after @", sel)
	}
	if hasAttr && !attrName.MatchString(strings.TrimSpace(attr)) {
		return fmt.Errorf("%q: %q after @ is not an attribute name (one @, then a name such as href)", sel, attr)
	}
	if _, err := cascadia.Compile(strings.TrimSpace(css)); err != nil {
		return fmt.Errorf("%q: bad CSS selector: %v", sel, err)
	}
	return nil
}

// attrName is an HTML attribute name as a selector's @ suffix may give it.
var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// scheduleParser reads five-field specs and descriptors (@every 10m, @hourly).
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a robfig/cron spec, guarding against the library's
// panics and its silently meaningless schedules: an interval under
// MinInterval, or a spec that never fires (0 9 31 2 *).
func ParseSchedule(spec string, loc *time.Location) (s cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("required: a cron spec such as \"*/15 * * * *\" or \"@every 10m\"")
	}
	for _, p := range []string{"TZ=", "CRON_TZ="} {
		if rest, ok := strings.CutPrefix(spec, p); ok {
			zone, after, found := strings.Cut(rest, " ")
			if !found || strings.TrimSpace(after) == "" || zone == "" {
				return nil, fmt.Errorf("%q: %s needs a zone and then a schedule", spec, p)
			}
			if _, err := time.LoadLocation(zone); err != nil {
				return nil, fmt.Errorf("%q: unknown time zone %q", spec, zone)
			}
		}
	}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%q: %v", spec, err)
		}
		if d < MinInterval {
			return nil, fmt.Errorf("%q: interval under %s", spec, MinInterval)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%q: cannot parse", spec)
		}
	}()
	sched, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", spec, err)
	}
	if loc == nil {
		loc = time.UTC
	}
	if sched.Next(time.Now().In(loc)).IsZero() {
		return nil, fmt.Errorf("%q: never fires", spec)
	}
	return sched, nil
}
