package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
)

// developmentsCmd is `worker developments list|show|resend|mute`.
func (a *app) developmentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "developments", Short: "List, show, resend and mute developments", Args: noArgs}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "Every development, oldest first, with its alert's state and Slack link",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q: want table or json", format)
			}
			return a.withDevelopments(cmd.Context(), func(cfg *config.Config, st *store.Store) error {
				ds, err := st.DevelopmentAlerts(cmd.Context())
				if err != nil {
					return err
				}
				rows := make([]developmentRow, len(ds))
				for i, d := range ds {
					rows[i] = a.toDevelopmentRow(cmd.Context(), cfg, d)
				}
				if format == "json" {
					return writeJSONLines(a.stdout, rows)
				}
				return writeDevelopmentTable(a.stdout, rows)
			})
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table or json")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "One development: its alert, state, Slack link, articles and mute",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := developmentID(args[0])
			if err != nil {
				return err
			}
			return a.withDevelopments(cmd.Context(), func(cfg *config.Config, st *store.Store) error {
				d, err := st.DevelopmentAlertByID(cmd.Context(), id)
				if err != nil {
					return notFound(err, id)
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(a.toDevelopmentRow(cmd.Context(), cfg, d))
			})
		},
	}
	resend := &cobra.Command{
		Use:   "resend ID",
		Short: "Queue the development's alert to be posted again, as a new message, by the next run",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := developmentID(args[0])
			if err != nil {
				return err
			}
			return a.withDevelopments(cmd.Context(), func(_ *config.Config, st *store.Store) error {
				if err := st.Resend(cmd.Context(), id, time.Now()); err != nil {
					return notFound(err, id)
				}
				fmt.Fprintf(a.stdout, "development %d queued to be posted again by the next run-once or serve\n", id)
				return nil
			})
		},
	}
	var undo bool
	mute := &cobra.Command{
		Use:   "mute development ID | source NAME | kind KIND [--undo]",
		Short: "Post nothing more for a development, a source or a kind (--undo: post again)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			what, value := args[0], args[1]
			switch what {
			case store.MuteDevelopment:
				if _, err := developmentID(value); err != nil {
					return err
				}
			case store.MuteKind:
				if !slices.Contains(sources.Kinds, sources.Kind(value)) {
					return usagef("mute kind %q: not a kind (payment, advertising, links, mini_program, workplace, logistics, data, other)", value)
				}
			case store.MuteSource:
			default:
				return usagef("mute %q: want development ID, source NAME or kind KIND", what)
			}
			return a.withDevelopments(cmd.Context(), func(cfg *config.Config, st *store.Store) error {
				if what == store.MuteSource && !hasSource(cfg, value) {
					return usagef("mute source %q: no source of that name in the config", value)
				}
				if undo {
					removed, err := st.Unmute(cmd.Context(), what, value)
					if err != nil {
						return err
					}
					if !removed {
						return usagef("unmute %s %s: it is not muted", what, value)
					}
					fmt.Fprintf(a.stdout, "unmuted %s %s: what comes next is posted again (what was set aside stays set aside; resend it)\n", what, value)
					return nil
				}
				if err := st.Mute(cmd.Context(), what, value, time.Now()); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "muted %s %s: what is still to be posted for it is set aside\n", what, value)
				return nil
			})
		},
	}
	mute.Flags().BoolVar(&undo, "undo", false, "lift the mute")
	cmd.AddCommand(list, show, resend, mute)
	return cmd
}

// withDevelopments opens the existing database of the config for fn; it
// never creates one.
func (a *app) withDevelopments(ctx context.Context, fn func(*config.Config, *store.Store) error) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(cfg, st)
}

func developmentID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("development %q: want its number, as `worker developments list` shows it", s)
	}
	return id, nil
}

func notFound(err error, id int64) error {
	if errors.Is(err, store.ErrNotFound) {
		return usagef("development %d: none with an alert of its own (see `worker developments list`)", id)
	}
	return err
}

func hasSource(cfg *config.Config, name string) bool {
	for _, s := range cfg.Sources {
		if s.Name == name {
			return true
		}
	}
	return false
}

// developmentRow is a development as list and show print it.
type developmentRow struct {
	ID       int64  `json:"id"`
	What     string `json:"what"`
	Kind     string `json:"kind"`
	Stage    string `json:"stage"`
	Date     string `json:"date,omitempty"`
	Articles int    `json:"articles"`
	Source   string `json:"source,omitempty"`
	Alert    string `json:"alert"` // pending, posted, set aside, covered by another step
	Slack    string `json:"slack,omitempty"`
	Muted    string `json:"muted,omitempty"`
}

func (a *app) toDevelopmentRow(ctx context.Context, cfg *config.Config, d store.DevelopmentAlert) developmentRow {
	r := developmentRow{
		ID: d.ID, Kind: string(d.Kind), Stage: string(d.Stage), Date: d.Date.String(), Articles: d.Articles,
		Source: forTerminal(d.Source), Muted: forTerminal(d.Muted),
		What: forTerminal(alerts.Headline(alerts.Development{Pair: d.Pair, A: d.A, B: d.B, Kind: d.Kind, Stage: d.Stage, Date: d.Date},
			sources.DateOf(d.Published))),
	}
	switch d.State {
	case "sent":
		r.Alert = "posted"
	case "skipped":
		r.Alert = "set aside"
	case "":
		r.Alert = "in another step's alert"
	default:
		r.Alert = d.State
	}
	if d.TS != "" {
		r.Slack = a.slackLink(ctx, cfg, d.Channel, d.TS)
	}
	return r
}

// slackLink is the web link of a posted alert: Slack's own
// (chat.getPermalink) with a bot token, else one built from channel and ts.
func (a *app) slackLink(ctx context.Context, cfg *config.Config, channel, ts string) string {
	if !cfg.Slack.Token.IsZero() {
		bot, err := alerts.NewBot(cfg.Slack.Token, cfg.Slack.Channel, cfg.Slack.APIURL, &http.Client{Timeout: 10 * time.Second})
		if err == nil {
			if link, err := bot.Permalink(ctx, channel, ts); err == nil && link != "" {
				return link
			}
		}
	}
	return alerts.Permalink(channel, ts)
}

func writeJSONLines(w io.Writer, rows []developmentRow) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func writeDevelopmentTable(w io.Writer, rows []developmentRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEVELOPMENT\tALERT\tSLACK\tMUTED")
	for _, r := range rows {
		muted := r.Muted
		if muted == "" {
			muted = "-"
		}
		slack := r.Slack
		if slack == "" {
			slack = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.What, r.Alert, slack, muted)
	}
	return tw.Flush()
}
