package worker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
)

// DeliveryReport is what one delivery step did.
type DeliveryReport struct {
	Posted  int // top-level alerts posted
	Replies int // thread replies posted
	Found   int // found already in Slack after an unanswered attempt: not posted again
	// Unconfirmed counts messages a webhook did not post a third time: two
	// posts went unanswered, and either may be in the channel.
	Unconfirmed int
	Skipped     int // replies a notifier without threads cannot post
	Muted       int // set aside unposted: their development, source or kind is muted
	Retrying    int // failed for a reason that may pass, or cut off at the deadline: left for a later retry
	Failed      int // refused for a reason a person must fix (a revoked token, a missing channel)
	Held        int // due, but held back by the rate limit Slack asked for
	Pending     int // still in the outbox after this step
	// HeldUntil is when the rate limit ends, when one holds deliveries back.
	HeldUntil time.Time
}

// Undelivered is how many messages that were due this step did not deliver.
func (r DeliveryReport) Undelivered() int { return r.Retrying + r.Failed + r.Held }

// ErrNotifier marks a notifier failure that needs a person (a revoked
// token, a missing channel): alerts stay queued until it is fixed.
var ErrNotifier = errors.New("alerts cannot be delivered")

// ErrUndelivered marks a delivery step that left due messages for later
// (Slack unreachable, rate limited, or the deadline reached): nothing is
// lost, but the run did not do its job.
var ErrUndelivered = errors.New("alerts not delivered yet")

const (
	leaseFor     = 2 * time.Minute
	claimBatch   = 20
	inRunRetries = 6
	maxInRunWait = 15 * time.Second
	// DefaultDeliveryDeadline bounds one delivery step when the config
	// sets no deadline.
	DefaultDeliveryDeadline = 2 * time.Minute
	// permanentRetry is when a message refused for good is tried again.
	permanentRetry = time.Hour
)

// Deliver posts what the outbox holds, one message at a time, until nothing
// is due or the deadline (0 = the configured delivery deadline) has passed;
// a post in flight at the deadline is cut off and looked up before it is
// posted again. Transient failures are retried within the step while their
// wait fits before the deadline, and later otherwise; a rate limit holds
// every message back until its Retry-After, in this process and the next
// (the hold is stored). Nothing is ever dropped. A message whose earlier
// attempt went unanswered is first looked up in Slack, so a message Slack
// stored is never posted twice. The error wraps ErrNotifier when the
// notifier refused for good, and ErrUndelivered when due messages are left.
func (w *Worker) Deliver(ctx context.Context, deadline time.Duration) (DeliveryReport, error) {
	return w.deliverUntil(ctx, ctx, deadline)
}

// deliverUntil is Deliver that takes no further message once stop is done,
// while the post in flight keeps ctx (the shutdown window).
func (w *Worker) deliverUntil(ctx, stop context.Context, limit time.Duration) (rep DeliveryReport, err error) {
	if limit <= 0 {
		limit = w.cfg.DeliveryDeadline
	}
	w.sending.Lock()
	defer w.sending.Unlock()
	deadline := time.Now().Add(limit)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	defer func() {
		// Leases end with the step, so another process can take over at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.cfg.Store.Release(rctx, w.owner); err != nil {
			w.log.Error("release delivery leases", "error", err)
		}
		w.observeOutbox(rctx, &rep)
	}()
	if w.keyPrefix == "" {
		id, err := w.cfg.Store.InstanceID(ctx)
		if err != nil {
			return rep, err
		}
		w.keyPrefix = "wallwatch-" + id + "-"
	}
	st := stepState{deadline: deadline, left: map[int64]leftover{}}
	if held, err := w.holdUntil(ctx); err != nil {
		return rep, err
	} else if !held.IsZero() {
		wait := held.Sub(w.cfg.Now())
		if !st.fits(wait) {
			return w.heldBack(ctx, held, rep)
		}
		// A short hold is waited out: what it held back is due at its end.
		w.log.Info("waiting out a rate limit", "for", wait.Round(time.Millisecond))
		if !sleep(ctx, wait) {
			return rep, ctx.Err()
		}
	}
	for !st.stopped() && ctx.Err() == nil && stop.Err() == nil {
		ds, err := w.cfg.Store.Claim(ctx, w.owner, w.cfg.Now(), leaseFor, claimBatch, Alive)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return rep, fmt.Errorf("claim deliveries: %w", err)
		}
		if len(ds) == 0 {
			// What this step left for later is tried again while its
			// wait fits before the deadline.
			wait := st.nextDue.Sub(w.cfg.Now())
			if st.nextDue.IsZero() || !st.fits(wait) || !sleep(ctx, max(wait, 0)) {
				break
			}
			st.nextDue = time.Time{}
			continue
		}
		for _, d := range ds {
			w.step(ctx, stop, d, &st, &rep)
		}
	}
	st.count(&rep)
	switch {
	case st.fatal != nil:
		return rep, st.fatal
	case rep.Undelivered() > 0:
		return rep, fmt.Errorf("%w: %d left for a later attempt%s", ErrUndelivered, rep.Undelivered(), st.reason())
	}
	return rep, context.Cause(stop)
}

// leftover is why a message a step claimed is still pending.
type leftover int

const (
	leftRetry  leftover = iota + 1 // failed for a reason that may pass, or the step ended
	leftFailed                     // refused for good
	leftHeld                       // held back by a rate limit
)

// stepState is what one delivery step has learnt so far.
type stepState struct {
	deadline time.Time
	fatal    error     // the notifier refused for good: nothing more is posted
	hold     time.Time // a rate limit: nothing is posted before it
	long     bool      // the hold lasts past what the step may wait: it stops posting
	last     error     // the last failure, for the step's error
	// left holds the claimed messages still pending, by id; a message
	// delivered later in the step leaves it.
	left map[int64]leftover
	// nextDue is when the first message left for a retry is due again.
	nextDue time.Time
}

func (s *stepState) retryAt(t time.Time) {
	if s.nextDue.IsZero() || t.Before(s.nextDue) {
		s.nextDue = t
	}
}

func (s *stepState) stopped() bool { return s.fatal != nil || s.long }

// fits reports whether the step may wait d and still post before its
// deadline.
func (s *stepState) fits(d time.Duration) bool {
	return d <= maxInRunWait && time.Now().Add(d).Before(s.deadline)
}

func (s *stepState) count(rep *DeliveryReport) {
	for _, why := range s.left {
		switch why {
		case leftRetry:
			rep.Retrying++
		case leftFailed:
			rep.Failed++
		case leftHeld:
			rep.Held++
		}
	}
	if s.long {
		rep.HeldUntil = s.hold
	}
}

func (s *stepState) reason() string {
	if s.last == nil {
		return ""
	}
	return " (last failure: " + s.last.Error() + ")"
}

// step delivers one claimed message, or gives it back when the step has
// stopped posting. A short rate limit is waited out first.
func (w *Worker) step(ctx, stop context.Context, d store.Delivery, st *stepState, rep *DeliveryReport) {
	switch {
	case st.fatal != nil:
		w.retryLater(ctx, d, st.fatal.Error(), w.cfg.Now().Add(permanentRetry))
		st.left[d.ID] = leftFailed
		return
	case st.long:
		w.retryLater(ctx, d, "held back by a rate limit", st.hold)
		st.left[d.ID] = leftHeld
		return
	}
	if wait := st.hold.Sub(w.cfg.Now()); wait > 0 {
		sleep(ctx, wait)
	}
	if ctx.Err() != nil || stop.Err() != nil {
		w.retryLater(ctx, d, "delivery step ended", w.cfg.Now())
		st.left[d.ID] = leftRetry
		return
	}
	w.deliverOne(ctx, d, st, rep)
}

// holdUntil returns the stored rate-limit hold of the notifier when it is
// still in force, zero otherwise.
func (w *Worker) holdUntil(ctx context.Context) (time.Time, error) {
	until, err := w.cfg.Store.DeliveryHold(ctx, w.cfg.Notifier.Name())
	if err != nil {
		return time.Time{}, err
	}
	if !until.After(w.cfg.Now()) {
		return time.Time{}, nil
	}
	return until, nil
}

// heldBack reports a step that posts nothing because of a stored hold.
func (w *Worker) heldBack(ctx context.Context, until time.Time, rep DeliveryReport) (DeliveryReport, error) {
	ob, err := w.cfg.Store.Outbox(ctx, w.cfg.Now())
	if err != nil {
		return rep, err
	}
	rep.Held, rep.HeldUntil = ob.Due, until
	if ob.Due == 0 {
		return rep, nil
	}
	w.log.Info("deliveries held back by a rate limit", "until", until.UTC().Format(time.RFC3339), "due", ob.Due)
	return rep, fmt.Errorf("%w: %d held back by a rate limit until %s", ErrUndelivered, ob.Due, until.UTC().Format(time.RFC3339))
}

// deliverOne posts one message, retrying within the step what may pass.
func (w *Worker) deliverOne(ctx context.Context, d store.Delivery, st *stepState, rep *DeliveryReport) {
	n := w.cfg.Notifier
	log := w.log.With("delivery", d.ID, "kind", d.Kind, "development", developmentName(d), "notifier", n.Name())
	if d.Kind == store.KindReply && (!n.Threads() || d.ThreadTS == "") {
		// Nothing is threaded under a parent without ts (posted through a
		// webhook): it would go out at top level.
		reason := "notifier has no threads"
		if n.Threads() {
			reason = "parent message has no ts"
		}
		if err := w.cfg.Store.MarkSkippedVia(ctx, d.ID, w.owner, n.Name(), reason); err != nil {
			log.Error("mark skipped", "error", err)
		}
		rep.Skipped++
		delete(st.left, d.ID)
		return
	}
	if why, err := w.cfg.Store.DeliveryMuted(ctx, d.ID); err != nil {
		log.Error("read mutes", "error", err)
	} else if why != "" {
		if err := w.cfg.Store.MarkMuted(ctx, d.ID, w.owner, why); err != nil {
			log.Error("mark muted", "error", err)
		}
		log.Info("muted; not posted", "muted", why)
		rep.Muted++
		delete(st.left, d.ID)
		return
	}
	msg := toMessage(d, w.keyPrefix)
	at := attemptState{count: d.Attempts, first: d.FirstAttempt, unconfirmed: d.Unconfirmed,
		unknown: d.Unconfirmed > 0} // an earlier attempt may have reached Slack
	for try := 1; ; try++ {
		err := w.tryDeliver(ctx, d, msg, &at, rep)
		if err == nil {
			w.health.delivered()
			delete(st.left, d.ID)
			return
		}
		st.last = err
		after, permanent := alerts.Classify(err)
		rateLimited := errors.Is(err, alerts.ErrRateLimited)
		switch {
		case ctx.Err() != nil:
			w.m.DeliveryFailures.WithLabelValues(failDeadline).Inc()
			log.Warn("delivery cut off; will look it up and retry later", "error", err)
			w.retryLater(ctx, d, err.Error(), w.cfg.Now())
			st.left[d.ID] = leftRetry
			return
		case permanent:
			w.m.DeliveryFailures.WithLabelValues(failPermanent).Inc()
			log.Error("alert not accepted; kept for retry once fixed", "error", err)
			w.retryLater(ctx, d, err.Error(), w.cfg.Now().Add(permanentRetry))
			st.left[d.ID] = leftFailed
			st.fatal = fmt.Errorf("%w: %v", ErrNotifier, err)
			w.health.refused(err, w.cfg.Now())
			return
		case rateLimited:
			w.m.DeliveryFailures.WithLabelValues(failRateLimited).Inc()
			st.hold = w.cfg.Now().Add(after)
			if err := w.cfg.Store.HoldDeliveries(ctx, n.Name(), st.hold); err != nil {
				log.Error("store the rate limit", "error", err)
			}
			if !st.fits(after) {
				st.long = true
				log.Warn("rate limited; holding every delivery back", "error", err, "until", st.hold.UTC().Format(time.RFC3339))
				w.retryLater(ctx, d, err.Error(), st.hold)
				st.left[d.ID] = leftHeld
				return
			}
		default:
			w.m.DeliveryFailures.WithLabelValues(failTransient).Inc()
		}
		wait := after
		if !rateLimited {
			wait = maxDur(after, backoff(try))
		}
		if try < inRunRetries && st.fits(wait) {
			log.Info("delivery failed; retrying", "error", err, "in", wait.Round(time.Millisecond))
			if sleep(ctx, wait) {
				continue
			}
			w.retryLater(ctx, d, err.Error(), w.cfg.Now())
			st.left[d.ID] = leftRetry
			return
		}
		next := w.cfg.Now().Add(maxDur(after, backoff(at.count)))
		if rateLimited {
			next = st.hold
		}
		log.Warn("delivery failed; will retry later", "error", err, "attempts", at.count)
		w.retryLater(ctx, d, err.Error(), next)
		st.left[d.ID] = leftRetry
		st.retryAt(next)
		return
	}
}

// maxUnconfirmed is how many posts of one message may have an unknown
// outcome before a notifier that cannot look back stops posting it: an
// ambiguous answer is retried once, so a webhook alert is at most two
// messages.
const maxUnconfirmed = 2

// attemptState is what the attempts at one delivery have told so far.
type attemptState struct {
	count       int       // attempts made, earlier runs included
	first       time.Time // time of the first attempt
	unconfirmed int       // posts whose outcome is unknown
	unknown     bool      // a post may be in Slack: look for it before posting again
}

// tryDeliver makes one attempt: when an earlier attempt may have reached
// Slack (at.unknown), it looks for the message first; otherwise (or when not
// found) it records the attempt and posts. A nil error means the delivery is
// done. A post Slack refused for certain (a rate limit, a 4xx, a connection
// never made) needs no look-up before the next attempt. A notifier that
// cannot look does not post again once maxUnconfirmed posts may be in the
// channel: the delivery is then done, unconfirmed.
func (w *Worker) tryDeliver(ctx context.Context, d store.Delivery, msg alerts.Message, at *attemptState, rep *DeliveryReport) error {
	n := w.cfg.Notifier
	log := w.log.With("development", developmentName(d))
	// Marks after a post must land even when shutdown or the deadline
	// cancels ctx.
	mctx := context.WithoutCancel(ctx)
	if at.unknown && n.CanFind() {
		r, ok, err := n.Find(ctx, msg, at.first.Add(-2*time.Minute))
		if err != nil {
			return fmt.Errorf("look up earlier attempt: %w", err)
		}
		if ok {
			if err := w.cfg.Store.MarkSentVia(mctx, d.ID, w.owner, n.Name(), r.Channel, r.TS, w.cfg.Now()); err != nil {
				log.Error("mark sent", "delivery", d.ID, "error", err)
				return nil // the lease is lost: another sender has it
			}
			log.Info("already in Slack; not posted again", "delivery", d.ID, "ts", r.TS)
			rep.Found++
			return nil
		}
		at.unknown = false
	}
	if !n.CanFind() && at.unconfirmed >= maxUnconfirmed {
		if err := w.cfg.Store.MarkSentVia(mctx, d.ID, w.owner, n.Name(), "", "", w.cfg.Now()); err != nil {
			log.Error("mark sent", "delivery", d.ID, "error", err)
			return nil
		}
		log.Warn("not posted again: earlier posts went unanswered and may be in the channel already",
			"delivery", d.ID, "notifier", n.Name(), "posts", at.unconfirmed)
		rep.Unconfirmed++
		return nil
	}
	now := w.cfg.Now()
	if err := w.cfg.Store.MarkAttempt(ctx, d.ID, w.owner, now); err != nil {
		log.Error("mark attempt", "delivery", d.ID, "error", err)
		return nil
	}
	if at.count == 0 {
		at.first = now
	}
	at.count++
	at.unconfirmed++
	at.unknown = true
	r, err := n.Post(ctx, msg)
	if err != nil {
		if at.unknown = alerts.MaybePosted(err); !at.unknown {
			at.unconfirmed--
			if merr := w.cfg.Store.MarkRefused(mctx, d.ID, w.owner); merr != nil {
				log.Error("mark refused", "delivery", d.ID, "error", merr)
			}
		}
		return err
	}
	if err := w.cfg.Store.MarkSentVia(mctx, d.ID, w.owner, n.Name(), r.Channel, r.TS, w.cfg.Now()); err != nil {
		log.Error("mark sent", "delivery", d.ID, "error", err)
		return nil
	}
	log.Info("posted", "delivery", d.ID, "kind", d.Kind, "notifier", n.Name(), "ts", r.TS)
	if d.Kind == store.KindReply {
		rep.Replies++
	} else {
		rep.Posted++
	}
	w.m.AlertsSent.WithLabelValues(d.Kind).Inc()
	return nil
}

// observeOutbox sets the outbox gauges and the report's pending count.
func (w *Worker) observeOutbox(ctx context.Context, rep *DeliveryReport) {
	ob, err := w.cfg.Store.Outbox(ctx, w.cfg.Now())
	if err != nil {
		w.log.Error("read the outbox", "error", err)
		return
	}
	rep.Pending = ob.Pending
	w.m.OutboxPending.Set(float64(ob.Pending))
	age := 0.0
	if !ob.OldestPending.IsZero() {
		age = max(w.cfg.Now().Sub(ob.OldestPending).Seconds(), 0)
	}
	w.m.OutboxOldest.Set(age)
	if ob.Pending == 0 {
		w.health.delivered() // nothing waits: no refusal stands
	}
}

func (w *Worker) retryLater(ctx context.Context, d store.Delivery, reason string, next time.Time) {
	if err := w.cfg.Store.MarkRetry(context.WithoutCancel(ctx), d.ID, w.owner, reason, next); err != nil {
		w.log.Error("mark retry", "delivery", d.ID, "error", err)
	}
}

// developmentName is the header of the development a delivery announces,
// or whose thread it joins, for logs: "WeChat Pay on Taobao (launched,
// 4 Sep 2024)".
func developmentName(d store.Delivery) string {
	if len(d.Developments) == 0 {
		return ""
	}
	v := d.Developments[0]
	return alerts.Headline(alerts.Development{Pair: v.Pair, A: v.A, B: v.B, Kind: v.Kind, Stage: v.Stage, Date: v.Date},
		sources.DateOf(d.Article.Published))
}

// toMessage turns a claimed delivery into what the notifier posts.
// The key, unique per database and outbox row, lets a later attempt find the
// message in Slack.
func toMessage(d store.Delivery, keyPrefix string) alerts.Message {
	m := alerts.Message{
		Key: keyPrefix + strconv.FormatInt(d.ID, 10),
		Article: alerts.Article{
			Title: d.Article.Title, URL: d.Article.URL, Source: d.Article.Source,
			SiteName: d.Article.SiteName, Lang: d.Article.Lang, Published: d.Article.Published,
		},
		ThreadTS: d.ThreadTS,
		Channel:  d.Channel,
	}
	if d.Kind == store.KindAlert {
		for _, dev := range d.Developments {
			m.Developments = append(m.Developments, alerts.Development{
				Pair: dev.Pair, A: dev.A, B: dev.B, Kind: dev.Kind, Stage: dev.Stage,
				Date: dev.Date, Evidence: dev.Evidence,
			})
		}
		if p := d.Previous; p != nil {
			m.Previous = &alerts.Posted{Channel: p.Channel, TS: p.TS, Stage: p.Stage, Date: p.Date}
		}
		m.Was = d.Was
	}
	if r := d.Reported; r != nil && d.Kind == store.KindReply {
		m.Reported = &alerts.Development{Pair: r.Pair, A: r.A, B: r.B, Kind: r.Kind, Stage: r.Stage, Date: r.Date, Evidence: r.Evidence}
	}
	return m
}

// backoff is the wait before retry n of one message: 1s, 2s, 4s … 10 min,
// with jitter.
func backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := time.Second << min(n-1, 10)
	d = min(d, 10*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Alive reports whether the process that holds a lease is still running.
// Owners are "host:pid:start"; an owner on another host is assumed alive
// (its lease then ends by time).
func Alive(owner string) bool {
	parts := strings.Split(owner, ":")
	if len(parts) != 3 {
		return true
	}
	host, _ := os.Hostname()
	if parts[0] != host {
		return true
	}
	if owner == Owner() {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return true
	}
	if start, ok := processStart(pid); ok || !strings.HasPrefix(parts[2], "t") {
		// Alive only if the process with that pid is the one that started
		// then (not a later process that reused the pid).
		return ok && start == parts[2]
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
