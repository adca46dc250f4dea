// Package worker runs the pipeline: it asks each source for its items, fetches
// and parses the articles it has not seen, detects interconnection events,
// records everything in the store in one transaction per article, and then
// delivers what the store's outbox holds through one notifier. It is the only
// package that calls several others; serve adds cron scheduling, health and
// metrics around the same pass.
package worker

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
)

// Source is a configured source with its schedule.
type Source struct {
	sources.Source
	URL      string // the source's own URL; with allow_private_networks its origin may be private
	Schedule string // cron spec; "" = the default schedule
	// MaxNewItems caps the new items one pass reads, newest first; the
	// rest are read on later passes. 0 = no cap. Backfills are not capped.
	MaxNewItems int
}

// Config holds everything a Worker needs, built once in cmd/worker.
type Config struct {
	Store    *store.Store
	Fetch    *fetch.Client
	Detector *detect.Detector
	Notifier alerts.Notifier
	Sources  []Source
	Location *time.Location // timezone for dates without an offset
	MaxAge   time.Duration  // articles published longer ago are not alerted; 0 = no limit
	Logger   *slog.Logger
	Metrics  *Metrics // nil: a private set nobody reads
	// ArticleConcurrency bounds the article pages processed at once per
	// source (per-host limits apply in the fetch client as well).
	ArticleConcurrency int
	// SourceConcurrency bounds the sources processed at once.
	SourceConcurrency int
	// DeliveryDeadline bounds one delivery step (a post in flight at the
	// deadline is cut off); 0 = DefaultDeliveryDeadline.
	DeliveryDeadline time.Duration
	// MaxPendingAge is how long an alert may wait in the outbox before the
	// worker is not ready; 0 = DefaultMaxPendingAge.
	MaxPendingAge time.Duration
	// Now is the clock of the pass and of delivery (stored times, due
	// times, rate-limit holds); nil = time.Now.
	Now func() time.Time

	// NewDetector, when Detector is nil, builds the detector the first time
	// a page is read: a pass that reads none (every feed answered 304)
	// does not build it.
	NewDetector func() *detect.Detector
}

// Worker runs passes over the sources. Its methods are safe for concurrent
// use: serve runs per-source jobs from cron while a delivery loop runs.
type Worker struct {
	cfg   Config
	log   *slog.Logger
	m     *Metrics
	owner string

	pool chan struct{} // the one bounded pool of sources: a slot per source in progress

	mu        sync.Mutex
	running   map[string]bool // sources with a pass in progress
	sending   sync.Mutex      // one sender at a time in this process
	keyPrefix string          // idempotency key prefix; set under sending
	health    deliveryHealth

	detector func() *detect.Detector // cfg.Detector, or the one cfg.NewDetector builds once
}

// New returns a Worker.
func New(cfg Config) (*Worker, error) {
	if cfg.Store == nil || cfg.Fetch == nil || (cfg.Detector == nil && cfg.NewDetector == nil) || cfg.Notifier == nil {
		return nil, fmt.Errorf("worker: store, fetch client, detector and notifier are required")
	}
	detector := func() *detect.Detector { return cfg.Detector }
	if cfg.Detector == nil {
		detector = sync.OnceValue(cfg.NewDetector)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.ArticleConcurrency <= 0 {
		cfg.ArticleConcurrency = 8
	}
	if cfg.SourceConcurrency <= 0 {
		cfg.SourceConcurrency = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DeliveryDeadline <= 0 {
		cfg.DeliveryDeadline = DefaultDeliveryDeadline
	}
	if cfg.MaxPendingAge <= 0 {
		cfg.MaxPendingAge = DefaultMaxPendingAge
	}
	for _, s := range cfg.Sources {
		if _, err := url.Parse(s.URL); err != nil {
			return nil, fmt.Errorf("worker: source %s: %w", s.Name(), err)
		}
	}
	return &Worker{cfg: cfg, log: cfg.Logger, m: cfg.Metrics, owner: Owner(), running: map[string]bool{},
		pool: make(chan struct{}, cfg.SourceConcurrency), detector: detector}, nil
}

// Metrics returns the worker's metrics.
func (w *Worker) Metrics() *Metrics { return w.m }

// Sources returns the configured sources.
func (w *Worker) Sources() []Source { return w.cfg.Sources }

var (
	ownerOnce sync.Once
	owner     string
)

// Owner identifies this process to the store's delivery leases:
// "host:pid:start", where start is the process's start time as the kernel
// records it (so a new process that reuses the pid, as pid 1 in a restarted
// container does, is a different owner), or the clock when that is unknown.
func Owner() string {
	ownerOnce.Do(func() {
		host, _ := os.Hostname()
		start, ok := processStart(os.Getpid())
		if !ok {
			start = fmt.Sprintf("t%d", time.Now().UnixNano())
		}
		owner = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), start)
	})
	return owner
}

// processStart reads a process's start time (clock ticks since boot) from
// /proc/PID/stat.
func processStart(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// The command name (field 2) may hold spaces: count fields after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", false
	}
	return f[19], true // field 22: starttime
}
