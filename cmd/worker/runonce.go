package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

func (a *app) runOnceCmd() *cobra.Command {
	var (
		names          []string
		since          string
		dryRun         bool
		noAlerts       bool
		force          bool
		deliverPrinted bool
	)
	cmd := &cobra.Command{
		Use:   "run-once",
		Short: "One pass over all (or --source) sources, then deliver alerts and exit",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var prog *runProgress
			if isTerminal(a.stderr) {
				// One status line for the whole run, log lines above it.
				prog = a.startProgress()
				defer prog.stop()
			}
			cfg, log, err := a.setup()
			if err != nil {
				return err
			}
			sinceT, err := parseDay(since, cfg.Location)
			if err != nil {
				return err
			}
			mode := notifyConfigured
			if dryRun {
				if deliverPrinted {
					return usagef("--dry-run and --deliver-printed: a dry run changes nothing")
				}
				mode = notifyDryRun
				// The dry run works on a copy, so the database is left as it was.
				copyCfg, cleanup, err := dryRunConfig(cmd.Context(), cfg)
				if err != nil {
					return err
				}
				defer cleanup()
				cfg = copyCfg
			}
			if deliverPrinted && !cfg.UsesSlack() {
				return usagef("--deliver-printed: no Slack is configured (slack.token with slack.channel, or slack.webhook_url)")
			}
			w, st, err := a.openWorker(cmd.Context(), cfg, log, mode, nil)
			if err != nil {
				return err
			}
			defer st.Close()
			if deliverPrinted {
				if err := requeuePrinted(cmd.Context(), st, cfg, log); err != nil {
					return err
				}
			}
			// --no-alerts catches up silently: nothing is queued and nothing
			// is posted, not even what earlier runs left pending.
			opts := worker.RunOptions{Sources: names, Since: sinceT, NoAlerts: noAlerts, NoDelivery: noAlerts, Force: force}
			switch {
			case prog != nil:
				prog.setTotal(len(cfg.Sources), len(names))
				opts.Progress, opts.SourceDone = prog.backfillPage, prog.sourceDone
			case !sinceT.IsZero():
				opts.Progress = func(source string, page, items int) {
					log.Info("backfill page read", "source", source, "page", page, "items", items)
				}
			}
			rep, err := w.RunOnce(cmd.Context(), opts)
			prog.stop()
			writeSummary(a.stderr, rep)
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&names, "source", nil, "only this source (repeatable)")
	f.StringVar(&since, "since", "", "backfill: follow listing pages back to this date (YYYY-MM-DD)")
	f.BoolVar(&dryRun, "dry-run", false, "print the Slack payloads that would be posted instead of posting them")
	f.BoolVar(&noAlerts, "no-alerts", false, "record events for the timeline without alerting them, and post nothing")
	f.BoolVar(&deliverPrinted, "deliver-printed", false,
		"first queue again the alerts that only went to standard output (within alerts.max_age), for the configured Slack")
	f.BoolVar(&force, "force", false, "fetch every source now and in full: ignore deferrals (backoff, Retry-After) and validators, so every item not yet recorded is fetched again")
	return cmd
}

// dryRunConfig returns cfg on a temporary copy of its database (a fresh
// one when none exists yet; a SQLite copy of a PostgreSQL one), and the
// function that removes the copy.
func dryRunConfig(ctx context.Context, cfg *config.Config) (*config.Config, func(), error) {
	dir, err := os.MkdirTemp("", "worker-dry-run-")
	if err != nil {
		return nil, nil, fmt.Errorf("dry run: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	c := *cfg
	c.Database = filepath.Join(dir, "worker.db")
	if store.IsPostgres(cfg.Database) {
		if _, err := store.CopyDatabase(ctx, cfg.Database, c.Database); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("dry run: %w", err)
		}
		return &c, cleanup, nil
	}
	if _, err := os.Stat(cfg.Database); err == nil {
		if err := store.Copy(ctx, cfg.Database, c.Database); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("dry run: %w", err)
		}
	}
	return &c, cleanup, nil
}

// requeuePrinted queues again, for Slack, what only went to standard
// output within alerts.max_age.
func requeuePrinted(ctx context.Context, st *store.Store, cfg *config.Config, log *slog.Logger) error {
	now := time.Now()
	var since time.Time
	if age := cfg.Alerts.MaxAge.D(); age > 0 {
		since = now.Add(-age)
	}
	alerts, replies, err := st.RequeuePrinted(ctx, since, now)
	if err != nil {
		return err
	}
	log.Info("alerts printed to standard output queued for Slack", "alerts", alerts, "replies", replies)
	return nil
}

// writeSummary prints what the run did, naming every failed source and why.
func writeSummary(w io.Writer, rep worker.Report) {
	var items, fresh, later, articles, events, headline, artErrs int
	var quiet worker.NotAlerted
	for _, s := range rep.Sources {
		items += s.Items
		fresh += s.New
		later += s.Later
		articles += s.Articles
		events += s.Events
		headline += s.Headline
		quiet.MaxAge += s.NotAlerted.MaxAge
		quiet.NoAlerts += s.NotAlerted.NoAlerts
		quiet.Coverage += s.NotAlerted.Coverage
		artErrs += len(s.ArticleErrors)
	}
	failed := rep.Failed()
	d := rep.Delivery
	fmt.Fprintf(w, "run: %d sources (%d failed), %d items, %d new (%d left for later passes), %d articles recorded, "+
		"%d not recorded, %d events (%d headline), %d pages failed; alerts posted %d, replies %d, already in Slack %d, "+
		"left for retry %d, refused %d, held by a rate limit %d, pending %d (%s)\n",
		len(rep.Sources), len(failed), items, fresh, later, articles, len(rep.RecordErrors()), events, headline, artErrs,
		d.Posted, d.Replies, d.Found, d.Retrying, d.Failed, d.Held, d.Pending, rep.Duration.Round(1e6))
	writeNotAlerted(w, headline, quiet)
	if d.Muted > 0 {
		fmt.Fprintf(w, "%d alerts and replies muted, not posted (worker developments list shows what is muted)\n", d.Muted)
	}
	sort.Slice(failed, func(i, j int) bool { return failed[i].Name < failed[j].Name })
	for _, s := range failed {
		fmt.Fprintf(w, "source %s failed: %s\n", s.Name, oneLine(s.Err.Error()))
	}
	deferred := 0
	for _, s := range rep.Sources {
		if !s.DeferredUntil.IsZero() {
			deferred++
			fmt.Fprintf(w, "source %s deferred until %s\n", s.Name, s.DeferredUntil.Format("2006-01-02 15:04:05 MST"))
		}
		for _, e := range s.ArticleErrors {
			fmt.Fprintf(w, "source %s: page skipped: %s\n", s.Name, oneLine(e.Error()))
		}
	}
	if len(failed)+deferred > 0 {
		fmt.Fprintln(w, "failed sources wait before they are fetched again (next_attempt in the log); "+
			"`worker run-once --force` fetches every source now")
	}
	if n := d.Unconfirmed; n > 0 {
		fmt.Fprintf(w, "%d alerts not posted a third time: two posts went unanswered and may both be in the channel\n", n)
	}
	if !d.HeldUntil.IsZero() && d.Held > 0 {
		fmt.Fprintf(w, "deliveries held back by a Slack rate limit until %s\n", d.HeldUntil.Format("2006-01-02 15:04:05 MST"))
	}
}

// writeNotAlerted says how many of the run's headline events were recorded
// without an alert of their own, and why.
func writeNotAlerted(w io.Writer, headline int, n worker.NotAlerted) {
	if headline == 0 {
		return
	}
	fmt.Fprintf(w, "headline events: %d recorded, %d opened an alert, %d not alerted", headline, headline-n.Total(), n.Total())
	var why []string
	for _, r := range []struct {
		n    int
		what string
	}{
		{n.MaxAge, "older than alerts.max_age"},
		{n.NoAlerts, "recorded silently (--no-alerts)"},
		{n.Coverage, "coverage of a development already recorded (a reply in its thread)"},
	} {
		if r.n > 0 {
			why = append(why, fmt.Sprintf("%d %s", r.n, r.what))
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(why, ", "))
	}
	fmt.Fprintln(w)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
