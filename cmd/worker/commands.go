package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Work with the config", Args: noArgs}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Load and validate the config; print the effective config with secrets masked",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if _, err := worker.NewDetector(cfg); err != nil {
				return err
			}
			if err := checkWritable(cfg.Database); err != nil {
				return err
			}
			from := cfg.Path
			if from == "" {
				from = "built-in default"
			}
			dest := "standard output (no Slack setting in the config or the environment)"
			switch {
			case !cfg.Slack.Token.IsZero():
				dest = "Slack (bot token, channel " + cfg.Slack.Channel + ")"
			case !cfg.Slack.WebhookURL.IsZero():
				dest = "Slack (incoming webhook)"
			}
			fmt.Fprintf(a.stdout, "# config: %s (valid)\n# alerts go to: %s\n", from, dest)
			return cfg.Masked().Write(a.stdout)
		},
	})
	return cmd
}

func (a *app) sourcesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sources", Short: "Work with the configured sources", Args: noArgs}
	var since string
	test := &cobra.Command{
		Use:   "test NAME",
		Short: "Fetch one source now and show the items and events it would produce, writing nothing",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, log, err := a.setup()
			if err != nil {
				return err
			}
			sinceT, err := parseDay(since, cfg.Location)
			if err != nil {
				return err
			}
			det, err := worker.NewDetector(cfg)
			if err != nil {
				return err
			}
			client := worker.NewFetcher(cfg)
			srcs, err := worker.NewSources(cfg, client)
			if err != nil {
				return err
			}
			for _, s := range srcs {
				if s.Name() != args[0] {
					continue
				}
				return testSource(cmd.Context(), a.stdout, log, s, client, det, cfg.Location, sinceT)
			}
			names := make([]string, len(srcs))
			for i, s := range srcs {
				names[i] = s.Name()
			}
			return usagef("no source named %q (configured: %s)", args[0], strings.Join(names, ", "))
		},
	}
	test.Flags().StringVar(&since, "since", "", "follow listing pages back to this date (YYYY-MM-DD)")
	cmd.AddCommand(test)
	return cmd
}

func (a *app) eventsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Work with the stored events", Args: noArgs}
	var format, since string
	list := &cobra.Command{
		Use:   "list",
		Short: "Print the stored timeline, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" && format != "csv" {
				return usagef("--format %q: want table, json or csv", format)
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			sinceT, err := parseDay(since, cfg.Location)
			if err != nil {
				return err
			}
			st, err := openExisting(cmd.Context(), cfg.Database)
			if err != nil {
				return err
			}
			defer st.Close()
			tl, err := st.Timeline(cmd.Context(), sinceT)
			if err != nil {
				return err
			}
			return writeTimeline(a.stdout, format, tl)
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table, json or csv")
	list.Flags().StringVar(&since, "since", "", "only events dated on or after this day (YYYY-MM-DD)")
	cmd.AddCommand(list)
	return cmd
}

// timelineRow is one event of `worker events list --format json|csv`. In
// JSON its entity lists are named by the pair's side keys ("alibaba",
// "tencent"), as `worker extract` names them.
type timelineRow struct {
	Date        sources.Date
	Pair        sources.Pair
	A, B        []string
	Kind        sources.Kind
	Stage       sources.Stage
	Headline    bool
	Development *developmentRef
	Alerted     bool
	Articles    int
	Title       string
	URL         string
	Source      string
	Published   string
	Evidence    string
}

// developmentRef names the development a headline entry belongs to: its id
// (for `worker developments show ID`) and the line its alert leads with.
type developmentRef struct {
	ID   int64  `json:"id"`
	What string `json:"what"`
}

// MarshalJSON writes the row with its keys in a fixed order.
func (r timelineRow) MarshalJSON() ([]byte, error) {
	pair := r.Pair
	if pair.A == "" || pair.B == "" || pair.A == pair.B {
		pair = sources.DefaultPair
	}
	a, b := r.A, r.B
	if a == nil {
		a = []string{}
	}
	if b == nil {
		b = []string{}
	}
	var published *string
	if r.Published != "" {
		published = &r.Published
	}
	return orderedJSON([]keyValue{
		{"date", r.Date}, {"pair", pair.A + "-" + pair.B}, {pair.A, a}, {pair.B, b},
		{"kind", r.Kind}, {"stage", r.Stage}, {"headline", r.Headline}, {"development", r.Development},
		{"alerted", r.Alerted}, {"articles", r.Articles}, {"title", r.Title}, {"url", r.URL},
		{"source", r.Source}, {"published", published}, {"evidence", r.Evidence},
	})
}

type keyValue struct {
	k string
	v any
}

// orderedJSON writes an object with the keys in the order given, without
// HTML escaping.
func orderedJSON(kvs []keyValue) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i, kv := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(kv.k); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteByte(':')
		if err := enc.Encode(kv.v); err != nil {
			return nil, fmt.Errorf("%s: %w", kv.k, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// toRow is an entry as json and csv print it, its web text made safe for a
// terminal (JSON escapes C0 controls, not DEL, C1 or bidi controls).
func toRow(e store.TimelineEntry) timelineRow {
	r := timelineRow{
		Date: e.Date, Pair: e.Pair, A: termAll(e.A), B: termAll(e.B), Kind: e.Kind, Stage: e.Stage,
		Headline: e.Headline, Alerted: e.Alerted, Articles: e.Articles,
		Title: forTerminal(e.Title), URL: forTerminal(e.URL), Source: forTerminal(e.Source), Evidence: forTerminal(e.Evidence),
	}
	if e.DevelopmentID != 0 {
		r.Development = &developmentRef{ID: e.DevelopmentID, What: forTerminal(alerts.Headline(alerts.Development{
			Pair: e.Pair, A: e.A, B: e.B, Kind: e.Kind, Stage: e.Stage, Date: e.Date}, sources.DateOf(e.Published)))}
	}
	if !e.Published.IsZero() {
		r.Published = e.Published.Format(time.RFC3339)
	}
	return r
}

// utf8BOM starts a CSV file so that spreadsheet programs (Excel) read it as
// UTF-8 rather than in the local code page.
const utf8BOM = "\uFEFF"

func writeTimeline(w io.Writer, format string, tl []store.TimelineEntry) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		rows := make([]timelineRow, len(tl))
		for i, e := range tl {
			rows[i] = toRow(e)
		}
		return enc.Encode(rows)
	case "csv":
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"date", "pair", "a", "b", "kind", "stage", "headline", "development", "what", "alerted",
			"articles", "title", "url", "source", "published", "evidence"})
		for _, e := range tl {
			r := toRow(e)
			var dev, what string
			if r.Development != nil {
				dev, what = strconv.FormatInt(r.Development.ID, 10), r.Development.What
			}
			_ = cw.Write(csvRow(r.Date.String(), r.Pair.A+"-"+r.Pair.B, strings.Join(r.A, "; "), strings.Join(r.B, "; "),
				string(r.Kind), string(r.Stage), strconv.FormatBool(r.Headline), dev, what,
				strconv.FormatBool(r.Alerted), strconv.Itoa(r.Articles), r.Title, r.URL, r.Source, r.Published, r.Evidence))
		}
		cw.Flush()
		return cw.Error()
	default:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DATE\tWHAT\tKIND\tSTAGE\tROLE\tARTICLES\tHEADLINE")
		for _, e := range tl {
			role := "background"
			if e.Headline {
				role = "news"
				if e.Alerted {
					role = "news, alerted"
				}
			}
			date := e.Date.String()
			if date == "" {
				date = "undated"
			}
			fmt.Fprintf(tw, "%s\t%s × %s\t%s\t%s\t%s\t%d\t%s\n", date, forTerminal(strings.Join(e.A, ", ")),
				forTerminal(strings.Join(e.B, ", ")), forTerminal(string(e.Kind)), forTerminal(string(e.Stage)), role,
				e.Articles, truncate(forTerminal(e.Title), 80))
		}
		return tw.Flush()
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
