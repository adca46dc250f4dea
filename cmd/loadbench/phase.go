package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/config"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// phaseInput tells a phase process what to do.
type phaseInput struct {
	Phase      string    `json:"phase"` // floor, cold, warm, change, memcheck
	Feeds      []feedRef `json:"feeds"`
	DB         string    `json:"db"`
	Limits     limits    `json:"limits"`
	Runs       int       `json:"runs"` // memcheck: consecutive runs
	CPUProfile string    `json:"cpu_profile,omitempty"`
	MemProfile string    `json:"mem_profile,omitempty"`
	DBServer   int       `json:"db_server,omitempty"` // postmaster PID of a PostgreSQL database
}

// runStats is what the worker reported for one pass.
type runStats struct {
	Sources       int      `json:"sources"`
	NotModified   int      `json:"not_modified"` // sources answered 304
	Items         int      `json:"items"`
	New           int      `json:"new"`
	Articles      int      `json:"articles"`
	Events        int      `json:"events"`
	Headline      int      `json:"headline"`
	ArticleErrors int      `json:"article_errors"`
	SourceErrors  int      `json:"source_errors"`
	Alerts        int      `json:"alerts_posted"`
	Errors        []string `json:"errors,omitempty"` // the first few
}

// memRun is the heap after one of the memcheck runs.
type memRun struct {
	HeapInUse  uint64  `json:"heap_inuse_bytes"` // after GC
	Goroutines int     `json:"goroutines"`
	Wall       float64 `json:"wall_s"`
}

// phaseOutput is what a phase process reports.
type phaseOutput struct {
	Phase   string       `json:"phase"`
	Setup   measurement  `json:"setup"` // opening the store, building the detector
	Run     measurement  `json:"run"`
	Worker  *runStats    `json:"worker,omitempty"`
	Floor   *floorResult `json:"floor,omitempty"`
	MemRuns []memRun     `json:"mem_runs,omitempty"`
}

// runPhase runs one phase in this process.
func runPhase(ctx context.Context, in phaseInput) (phaseOutput, error) {
	out := phaseOutput{Phase: in.Phase}
	dbServerPID = in.DBServer
	if in.Phase == "floor" {
		var fr floorResult
		m, err := withProfiles(in, func() error {
			var err error
			fr, err = runFloor(ctx, in.Feeds, in.Limits)
			return err
		})
		out.Run, out.Floor = m, &fr
		return out, err
	}

	var w *worker.Worker
	var st *store.Store
	setup, err := measure(func() error {
		var err error
		w, st, err = openWorker(ctx, in)
		return err
	})
	if err != nil {
		return out, err
	}
	defer st.Close()
	out.Setup = setup

	if in.Phase == "memcheck" {
		var last worker.Report
		out.Run, err = measure(func() error {
			for range in.Runs {
				t0 := time.Now()
				rep, err := w.RunOnce(ctx, worker.RunOptions{})
				if err != nil {
					return err
				}
				last = rep
				heap, gs := heapAfterGC()
				out.MemRuns = append(out.MemRuns, memRun{HeapInUse: heap, Goroutines: gs, Wall: time.Since(t0).Seconds()})
			}
			return nil
		})
		rs := summarize(last)
		out.Worker = &rs
		return out, err
	}

	var rep worker.Report
	out.Run, err = withProfiles(in, func() error {
		var err error
		rep, err = w.RunOnce(ctx, worker.RunOptions{})
		return err
	})
	rs := summarize(rep)
	out.Worker = &rs
	return out, err
}

// withProfiles measures f, writing a CPU profile of it and a heap profile
// after it when asked.
func withProfiles(in phaseInput, f func() error) (measurement, error) {
	if in.CPUProfile != "" {
		pf, err := os.Create(in.CPUProfile)
		if err != nil {
			return measurement{}, fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return measurement{}, fmt.Errorf("cpu profile: %w", err)
		}
		inner := f
		f = func() error {
			defer pprof.StopCPUProfile()
			return inner()
		}
	}
	m, err := measure(f)
	if in.MemProfile != "" {
		runtime.GC()
		pf, perr := os.Create(in.MemProfile)
		if perr == nil {
			perr = pprof.Lookup("allocs").WriteTo(pf, 0)
			pf.Close()
		}
		if perr != nil {
			err = errors.Join(err, fmt.Errorf("memory profile: %w", perr))
		}
	}
	return m, err
}

// openWorker builds a worker as cmd/worker does (worker.Open) from the
// default config, with the benchmark's settings: its own database, the
// generated feeds, no rate limit, private networks allowed (the site is on
// loopback), alerts rendered as JSON into io.Discard.
func openWorker(ctx context.Context, in phaseInput) (*worker.Worker, *store.Store, error) {
	cfg := config.Defaults()
	cfg.Database = in.DB
	cfg.HTTP.PerHostRate = 0
	cfg.HTTP.AllowPrivateNetworks = true
	cfg.HTTP.PerHostConcurrency = in.Limits.PerHost
	cfg.Alerts.MaxAge = 0 // the generated news is dated 2025: alert it all
	for _, f := range in.Feeds {
		cfg.Sources = append(cfg.Sources, config.Source{Name: f.Name, URL: f.URL, Type: config.TypeFeed})
	}
	return worker.Open(ctx, &cfg, worker.OpenOptions{
		Notifier:           alerts.NewWriter(io.Discard, alerts.FormatJSON),
		Logger:             slog.New(slog.DiscardHandler),
		ArticleConcurrency: in.Limits.Articles,
		SourceConcurrency:  in.Limits.Sources,
	})
}

// summarize adds up a pass's report.
func summarize(rep worker.Report) runStats {
	var rs runStats
	note := func(err error) {
		if len(rs.Errors) < 5 {
			rs.Errors = append(rs.Errors, err.Error())
		}
	}
	for _, s := range rep.Sources {
		rs.Sources++
		if s.NotModified {
			rs.NotModified++
		}
		rs.Items += s.Items
		rs.New += s.New
		rs.Articles += s.Articles
		rs.Events += s.Events
		rs.Headline += s.Headline
		rs.ArticleErrors += len(s.ArticleErrors)
		for _, e := range s.ArticleErrors {
			note(e)
		}
		if s.Err != nil {
			rs.SourceErrors++
			note(s.Err)
		}
	}
	rs.Alerts = rep.Delivery.Posted
	return rs
}
