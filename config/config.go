// Package config loads, validates and prints the worker's YAML configuration.
//
// A config is built in layers: built-in defaults, then the YAML file
// (unknown keys rejected), with ${VAR} expanded from the environment, then
// the environment variables the worker documents (SLACK_BOT_TOKEN,
// SLACK_WEBHOOK_URL, WORKER_DATABASE), then Validate. With no file at all the
// embedded default config, which watches real public news feeds, is used.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "time/tzdata" // timezone: must work in a bare container

	"go.yaml.in/yaml/v3"

	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/sources"
)

// ErrInvalid marks a config that cannot be used: a bad file, key or value.
var ErrInvalid = errors.New("invalid config")

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the embedded default config.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Config is the worker's configuration.
type Config struct {
	Schedule string `yaml:"schedule"`
	Database string `yaml:"database"`
	Timezone string `yaml:"timezone"`
	// MaxNewItems caps the new items read from one source in one pass,
	// newest first; the rest are read on later passes. 0 = no cap.
	MaxNewItems int             `yaml:"max_new_items"`
	Backup      Backup          `yaml:"backup"`
	Slack       Slack           `yaml:"slack"`
	Alerts      Alerts          `yaml:"alerts"`
	HTTP        HTTP            `yaml:"http"`
	Sources     []Source        `yaml:"sources,omitempty"`
	Watch       []sources.Watch `yaml:"watch,omitempty"`

	// Path is the file the config was read from; "" for the built-in default.
	Path string `yaml:"-"`
	// Location is Timezone, loaded.
	Location *time.Location `yaml:"-"`
}

// Slack says where alerts go. With neither a token nor a webhook URL, alerts
// are written to standard output.
type Slack struct {
	Token      secret.Value `yaml:"token"`
	Channel    string       `yaml:"channel"`
	WebhookURL secret.Value `yaml:"webhook_url"`
	APIURL     string       `yaml:"api_url"`
}

// Alerts tune what is alerted.
type Alerts struct {
	// MaxAge: articles published longer ago are recorded, not alerted.
	// Zero means no limit.
	MaxAge Duration `yaml:"max_age"`
	// DeliveryDeadline bounds the delivery step of a run; what is left is
	// delivered by a later one.
	DeliveryDeadline Duration `yaml:"delivery_deadline"`
	// MaxPendingAge: serve is not ready while an alert has waited longer.
	MaxPendingAge Duration `yaml:"max_pending_age"`
}

// Backup configures serve's periodic online snapshot of the database.
type Backup struct {
	// Interval between snapshots; 0 turns them off.
	Interval Duration `yaml:"interval"`
	// Path of the snapshot; "" = the database path with ".backup" added.
	Path string `yaml:"path"`
}

// HTTP configures fetching.
type HTTP struct {
	UserAgent            string   `yaml:"user_agent"`
	Timeout              Duration `yaml:"timeout"`
	AllowPrivateNetworks bool     `yaml:"allow_private_networks"`
	PerHostConcurrency   int      `yaml:"per_host_concurrency"`
	PerHostRate          float64  `yaml:"per_host_rate"`
	MaxBodyBytes         int64    `yaml:"max_body_bytes"`
}

// Source is one configured news source.
type Source struct {
	Name      string    `yaml:"name"`
	URL       string    `yaml:"url"`
	Type      string    `yaml:"type"` // "feed" or "html"
	Schedule  string    `yaml:"schedule,omitempty"`
	Selectors Selectors `yaml:"selectors,omitempty"`
	// MaxNewItems overrides the top-level max_new_items for this source;
	// nil = the top-level value.
	MaxNewItems *int `yaml:"max_new_items,omitempty"`
}

// Selectors pick items out of an HTML listing page with CSS selectors.
type Selectors struct {
	Item  string `yaml:"item,omitempty"`
	Link  string `yaml:"link,omitempty"`
	Title string `yaml:"title,omitempty"`
	Date  string `yaml:"date,omitempty"` // text, or attribute with @: "time@datetime"
	Next  string `yaml:"next,omitempty"`
}

// Source types.
const (
	TypeFeed = "feed"
	TypeHTML = "html"
)

// DefaultUserAgent identifies the worker to the sites it reads.
const DefaultUserAgent = "wallwatch-worker/1.0 (+https://github.com/wallwatch/worker)"

// Defaults returns the values every config starts from.
func Defaults() Config {
	return Config{
		Schedule:    "*/15 * * * *",
		Database:    "./data/worker.db",
		Timezone:    "Asia/Shanghai",
		MaxNewItems: 50,
		Backup:      Backup{Interval: Duration(6 * time.Hour)},
		Alerts: Alerts{
			MaxAge:           Duration(7 * 24 * time.Hour),
			DeliveryDeadline: Duration(2 * time.Minute),
			MaxPendingAge:    Duration(time.Hour),
		},
		HTTP: HTTP{
			UserAgent:          DefaultUserAgent,
			Timeout:            Duration(20 * time.Second),
			PerHostConcurrency: 2,
			PerHostRate:        1,
			MaxBodyBytes:       10 << 20,
		},
	}
}

// Getenv looks up an environment variable; os.LookupEnv in production.
type Getenv func(string) (string, bool)

// Locate returns the config file to read: flag, then $WORKER_CONFIG, then
// ./worker.yaml when it exists; "" means the built-in default.
func Locate(flag string, env Getenv) string {
	if flag != "" {
		return flag
	}
	if v, ok := env("WORKER_CONFIG"); ok && v != "" {
		return v
	}
	if _, err := os.Stat("worker.yaml"); err == nil {
		return "worker.yaml"
	}
	return ""
}

// Load reads the config at path ("" for the built-in default), applies the
// environment and validates it. Errors wrap ErrInvalid and name the file,
// the key and the reason.
func Load(path string, env Getenv) (*Config, error) {
	if env == nil {
		env = os.LookupEnv
	}
	name, data := "built-in default", defaultYAML
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w: %w", path, ErrInvalid, err)
		}
		name, data = path, b
	}
	cfg, err := parse(name, data, env)
	if err != nil {
		return nil, err
	}
	cfg.Path = path
	return cfg, nil
}

// Parse reads a config from YAML bytes; name is used in errors.
func Parse(name string, data []byte, env Getenv) (*Config, error) {
	if env == nil {
		env = os.LookupEnv
	}
	return parse(name, data, env)
}

func parse(name string, data []byte, env Getenv) (*Config, error) {
	cfg := Defaults()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %w: %s", name, ErrInvalid, yamlReason(err))
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	slack := readSlackSettings(root, env)
	unset := map[string][]string{}
	if root != nil {
		if err := checkKeys(root, reflect.TypeOf(cfg), ""); err != nil {
			return nil, fmt.Errorf("config %s: %w", name, err)
		}
		if err := checkSourcesGiven(root); err != nil {
			return nil, fmt.Errorf("config %s: %w", name, err)
		}
		expandNode(root, env, "", unset)
		if errs := checkSecretShapes(root, reflect.TypeOf(cfg), ""); len(errs) > 0 {
			return nil, fmt.Errorf("config %s: %w", name, errors.Join(errs...))
		}
		if err := unsetErrors(unset); err != nil {
			return nil, fmt.Errorf("config %s: %w", name, err)
		}
		if errs := checkDurations(root, reflect.TypeOf(cfg), ""); len(errs) > 0 {
			return nil, fmt.Errorf("config %s: %w", name, nameUnset(errors.Join(errs...), unset))
		}
		if err := root.Decode(&cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w: %s", name, ErrInvalid, yamlReason(err))
		}
	}
	applyEnv(&cfg, env)
	if err := errors.Join(checkEnvSecretShapes(&cfg), checkSlack(&cfg, slack)); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, scrub(fmt.Errorf("config %s: %w", name, nameUnset(err, unset)), &cfg)
	}
	return &cfg, nil
}

// checkKeys rejects mapping keys that no field of t is named after, naming
// the line and the key path: a misspelt key must not be silently ignored.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct {
			return nil
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if tag == "-" || !f.IsExported() {
				continue
			}
			if tag == "" {
				tag = strings.ToLower(f.Name)
			}
			fields[tag] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			if path != "" {
				key = path + "." + k.Value
			}
			ft, ok := fields[k.Value]
			if !ok {
				return &FieldError{Key: key, Reason: fmt.Sprintf("line %d: unknown key", k.Line)}
			}
			if err := checkKeys(v, ft, key); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for i, c := range n.Content {
			if err := checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// expandNode replaces ${VAR} and ${VAR:-default} inside scalar values (never
// in keys, and never as YAML syntax: a value holding '#' or ': ' stays a
// value). A lone $ is left alone. Unset variables become ""; unset records,
// by key path, the variables of each value that came out empty, so that an
// error about that key can name them.
func expandNode(n *yaml.Node, env Getenv, path string, unset map[string][]string) {
	if n.Kind == yaml.ScalarNode {
		if !strings.Contains(n.Value, "${") {
			return
		}
		var missing []string
		n.Value = string(varRef.ReplaceAllFunc([]byte(n.Value), func(m []byte) []byte {
			sub := varRef.FindSubmatch(m)
			if v, ok := env(string(sub[1])); ok && v != "" {
				return []byte(v)
			}
			if len(sub[2]) > 0 {
				return sub[2][2:]
			}
			missing = append(missing, string(sub[1]))
			return nil
		}))
		if strings.TrimSpace(n.Value) == "" && len(missing) > 0 {
			unset[path] = missing
		}
		if n.Style == 0 {
			n.Tag = "" // let the expanded plain value resolve to its type (a number, a bool)
		}
		return
	}
	for i, c := range n.Content {
		switch n.Kind {
		case yaml.MappingNode:
			if i%2 == 0 {
				continue // keys
			}
			expandNode(c, env, joinKey(path, n.Content[i-1].Value), unset)
		case yaml.SequenceNode:
			expandNode(c, env, fmt.Sprintf("%s[%d]", path, i), unset)
		default:
			expandNode(c, env, path, unset)
		}
	}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nameUnset adds to each error about a key whose value an unset variable
// emptied which variables those were.
func nameUnset(err error, unset map[string][]string) error {
	if len(unset) == 0 {
		return err
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, len(list))
	for i, e := range list {
		out[i] = e
		var fe *FieldError
		if errors.As(e, &fe) {
			if vars, ok := unset[fe.Key]; ok {
				out[i] = &FieldError{Key: fe.Key, Reason: fe.Reason + " (empty because ${" +
					strings.Join(vars, "}, ${") + "} is not set)"}
			}
		}
	}
	return errors.Join(out...)
}

// unsetErrors refuses values that unset variables left empty, outside the
// slack section (which checkSlack judges as a whole): YAML would read them
// as absent and the built-in default would silently take their place.
func unsetErrors(unset map[string][]string) error {
	var errs []error
	for key, vars := range unset {
		if key == "slack" || strings.HasPrefix(key, "slack.") {
			continue
		}
		errs = append(errs, &FieldError{Key: key, Reason: "required, but empty because ${" +
			strings.Join(vars, "}, ${") + "} is not set (write ${VAR:-default} for a fallback)"})
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// checkSourcesGiven refuses a sources key with an empty list: such a config
// would run and watch nothing.
func checkSourcesGiven(root *yaml.Node) error {
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "sources" {
			continue
		}
		if (v.Kind == yaml.SequenceNode && len(v.Content) == 0) || v.Tag == "!!null" {
			return &FieldError{Key: "sources", Reason: fmt.Sprintf("line %d: an empty list watches nothing; "+
				"list at least one source", k.Line)}
		}
	}
	return nil
}

// checkDurations parses every duration value, so that a bad one is
// reported with its key, not only its line.
func checkDurations(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		if n.Kind != yaml.ScalarNode {
			return []error{&FieldError{Key: path, Reason: fmt.Sprintf("line %d: want a duration, e.g. 20s, 10m, 7d", n.Line)}}
		}
		if _, err := ParseDuration(n.Value); err != nil {
			return []error{&FieldError{Key: path, Reason: fmt.Sprintf("line %d: %v", n.Line, err)}}
		}
		return nil
	}
	var errs []error
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f, ok := fieldByTag(t, n.Content[i].Value); ok {
				errs = append(errs, checkDurations(n.Content[i+1], f, joinKey(path, n.Content[i].Value))...)
			}
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, c := range n.Content {
			errs = append(errs, checkDurations(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

var durationType = reflect.TypeOf(Duration(0))

// applyEnv lets the documented variables work without a config file:
// WORKER_DATABASE overrides the database; the Slack variables fill in what
// the file leaves empty.
func applyEnv(c *Config, env Getenv) {
	if v, ok := env("WORKER_DATABASE"); ok && v != "" {
		c.Database = v
	}
	if c.Slack.Token.IsZero() && c.Slack.WebhookURL.IsZero() {
		if v, ok := env("SLACK_BOT_TOKEN"); ok {
			c.Slack.Token = secret.New(v)
		}
		if v, ok := env("SLACK_WEBHOOK_URL"); ok && c.Slack.Token.IsZero() {
			c.Slack.WebhookURL = secret.New(v)
		}
	}
	if c.Slack.Channel == "" {
		if v, ok := env("SLACK_CHANNEL"); ok {
			c.Slack.Channel = v
		}
	}
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// yamlReason turns yaml.v3's multi-line errors into one line.
func yamlReason(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n")
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// Duration is a time.Duration that YAML may write as 20s, 10m, 7d or 0.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalYAML reads a duration with a unit (d for days allowed) or 0.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back in the shortest form.
func (d Duration) MarshalYAML() (any, error) { return FormatDuration(time.Duration(d)), nil }

// ParseDuration reads "0", Go durations ("90s", "1h30m") and whole days
// ("7d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "" {
		return 0, nil
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("duration %q: want e.g. 20s, 10m, 7d", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: want e.g. 20s, 10m, 7d", s)
	}
	return days + v, nil
}

// FormatDuration writes d as ParseDuration reads it.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// BackupPath is where serve keeps its snapshot of the database.
func (c *Config) BackupPath() string {
	if c.Backup.Path != "" {
		return c.Backup.Path
	}
	return c.Database + ".backup"
}

// SourceMaxNewItems is the cap on new items per pass of source i.
func (c *Config) SourceMaxNewItems(i int) int {
	if p := c.Sources[i].MaxNewItems; p != nil {
		return *p
	}
	return c.MaxNewItems
}

// UsesSlack reports whether alerts go to Slack (bot token or webhook).
func (c *Config) UsesSlack() bool { return !c.Slack.Token.IsZero() || !c.Slack.WebhookURL.IsZero() }

// Masked returns a copy safe to print or log: the secrets print as masks of
// their own accord, source URLs lose their user information and a
// PostgreSQL database its password.
func (c *Config) Masked() Config {
	m := *c
	m.Database = maskDatabasePassword(c.Database)
	m.Sources = append([]Source(nil), c.Sources...)
	for i := range m.Sources {
		m.Sources[i].URL = stripUserinfo(m.Sources[i].URL)
	}
	return m
}

// maskDatabasePassword masks the password of a postgres:// database URL,
// in its user information or its password parameter.
func maskDatabasePassword(s string) string {
	if !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://********"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "********")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "********")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func stripUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("********")
	return u.String()
}

// Write prints the config as YAML.
func (c Config) Write(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return enc.Close()
}
