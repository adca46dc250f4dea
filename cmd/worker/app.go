package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/internal/progress"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// app carries what every command shares: streams, environment, flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            config.Getenv

	configPath string
	logFormat  string
	logLevel   string

	// display, when set, is the status line on the terminal stderr: log
	// lines, and alerts printed to the same terminal, go above it.
	display *progress.Display
}

// logOut is where log lines go.
func (a *app) logOut() io.Writer {
	if a.display != nil {
		return a.display
	}
	return a.stderr
}

// alertOut is where printed alerts go: standard output, above the status
// line when both are the terminal.
func (a *app) alertOut() io.Writer {
	if a.display != nil && isTerminal(a.stdout) {
		return a.display.Above(a.stdout)
	}
	return a.stdout
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "worker",
		Short:         "Watch the news for Alibaba–Tencent interconnection events and alert them to Slack",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		Version:       versionText(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetIn(a.stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "config file (default: $WORKER_CONFIG, then ./worker.yaml, then the built-in default)")
	pf.StringVar(&a.logFormat, "log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), text or json")
	pf.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	root.AddCommand(a.runOnceCmd(), a.serveCmd(), a.extractCmd(), a.sourcesCmd(), a.eventsCmd(), a.configCmd(), a.healthCmd(), a.dbCmd(), a.developmentsCmd())
	return root
}

// noArgs rejects positional arguments as a usage error (exit 2), including
// unknown subcommands.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// loadConfig finds and loads the config.
func (a *app) loadConfig() (*config.Config, error) {
	return config.Load(config.Locate(a.configPath, a.env), a.env)
}

// setup loads the config and builds the logger, for the commands that
// need both.
func (a *app) setup() (*config.Config, *slog.Logger, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	log, err := a.logger()
	if err != nil {
		return nil, nil, err
	}
	return cfg, log, nil
}

// logger builds the process's one logger, on stderr.
func (a *app) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", a.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	format := a.logFormat
	if format == "auto" {
		format = "json"
		if isTerminal(a.stderr) {
			format = "text"
		}
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(a.logOut(), opts)), nil
	case "json":
		opts.ReplaceAttr = readableDuration
		return slog.New(slog.NewJSONHandler(a.logOut(), opts)), nil
	default:
		return nil, usagef("--log-format %q: want auto, text or json", a.logFormat)
	}
}

// readableDuration writes durations in JSON logs as Go writes them
// ("1.5s", "41.203s"), to the millisecond, rather than as nanoseconds.
func readableDuration(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		d := a.Value.Duration()
		if d >= time.Millisecond || d <= -time.Millisecond {
			d = d.Round(time.Millisecond)
		}
		a.Value = slog.StringValue(d.String())
	}
	return a
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// notifierMode chooses where alerts go.
type notifierMode int

const (
	notifyConfigured notifierMode = iota // Slack when configured, else stdout
	notifyDryRun                         // stdout, exact payloads
)

func (a *app) newNotifier(cfg *config.Config, mode notifierMode) (alerts.Notifier, error) {
	if mode == notifyDryRun {
		w := alerts.NewWriter(a.alertOut(), alerts.FormatJSON)
		w.Channel = cfg.Slack.Channel // the payload as it would be posted
		// Replies as a bot would post them, under their parent's
		// placeholder ts; a webhook has no threads.
		w.Placeholders = cfg.Slack.WebhookURL.IsZero()
		return w, nil
	}
	client := &http.Client{Timeout: 30 * time.Second}
	switch {
	case !cfg.Slack.Token.IsZero():
		return alerts.NewBot(cfg.Slack.Token, cfg.Slack.Channel, cfg.Slack.APIURL, client)
	case !cfg.Slack.WebhookURL.IsZero():
		return alerts.NewWebhook(cfg.Slack.WebhookURL, client)
	default:
		return alerts.NewWriter(a.alertOut(), alerts.FormatText), nil
	}
}

// openWorker builds the worker and its store from the config.
func (a *app) openWorker(ctx context.Context, cfg *config.Config, log *slog.Logger, mode notifierMode, m *worker.Metrics) (*worker.Worker, *store.Store, error) {
	if err := checkWritable(cfg.Database); err != nil {
		return nil, nil, err
	}
	n, err := a.newNotifier(cfg, mode)
	if err != nil {
		return nil, nil, fmt.Errorf("slack: %w", err)
	}
	return worker.Open(ctx, cfg, worker.OpenOptions{Notifier: n, Logger: log, Metrics: m})
}

// parseDay reads a --since value: YYYY-MM-DD (in loc) or RFC 3339.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--since %q: want YYYY-MM-DD", s)
}
