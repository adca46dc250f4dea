package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/article"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/worker"
)

// extractResult is one line of `worker extract --json`.
type extractResult struct {
	File      string          `json:"file"`
	URL       string          `json:"url"`
	Title     string          `json:"title"`
	Published *string         `json:"published"`
	Lang      string          `json:"lang"`
	Text      *string         `json:"text,omitempty"`
	Events    []sources.Event `json:"events"`
}

func (a *app) extractCmd() *cobra.Command {
	var (
		asJSON, withText bool
		pageURL          string
	)
	cmd := &cobra.Command{
		Use:   "extract [--json] [--text] [--url URL] FILE...",
		Short: "Parse saved article pages and print their title, date and events (no network, no database)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("extract needs at least one FILE (- for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			det, err := worker.NewDetector(cfg)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			var failed int
			for _, f := range files {
				res, err := a.extractOne(f, pageURL, cfg.Location, det, withText)
				if err != nil {
					fmt.Fprintf(a.stderr, "worker: extract %s: %v\n", f, err)
					failed++
					continue
				}
				if asJSON {
					if err := enc.Encode(res); err != nil {
						return err
					}
					continue
				}
				writeExtract(a.stdout, res)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files could not be read", failed, len(files))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "one JSON object per file, per the interface spec")
	f.BoolVar(&withText, "text", false, "include the extracted main text")
	f.StringVar(&pageURL, "url", "", "the URL the page was saved from (resolves relative links and dates in the URL)")
	return cmd
}

func (a *app) extractOne(file, pageURL string, loc *time.Location, det *detect.Detector, withText bool) (extractResult, error) {
	var body []byte
	var err error
	if file == "-" {
		body, err = io.ReadAll(io.LimitReader(a.stdin, 64<<20))
	} else {
		body, err = os.ReadFile(file)
	}
	if err != nil {
		return extractResult{}, err
	}
	u := pageURL
	if u == "" && file != "-" {
		if abs, err := filepath.Abs(file); err == nil {
			u = "file://" + filepath.ToSlash(abs)
		}
	}
	art, err := article.Parse(body, "", u, article.Options{Location: loc})
	if err != nil {
		return extractResult{}, err
	}
	res := extractResult{File: file, URL: pageURL, Title: art.Title, Lang: art.Lang, Events: det.Detect(art, time.Now())}
	if res.URL == "" {
		res.URL = art.Canonical
	}
	if !art.Published.IsZero() {
		d := art.Published.Format("2006-01-02")
		res.Published = &d
	}
	if withText {
		res.Text = &art.Text
	}
	if res.Events == nil {
		res.Events = []sources.Event{}
	}
	return res, nil
}

func writeExtract(w io.Writer, r extractResult) {
	pub := "unknown"
	if r.Published != nil {
		pub = *r.Published
	}
	fmt.Fprintf(w, "%s\n  title:     %s\n  published: %s\n  lang:      %s\n", forTerminal(r.File), forTerminal(r.Title), pub, forTerminal(r.Lang))
	if len(r.Events) == 0 {
		fmt.Fprintln(w, "  events:    none")
	}
	for _, e := range r.Events {
		role := "background"
		if e.Headline {
			role = "headline"
		}
		date := e.Date.String()
		if date == "" {
			date = "undated"
		}
		fmt.Fprintf(w, "  %-10s %s × %s: %s %s (%s)\n             %q\n", role,
			forTerminal(strings.Join(e.A, ", ")), forTerminal(strings.Join(e.B, ", ")), e.Kind, e.Stage, date, e.Evidence)
	}
	if r.Text != nil {
		fmt.Fprintf(w, "  text:\n%s\n", indent(*r.Text, "    "))
	}
	fmt.Fprintln(w)
}

// indent prefixes every line of web text with pre, each line made safe for a
// terminal.
func indent(s, pre string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = pre + forTerminal(lines[i])
	}
	return strings.Join(lines, "\n")
}
