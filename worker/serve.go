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
	// OnListen, when set, is called with the bound address once the HTTP
	// server listens (tests use it to find a ":0" port).
	OnListen func(addr string)
}

// Serve schedules every source with robfig/cron, delivers alerts on one
// sender loop and serves health and metrics, until ctx is cancelled; then
// it stops scheduling, lets in-flight passes finish within ShutdownTimeout
// and returns nil.
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
	loc := w.cfg.Location

	// Work runs on its own context: SIGTERM stops scheduling at once but
	// lets passes in flight finish until the shutdown deadline.
	workCtx, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	defer cutOff()

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
		cron.WithParser(cronParser{loc}),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger)),
	)
	for _, s := range w.cfg.Sources {
		spec := s.Schedule
		if spec == "" {
			spec = opts.Schedule
		}
		sched, err := config.ParseSchedule(spec, loc)
		if err != nil {
			return fmt.Errorf("serve: source %s: schedule %w", s.Name(), err)
		}
		jitter := min(opts.MaxJitter, interval(sched, time.Now().In(loc))/10)
		job := func() {
			if jitter > 0 && !sleep(ctx, rand.N(jitter)) {
				return
			}
			if ctx.Err() != nil {
				return
			}
			w.runSource(workCtx, s, RunOptions{NoAlerts: opts.NoAlerts}, &runSeen{urls: map[string]bool{}})
			wake()
		}
		c.Schedule(sched, cron.FuncJob(job))
		// A first pass at start: catches up once on whatever was missed
		// while the service was down.
		wg.Add(1)
		go func() {
			defer wg.Done()
			job()
		}()
	}
	c.Start()
	w.log.Info("serving", "sources", len(w.cfg.Sources), "schedule", opts.Schedule)

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
	select {
	case <-done:
	case <-time.After(opts.ShutdownTimeout):
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
		rep, err := w.Deliver(deliverCtx(workCtx, stop), time.Minute)
		if err != nil && !errors.Is(err, context.Canceled) {
			w.log.Error("delivery", "error", err)
		}
		if rep.Posted+rep.Replies+rep.Found > 0 {
			w.log.Info("delivered", "alerts", rep.Posted, "replies", rep.Replies, "found", rep.Found, "pending", rep.Pending)
		}
	}
}

// deliverCtx ends when either the work is cut off or the service stops
// taking work; a post already on the wire is finished by the notifier's own
// timeout within the shutdown window.
func deliverCtx(workCtx, stop context.Context) context.Context {
	ctx, cancel := context.WithCancel(workCtx)
	go func() {
		select {
		case <-stop.Done():
		case <-workCtx.Done():
		}
		cancel()
	}()
	return ctx
}

// Handler serves /healthz (alive), /readyz (database open and migrated),
// /metrics (Prometheus text) and the read-only views of package web.
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
		if err := w.cfg.Store.Ready(ctx); err != nil {
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
type cronParser struct{ loc *time.Location }

func (p cronParser) Parse(spec string) (cron.Schedule, error) {
	return config.ParseSchedule(spec, p.loc)
}

// cronLogger adapts slog to robfig/cron's logger (whose default writes to
// stdout).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
