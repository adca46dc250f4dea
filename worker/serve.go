package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"

	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/worker/web"
)

// ServeOptions configure the long-running service.
type ServeOptions struct {
	Schedule string // default cron spec for sources without their own
	Listen   string // address for /healthz, /readyz and /metrics; "" = none
	// MaxJitter caps the random delay before each source's pass, so sources
	// on one schedule do not all fire at once; the delay is also at most a
	// tenth of the source's interval.
	MaxJitter time.Duration
	// ShutdownTimeout is how long in-flight work may finish after SIGTERM
	// before it is cut off.
	ShutdownTimeout time.Duration
	// RetryEvery is how often pending deliveries are retried when nothing
	// else wakes the sender.
	RetryEvery time.Duration
	NoAlerts   bool
	// BackupEvery is how often an online snapshot of the database is
	// written to BackupPath; 0 = never.
	BackupEvery time.Duration
	BackupPath  string
	// OnListen, when set, is called with the bound address once the HTTP
	// server listens (tests use it to find a ":0" port).
	OnListen func(addr string)

	// parse reads schedules; nil = config.ParseSchedule. Tests use
	// sub-second schedules, which the config refuses.
	parse func(spec string, loc *time.Location) (cron.Schedule, error)
}

// Serve runs the same pass as RunOnce on a schedule: the sources are grouped
// by cron spec, each group is one robfig/cron entry whose tick is a pass over
// the group through the worker's one bounded pool of sources, and a tick that
// comes while the group's previous pass still runs is skipped (and counted).
// One sender loop delivers after every pass and on a timer for retries. It
// serves health and metrics until ctx is cancelled; then it stops
// scheduling, lets in-flight passes finish within ShutdownTimeout and
// returns nil. Nothing in it starts a goroutine per tick or per wake-up that
// outlives the tick.
func (w *Worker) Serve(ctx context.Context, opts ServeOptions) error {
	if opts.MaxJitter <= 0 {
		opts.MaxJitter = 30 * time.Second
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 8 * time.Second
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = 30 * time.Second
	}
	parse := opts.parse
	if parse == nil {
		parse = config.ParseSchedule
	}
	loc := w.cfg.Location

	// Work runs on its own context: SIGTERM stops scheduling at once but
	// lets passes in flight finish until the shutdown deadline.
	workCtx, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	defer cutOff()

	groups, err := scheduleGroups(w.cfg.Sources, opts.Schedule, loc, parse)
	if err != nil {
		return err
	}

	var srv *http.Server
	srvErr := make(chan error, 1)
	if opts.Listen != "" {
		ln, err := net.Listen("tcp", opts.Listen)
		if err != nil {
			return fmt.Errorf("serve: listen %s: %w", opts.Listen, err)
		}
		srv = &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second}
		w.log.Info("listening", "addr", ln.Addr().String())
		if opts.OnListen != nil {
			opts.OnListen(ln.Addr().String())
		}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				srvErr <- err
			}
		}()
	}

	kick := make(chan struct{}, 1)
	wake := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.deliveryLoop(workCtx, ctx, kick, opts.RetryEvery)
	}()

	logger := cronLogger{w.log}
	c := cron.New(
		cron.WithLocation(loc),
		cron.WithParser(cronParser{loc, parse}),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger)),
	)
	runOpts := RunOptions{NoAlerts: opts.NoAlerts, NoDelivery: true}
	for _, g := range groups {
		jitter := min(opts.MaxJitter, interval(g.schedule, time.Now().In(loc))/10)
		tick := w.skipIfRunning(g.sources, func() {
			if jitter > 0 && !sleep(ctx, rand.N(jitter)) {
				return
			}
			if ctx.Err() != nil {
				return
			}
			w.pass(workCtx, ctx, g.sources, runOpts)
			wake()
		})
		c.Schedule(g.schedule, cron.FuncJob(tick))
		// A first pass at start: catches up once on whatever was missed
		// while the service was down.
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick()
		}()
	}
	if opts.BackupEvery > 0 && opts.BackupPath != "" {
		var running atomic.Bool
		c.Schedule(period(opts.BackupEvery), cron.FuncJob(func() {
			if running.CompareAndSwap(false, true) {
				defer running.Store(false)
				w.backup(workCtx, opts.BackupPath)
			}
		}))
	}
	c.Start()
	w.log.Info("serving", "sources", len(w.cfg.Sources), "schedules", len(groups), "schedule", opts.Schedule)

	select {
	case <-ctx.Done():
	case err := <-srvErr:
		w.log.Error("http server failed", "error", err)
		cutOff()
	}
	w.log.Info("shutting down", "timeout", opts.ShutdownTimeout)
	stopped := c.Stop()
	done := make(chan struct{})
	go func() {
		<-stopped.Done()
		wg.Wait()
		close(done)
	}()
	shutdownTimer := time.NewTimer(opts.ShutdownTimeout)
	defer shutdownTimer.Stop()
	select {
	case <-done:
	case <-shutdownTimer.C:
		w.log.Warn("in-flight work cut off at the shutdown deadline")
		cutOff()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	cutOff()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	w.log.Info("stopped")
	return nil
}

// period is a schedule that fires at a fixed interval after each run.
type period time.Duration

// Next is t plus the period.
func (p period) Next(t time.Time) time.Time { return t.Add(time.Duration(p)) }

// backup writes the periodic snapshot of the database.
func (w *Worker) backup(ctx context.Context, path string) {
	start := time.Now()
	if err := w.cfg.Store.Snapshot(ctx, path); err != nil {
		w.m.BackupFailures.Inc()
		w.log.Error("database snapshot failed", "path", path, "error", err)
		return
	}
	w.m.BackupLastSuccess.Set(float64(time.Now().Unix()))
	w.log.Info("database snapshot written", "path", path, "took", time.Since(start).Round(time.Millisecond))
}

// scheduleGroup is the sources that share one cron spec.
type scheduleGroup struct {
	spec     string
	schedule cron.Schedule
	sources  []Source
}

// scheduleGroups groups sources by their schedule (def for those without
// one), in the order the specs first appear.
func scheduleGroups(srcs []Source, def string, loc *time.Location,
	parse func(string, *time.Location) (cron.Schedule, error)) ([]scheduleGroup, error) {
	var groups []scheduleGroup
	index := map[string]int{}
	for _, s := range srcs {
		spec := s.Schedule
		if spec == "" {
			spec = def
		}
		if i, ok := index[spec]; ok {
			groups[i].sources = append(groups[i].sources, s)
			continue
		}
		sched, err := parse(spec, loc)
		if err != nil {
			return nil, fmt.Errorf("serve: source %s: schedule %w", s.Name(), err)
		}
		index[spec] = len(groups)
		groups = append(groups, scheduleGroup{spec: spec, schedule: sched, sources: []Source{s}})
	}
	return groups, nil
}

// skipIfRunning is cron.SkipIfStillRunning that also counts and logs the
// skipped tick for each source of the group.
func (w *Worker) skipIfRunning(srcs []Source, run func()) func() {
	var running atomic.Bool
	return func() {
		if !running.CompareAndSwap(false, true) {
			for _, s := range srcs {
				w.m.SourceSkips.WithLabelValues(s.Name()).Inc()
			}
			w.log.Info("tick skipped: the previous pass is still running", "sources", len(srcs))
			return
		}
		defer running.Store(false)
		run()
	}
}

// deliveryLoop delivers whenever a pass wakes it and on a timer for retries.
// It stops taking new work when stop is done; workCtx cuts a post off only
// at the shutdown deadline.
func (w *Worker) deliveryLoop(workCtx, stop context.Context, kick <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-kick:
		case <-t.C:
		}
		rep, err := w.deliverUntil(workCtx, stop, 0)
		if err != nil && !errors.Is(err, context.Canceled) {
			w.log.Warn("delivery", "error", err)
		}
		if rep.Posted+rep.Replies+rep.Found > 0 {
			w.log.Info("delivered", "alerts", rep.Posted, "replies", rep.Replies, "found", rep.Found, "pending", rep.Pending)
		}
	}
}

// Handler serves /healthz (alive), /readyz (see Ready: the database
// answers, deliveries are not refused, no alert waits too long), /metrics
// (Prometheus text) and the read-only views of package web.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = rw.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := w.Ready(ctx); err != nil {
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(rw, "not ready: %v\n", err)
			return
		}
		_, _ = rw.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.m.Registry, promhttp.HandlerOpts{}))
	mux.Handle("/", web.New(w.cfg.Store, web.Options{Logger: w.log}))
	return mux
}

// interval estimates a schedule's period from two consecutive firings.
func interval(s cron.Schedule, now time.Time) time.Duration {
	a := s.Next(now)
	b := s.Next(a)
	if a.IsZero() || b.IsZero() {
		return 0
	}
	return b.Sub(a)
}

// cronParser lets cron use the config's guarded parser.
type cronParser struct {
	loc   *time.Location
	parse func(string, *time.Location) (cron.Schedule, error)
}

func (p cronParser) Parse(spec string) (cron.Schedule, error) {
	return p.parse(spec, p.loc)
}

// cronLogger adapts slog to robfig/cron's logger (whose default writes to
// stdout).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
