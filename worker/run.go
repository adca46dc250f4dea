package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/article"
	"github.com/wallwatch/worker/sources/canon"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
)

// RunOptions tune one pass.
type RunOptions struct {
	// Sources limits the pass to these source names; empty = all.
	Sources []string
	// Since makes listing sources walk back to this time (a backfill).
	Since time.Time
	// NoAlerts records events for the timeline without alerting them.
	NoAlerts bool
	// NoDelivery skips the delivery step (serve delivers on its own loop).
	NoDelivery bool
	// IgnoreDeferral fetches sources even when an earlier failure deferred them.
	IgnoreDeferral bool
	// Force fetches every source now and in full: deferrals are ignored and
	// no request is conditional, so every item not yet recorded is fetched
	// again (run-once --force).
	Force bool
	// DeliveryDeadline bounds the delivery step; 0 = the configured
	// deadline.
	DeliveryDeadline time.Duration
	// Progress, when set, is told of listing pages read during backfills.
	Progress func(source string, page, items int)
	// SourceDone, when set, is told of each source the pass has finished:
	// how many are done out of how many, and what that one did. Calls do
	// not overlap.
	SourceDone func(done, total int, r SourceReport)
}

// SourceReport is what a pass did with one source.
type SourceReport struct {
	Name          string
	Items         int        // items listed
	New           int        // items not seen before
	Articles      int        // articles recorded
	Events        int        // events detected in them
	Headline      int        // headline events among them
	NotAlerted    NotAlerted // headline events recorded without an alert of their own, by reason
	Later         int        // new items left for later passes by the per-pass cap
	NotModified   bool
	DeferredUntil time.Time // skipped: deferred by an earlier failure
	Skipped       string    // skipped for another reason (already running)
	ArticleErrors []error   // pages that could not be fetched or parsed
	NotRecorded   []error   // writes to the database that failed: articles, the source's state
	Err           error     // the source itself failed
}

func (r *SourceReport) notRecorded(err error) {
	if err != nil {
		r.NotRecorded = append(r.NotRecorded, err)
	}
}

// NotAlerted counts headline events recorded without an alert of their
// own, by reason.
type NotAlerted struct {
	MaxAge   int // the article is older than alerts.max_age
	NoAlerts int // the run was told to post nothing (--no-alerts)
	Coverage int // the event reports a development already recorded: a reply in its thread, or the timeline
}

// Total is every headline event not alerted.
func (n NotAlerted) Total() int { return n.MaxAge + n.NoAlerts + n.Coverage }

// add counts the headline events of one recorded article.
func (n *NotAlerted) add(in store.RecordInput, res store.RecordResult, noAlerts bool) {
	h := countHeadline(in.Events)
	switch {
	case !in.Alert && noAlerts:
		n.NoAlerts += h
	case !in.Alert:
		n.MaxAge += h
	default:
		n.Coverage += max(0, h-res.NewDevelopments)
	}
}

// ErrNotRecorded marks what was read but could not be written to the
// database (a full disk, a broken file): the run did not do its job.
var ErrNotRecorded = errors.New("not recorded")

// Report is what one pass did.
type Report struct {
	Sources  []SourceReport
	Delivery DeliveryReport
	Duration time.Duration
}

// RecordErrors returns every database write of the pass that failed.
func (r Report) RecordErrors() []error {
	var out []error
	for _, s := range r.Sources {
		out = append(out, s.NotRecorded...)
	}
	return out
}

// Failed returns the sources that failed, for the run's summary.
func (r Report) Failed() []SourceReport {
	var out []SourceReport
	for _, s := range r.Sources {
		if s.Err != nil {
			out = append(out, s)
		}
	}
	return out
}

// RunOnce does one pass over the sources, then delivers pending alerts.
// A failing source or page never stops the others; their errors are in the
// report. The returned error is for a run that did not do its job: writes
// to the database that failed (ErrNotRecorded), due alerts left undelivered
// (ErrUndelivered, ErrNotifier), a cancelled context.
func (w *Worker) RunOnce(ctx context.Context, opts RunOptions) (Report, error) {
	start := time.Now()
	srcs, err := w.pick(opts.Sources)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Sources: w.pass(ctx, ctx, srcs, opts)}
	if err := ctx.Err(); err != nil {
		rep.Duration = time.Since(start)
		return rep, err
	}
	var recErr error
	if errs := rep.RecordErrors(); len(errs) > 0 {
		recErr = fmt.Errorf("%d writes to the database failed, the first: %w", len(errs), errs[0])
	}
	if !opts.NoDelivery {
		// A manual pass retries what earlier passes left for later.
		if n, err := w.cfg.Store.RetryNow(ctx, w.cfg.Now()); err != nil {
			return rep, err
		} else if n > 0 {
			w.log.Info("retrying deliveries left by earlier runs", "count", n)
		}
		rep.Delivery, err = w.Deliver(ctx, opts.DeliveryDeadline)
	}
	rep.Duration = time.Since(start)
	return rep, errors.Join(recErr, err)
}

// pass runs srcs through the worker's one bounded pool of sources, so that
// run-once and every schedule of serve share one limit, and returns their
// reports in order. No source starts once stop is done; ctx is the sources'
// work. The pass's duration is the run-duration metric.
func (w *Worker) pass(ctx, stop context.Context, srcs []Source, opts RunOptions) []SourceReport {
	start := time.Now()
	reps := make([]SourceReport, len(srcs))
	// The sources' states are written together when the pass ends: one
	// transaction, not one per source.
	seen := &runSeen{urls: map[string]bool{}, deferStates: true}
	var wg sync.WaitGroup
	var doneMu sync.Mutex
	done := 0
	finished := func(r SourceReport) {
		if opts.SourceDone == nil {
			return
		}
		doneMu.Lock()
		defer doneMu.Unlock()
		done++
		opts.SourceDone(done, len(srcs), r)
	}
	for i, s := range srcs {
		select {
		case w.pool <- struct{}{}:
		case <-stop.Done():
			reps[i] = SourceReport{Name: s.Name(), Err: context.Cause(stop)}
			finished(reps[i])
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-w.pool }()
			reps[i] = w.runSource(ctx, s, opts, seen)
			finished(reps[i])
		}()
	}
	wg.Wait()
	if err := w.saveStates(ctx, seen); err != nil {
		for i := range reps {
			reps[i].notRecorded(err)
		}
	}
	w.m.RunDuration.Observe(time.Since(start).Seconds())
	return reps
}

func (w *Worker) pick(names []string) ([]Source, error) {
	if len(names) == 0 {
		return w.cfg.Sources, nil
	}
	var out []Source
	for _, n := range names {
		found := false
		for _, s := range w.cfg.Sources {
			if s.Name() == n {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: no source named %q", ErrUsage, n)
		}
	}
	return out, nil
}

// ErrUsage marks a request that names something that does not exist.
var ErrUsage = errors.New("bad usage")

// runSeen makes one pass fetch each article once, however many sources list it.
// runSeen is what the sources of one pass share: it makes the pass fetch
// each article once, however many sources list it, and, when deferStates
// is set, holds the sources' states until the pass saves them together.
type runSeen struct {
	mu          sync.Mutex
	urls        map[string]bool
	deferStates bool
	states      []store.SourceState
}

// saveStates saves the queued states of a pass in one transaction, even
// when the pass is being stopped.
func (w *Worker) saveStates(ctx context.Context, seen *runSeen) error {
	if len(seen.states) == 0 {
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushWait)
	defer cancel()
	if err := w.cfg.Store.SaveSourceStates(sctx, seen.states); err != nil {
		w.log.Error("save source states", "sources", len(seen.states), "error", err)
		return fmt.Errorf("%w: the state of %d sources: %w", ErrNotRecorded, len(seen.states), err)
	}
	return nil
}

func (r *runSeen) claim(u string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls[u] {
		return false
	}
	r.urls[u] = true
	return true
}

// runSource runs one source; only one pass of a source runs at a time in a
// process (a cron tick while the previous one still runs is skipped), and
// in all the processes on one database (the source is leased).
func (w *Worker) runSource(ctx context.Context, s Source, opts RunOptions, seen *runSeen) SourceReport {
	name := s.Name()
	rep := SourceReport{Name: name}
	log := w.log.With("source", name)
	if !w.begin(name) {
		rep.Skipped = "a pass of this source is still running"
		w.m.SourceSkips.WithLabelValues(name).Inc()
		log.Info("skipped: previous pass still running")
		return rep
	}
	defer w.end(name)
	release, held := w.leaseSource(ctx, log, name, &rep)
	if !held {
		return rep
	}
	defer release()

	now := w.cfg.Now()
	st, err := w.cfg.Store.SourceState(ctx, name)
	if err != nil {
		rep.Err = err
		return rep
	}
	st.Name = name
	if !opts.IgnoreDeferral && !opts.Force && opts.Since.IsZero() && st.NextAttempt.After(now) {
		rep.DeferredUntil = st.NextAttempt
		w.m.SourceFetches.WithLabelValues(name, "deferred").Inc()
		log.Info("deferred by an earlier failure", "until", st.NextAttempt.UTC().Format(time.RFC3339), "last_error", st.LastError)
		return rep
	}
	st.LastAttempt = now

	req := sources.ListRequest{Since: opts.Since, Known: st.Validators}
	if opts.Force {
		req.Known = nil
	}
	if opts.Progress != nil {
		req.Progress = func(page, items int) { opts.Progress(name, page, items) }
	}
	listing, err := s.List(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			rep.Err = ctx.Err()
			return rep
		}
		rep.Err = err
		rep.notRecorded(w.failSource(ctx, log, seen, &st, err, now))
		if len(listing.Items) == 0 {
			return rep
		}
		// A backfill that failed on a later page still handles what it read.
	}
	rep.Items = len(listing.Items)
	rep.NotModified = listing.NotModified
	if listing.NotModified {
		w.m.SourceFetches.WithLabelValues(name, "not_modified").Inc()
		rep.notRecorded(w.succeedSource(ctx, log, seen, &st, nil, now))
		return rep
	}

	items := dedupeItems(listing.Items)
	urls := make([]string, len(items))
	for i, it := range items {
		urls[i] = it.URL
	}
	unseen, err := w.cfg.Store.Unseen(ctx, urls)
	if err != nil {
		rep.Err = err
		return rep
	}
	isNew := make(map[string]bool, len(unseen))
	for _, u := range unseen {
		isNew[u] = true
	}
	rep.New = len(unseen)
	fresh := make([]sources.Item, 0, len(unseen))
	for _, it := range items {
		if isNew[it.URL] {
			fresh = append(fresh, it)
		}
	}
	if s.MaxNewItems > 0 && opts.Since.IsZero() && len(fresh) > s.MaxNewItems {
		// Newest first: items are in date order, undated last (feeds list
		// their newest items without dates, if any). The rest wait.
		rep.Later = len(fresh) - s.MaxNewItems
		fresh = fresh[rep.Later:]
		log.Info("more new items than one pass reads; the rest on later passes", "new", rep.New,
			"read", s.MaxNewItems, "later", rep.Later)
	}

	var mu sync.Mutex
	recorded := func(in store.RecordInput) func(store.RecordResult, error) {
		evs := in.Events
		return func(res store.RecordResult, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				rep.NotRecorded = append(rep.NotRecorded, fmt.Errorf("%w: %w", ErrNotRecorded, err)) // it names the article
				return
			}
			if !res.Duplicate {
				rep.Articles++
				rep.Events += len(evs)
				rep.Headline += countHeadline(evs)
				rep.NotAlerted.add(in, res, opts.NoAlerts)
			}
		}
	}
	// The pass's articles are recorded together, a batch at a time; the
	// source's validators are saved only after the last batch committed,
	// so a pass cut short leaves its unrecorded items new, not 304.
	batch := w.cfg.Store.NewBatch(recordBatch)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(w.cfg.ArticleConcurrency)
	for _, it := range fresh {
		if !seen.claim(it.URL) {
			continue
		}
		g.Go(func() error {
			in, err := w.readItem(gctx, s, it, opts, now)
			if err != nil {
				mu.Lock()
				rep.ArticleErrors = append(rep.ArticleErrors, err)
				mu.Unlock()
				return nil
			}
			batch.Add(gctx, in, recorded(in))
			return nil
		})
	}
	_ = g.Wait()
	// What was read is kept even when the pass is being stopped, within
	// the time a write may wait for another process's lock.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushWait)
	batch.Flush(fctx)
	cancel()
	if ctx.Err() != nil {
		rep.Err = ctx.Err()
		return rep
	}
	for _, e := range rep.ArticleErrors {
		log.Warn("article skipped", "error", e)
	}
	if rep.Err == nil {
		w.m.SourceFetches.WithLabelValues(name, "ok").Inc()
		// Validators are kept only when every item was handled, so a page
		// that failed for a passing reason is listed again (not answered
		// 304) next time. A page that can never be read (404, robots,
		// private address, not HTML, too large) does not hold the source
		// back: it is tried again only when the source changes.
		// Items left for a later pass, or read but not recorded, keep the
		// source from 304s as well.
		var v map[string]sources.Validators
		if !slices.ContainsFunc(rep.ArticleErrors, transient) && rep.Later == 0 && len(rep.NotRecorded) == 0 {
			v = listing.Validators
		}
		rep.notRecorded(w.succeedSource(ctx, log, seen, &st, v, now))
	}
	log.Info("source done", "items", rep.Items, "new", rep.New, "articles", rep.Articles,
		"events", rep.Events, "headline", rep.Headline, "article_errors", len(rep.ArticleErrors))
	return rep
}

func (w *Worker) begin(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running[name] {
		return false
	}
	w.running[name] = true
	return true
}

func (w *Worker) end(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.running, name)
}

func (w *Worker) failSource(ctx context.Context, log *slog.Logger, seen *runSeen, st *store.SourceState, err error, now time.Time) error {
	st.ConsecutiveFailures++
	st.LastError = err.Error()
	next := now.Add(fetch.Backoff(st.ConsecutiveFailures, nil))
	var ra *fetch.RetryAfterError
	if errors.As(err, &ra) && ra.Until.After(now) {
		next = ra.Until
	}
	st.NextAttempt = next
	w.m.SourceFetches.WithLabelValues(st.Name, "error").Inc()
	log.Warn("source failed", "error", err, "consecutive_failures", st.ConsecutiveFailures,
		"next_attempt", next.UTC().Format(time.RFC3339))
	return w.saveState(ctx, log, seen, st)
}

func (w *Worker) succeedSource(ctx context.Context, log *slog.Logger, seen *runSeen, st *store.SourceState, v map[string]sources.Validators, now time.Time) error {
	if st.ConsecutiveFailures > 0 {
		log.Info("source recovered", "after_failures", st.ConsecutiveFailures)
	}
	st.ConsecutiveFailures = 0
	st.LastError = ""
	st.NextAttempt = time.Time{}
	st.LastSuccess = now
	if v != nil {
		if st.Validators == nil {
			st.Validators = map[string]sources.Validators{}
		}
		for k, val := range v {
			st.Validators[k] = val
		}
	}
	w.m.SourceLastSuccess.WithLabelValues(st.Name).Set(float64(now.Unix()))
	return w.saveState(ctx, log, seen, st)
}

// saveState stores a source's state; a failure is a write the run could not
// make.
// saveState saves a source's state now, or queues it for the end of the
// pass. Either way it comes after the source's articles were recorded, so
// validators never stand for articles not stored.
func (w *Worker) saveState(ctx context.Context, log *slog.Logger, seen *runSeen, st *store.SourceState) error {
	if seen.deferStates {
		seen.mu.Lock()
		seen.states = append(seen.states, *st)
		seen.mu.Unlock()
		return nil
	}
	if err := w.cfg.Store.SaveSourceState(ctx, *st); err != nil {
		log.Error("save source state", "error", err)
		return fmt.Errorf("%w: %w", ErrNotRecorded, err)
	}
	return nil
}

// transient reports whether a page failed for a reason that may pass:
// timeouts, network errors, 5xx, 408, 429, a robots.txt that could not be
// read, a cancelled run. Parse errors and refusals (4xx, a robots.txt that
// disallows the page, the address guard, content type, size) are for good.
func transient(err error) bool {
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == http.StatusRequestTimeout || se.Code == http.StatusTooManyRequests
	case errors.Is(err, fetch.ErrRobots), errors.Is(err, fetch.ErrPrivateAddress), errors.Is(err, fetch.ErrContentType),
		errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrTooManyRedirect), errors.Is(err, fetch.ErrScheme),
		errors.Is(err, errParse):
		return false
	default:
		return true
	}
}

// dedupeItems drops repeated URLs and orders items oldest first, so the
// earliest report of a development is recorded first.
func dedupeItems(items []sources.Item) []sources.Item {
	seen := make(map[string]bool, len(items))
	out := make([]sources.Item, 0, len(items))
	for _, it := range items {
		if seen[it.URL] {
			continue
		}
		seen[it.URL] = true
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Published, out[j].Published
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.Before(b)
	})
	return out
}

// recordBatch is how many articles of a pass are recorded in one
// transaction: a feed's worth, bounding what a pass holds in memory.
const recordBatch = 64

// flushWait bounds the last write of a pass that is being stopped.
const flushWait = 10 * time.Second

func countHeadline(evs []sources.Event) int {
	n := 0
	for _, e := range evs {
		if e.Headline {
			n++
		}
	}
	return n
}

// errParse marks a page that was fetched but could not be parsed.
var errParse = errors.New("page cannot be parsed")

// pageAccept lists the media types an article page may be served as.
var pageAccept = []string{"text/html", "application/xhtml+xml", "text/plain", "application/octet-stream"}

// readItem fetches, parses and detects one article, ready to be recorded.
func (w *Worker) readItem(ctx context.Context, s Source, it sources.Item, opts RunOptions, now time.Time) (store.RecordInput, error) {
	a, err := fetchArticle(ctx, w.cfg.Fetch, w.cfg.Location, s.URL, it)
	if err != nil {
		return store.RecordInput{}, err
	}
	if a.Published.After(now) {
		// A page cannot be published after it was read: a wrong date (a
		// typo, a wrong time zone, a placeholder) is clamped to the fetch
		// time, so nothing is alerted as a development of the future.
		w.log.Warn("publication date after the fetch time; clamped to it", "source", s.Name(), "url", it.URL,
			"published", a.Published.Format(time.RFC3339), "fetched", now.Format(time.RFC3339))
		a.Published = now
	}
	evs := w.detector().Detect(a, now)
	w.m.EventsDetected.Add(float64(len(evs)))
	return store.RecordInput{
		Source:  s.Name(),
		Article: a,
		Events:  evs,
		Alert:   !opts.NoAlerts && w.fresh(a.Published, now),
		Now:     now,
	}, nil
}

// fetchArticle fetches and parses an item's page. origin is the source's own
// URL, whose origin alone may be on a private network (allow_private_networks).
func fetchArticle(ctx context.Context, client *fetch.Client, loc *time.Location, origin string, it sources.Item) (sources.Article, error) {
	resp, err := client.Get(ctx, fetch.Request{
		URL:           it.URL,
		Accept:        pageAccept,
		TrustedOrigin: origin,
		CheckRobots:   true,
	})
	if err != nil {
		return sources.Article{}, err
	}
	a, err := article.Parse(resp.Body, resp.ContentType, resp.URL, article.Options{Location: loc})
	if err != nil {
		return sources.Article{}, fmt.Errorf("parse %s: %w: %w", it.URL, errParse, err)
	}
	a.URL = it.URL
	if a.Canonical != "" {
		if c, err := canon.URL(canon.StripVariant(a.Canonical), nil); err == nil {
			a.Canonical = c
		} else {
			a.Canonical = ""
		}
	}
	if a.Published.IsZero() {
		a.Published = it.Published
	}
	if strings.TrimSpace(a.Title) == "" {
		a.Title = it.Title
	}
	return a, nil
}

// fresh reports whether an article is recent enough to alert.
func (w *Worker) fresh(published, now time.Time) bool {
	if w.cfg.MaxAge <= 0 || published.IsZero() {
		return true
	}
	return now.Sub(published) <= w.cfg.MaxAge
}
