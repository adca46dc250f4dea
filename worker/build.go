package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/sources/listing"
	"github.com/wallwatch/worker/store"
)

// NewDetector builds the detector from the shipped lexicon and the config's
// watch section.
func NewDetector(cfg *config.Config) (*detect.Detector, error) {
	lex, err := watchLexicon(cfg)
	if err != nil {
		return nil, err
	}
	return detect.New(lex), nil
}

// watchLexicon is the shipped lexicon extended by the config's watch list.
func watchLexicon(cfg *config.Config) (*detect.Lexicon, error) {
	lex := detect.DefaultLexicon()
	if len(cfg.Watch) > 0 {
		var err error
		if lex, err = lex.Extend(cfg.Watch); err != nil {
			return nil, fmt.Errorf("config %s: watch: %w: %w", cfg.Path, config.ErrInvalid, err)
		}
	}
	return lex, nil
}

// NewFetcher builds the HTTP client from the config's http section.
func NewFetcher(cfg *config.Config) *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent:          cfg.HTTP.UserAgent,
		Timeout:            cfg.HTTP.Timeout.D(),
		MaxBodyBytes:       cfg.HTTP.MaxBodyBytes,
		AllowPrivate:       cfg.HTTP.AllowPrivateNetworks,
		PerHostConcurrency: cfg.HTTP.PerHostConcurrency,
		PerHostRate:        cfg.HTTP.PerHostRate,
		Robots:             true,
	})
}

// NewSources builds the configured feed and listing sources on client.
func NewSources(cfg *config.Config, client *fetch.Client) ([]Source, error) {
	loc := location(cfg)
	out := make([]Source, 0, len(cfg.Sources))
	for i, s := range cfg.Sources {
		var src Source
		switch s.Type {
		case config.TypeFeed:
			f, err := feed.New(s.Name, s.URL, client, loc)
			if err != nil {
				return nil, fmt.Errorf("config %s: sources[%d]: %w: %w", cfg.Path, i, config.ErrInvalid, err)
			}
			src.Source = f
		case config.TypeHTML:
			sel := listing.Selectors{Item: s.Selectors.Item, Link: s.Selectors.Link, Title: s.Selectors.Title,
				Date: s.Selectors.Date, Next: s.Selectors.Next}
			l, err := listing.New(s.Name, s.URL, sel, client, loc)
			if err != nil {
				return nil, fmt.Errorf("config %s: sources[%d]: %w: %w", cfg.Path, i, config.ErrInvalid, err)
			}
			src.Source = l
		default:
			return nil, fmt.Errorf("config %s: sources[%d].type: %w: %q", cfg.Path, i, config.ErrInvalid, s.Type)
		}
		src.URL, src.Schedule, src.MaxNewItems = s.URL, s.Schedule, cfg.SourceMaxNewItems(i)
		out = append(out, src)
	}
	return out, nil
}

// OpenOptions are what Open cannot take from the config.
type OpenOptions struct {
	Notifier           alerts.Notifier
	Logger             *slog.Logger
	Metrics            *Metrics // nil: a new set
	ArticleConcurrency int      // 0: the default
	SourceConcurrency  int      // 0: the default
}

// Open builds a Worker from a validated config: detector, HTTP client,
// sources, and the store, which the caller closes.
func Open(ctx context.Context, cfg *config.Config, o OpenOptions) (*Worker, *store.Store, error) {
	// The watch list is checked now; the detector is built when the first
	// page is read (building it costs more than a pass with nothing new).
	lex, err := watchLexicon(cfg)
	if err != nil {
		return nil, nil, err
	}
	client := NewFetcher(cfg)
	srcs, err := NewSources(cfg, client)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, nil, err
	}
	w, err := New(Config{
		Store: st, Fetch: client, NewDetector: func() *detect.Detector { return detect.New(lex) }, Notifier: o.Notifier, Sources: srcs,
		Location: location(cfg), MaxAge: cfg.Alerts.MaxAge.D(), Logger: o.Logger, Metrics: o.Metrics,
		DeliveryDeadline: cfg.Alerts.DeliveryDeadline.D(), MaxPendingAge: cfg.Alerts.MaxPendingAge.D(),
		ArticleConcurrency: o.ArticleConcurrency, SourceConcurrency: o.SourceConcurrency,
	})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return w, st, nil
}

// location is the config's loaded timezone, loading it when the config was
// built in code rather than validated.
func location(cfg *config.Config) *time.Location {
	if cfg.Location != nil {
		return cfg.Location
	}
	if loc, err := time.LoadLocation(cfg.Timezone); err == nil {
		return loc
	}
	return time.UTC
}
