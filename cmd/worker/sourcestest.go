package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/worker"
)

// testSource prints what one source lists now and the events each item
// would produce.
func testSource(ctx context.Context, w io.Writer, log *slog.Logger, s worker.Source, client *fetch.Client,
	det *detect.Detector, loc *time.Location, since time.Time) error {
	start := time.Now()
	previews, err := worker.PreviewSource(ctx, s, client, det, loc, since, time.Now())
	if err != nil && len(previews) == 0 {
		return fmt.Errorf("source %s: %w", s.Name(), err)
	}
	fmt.Fprintf(w, "source %s (%s): %d items in %s\n\n", s.Name(), s.URL, len(previews), time.Since(start).Round(time.Millisecond))
	for i, p := range previews {
		date := "undated"
		if !p.Item.Published.IsZero() {
			date = p.Item.Published.In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%2d. %s  %s\n    %s\n", i+1, date, forTerminal(p.Item.Title), forTerminal(p.Item.URL))
		if p.Err != nil {
			fmt.Fprintf(w, "    page: %s\n\n", oneLine(p.Err.Error()))
			continue
		}
		pub := "no date on page"
		if !p.Article.Published.IsZero() {
			pub = p.Article.Published.Format("2006-01-02")
		}
		fmt.Fprintf(w, "    page: %q, %s, %s, %d characters of text\n", p.Article.Title, pub, p.Article.Lang, len(p.Article.Text))
		for _, e := range p.Events {
			role := "background"
			if e.Headline {
				role = "HEADLINE"
			}
			fmt.Fprintf(w, "    %s: %s × %s: %s %s %s\n", role, forTerminal(strings.Join(e.A, ", ")), forTerminal(strings.Join(e.B, ", ")),
				e.Kind, e.Stage, e.Date)
		}
		fmt.Fprintln(w)
	}
	if err != nil {
		log.Warn("source listing incomplete", "source", s.Name(), "error", err)
		return fmt.Errorf("source %s: %w", s.Name(), err)
	}
	return nil
}
