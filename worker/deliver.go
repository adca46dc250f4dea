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
	Retrying    int // left for a later retry
	Pending     int // still in the outbox after this step
}

// ErrNotifier marks a notifier failure that needs a person (a revoked
// token, a missing channel): alerts stay queued until it is fixed.
var ErrNotifier = errors.New("alerts cannot be delivered")

const (
	leaseFor     = 2 * time.Minute
	claimBatch   = 20
	inRunRetries = 6
	maxInRunWait = 15 * time.Second
)

// Deliver posts what the outbox holds, one message at a time, until nothing
// is due or budget is spent. Transient failures are retried within the step
// while their wait fits in the budget, and later otherwise; nothing is ever
// dropped. A message whose earlier attempt went unanswered is first looked
// up in Slack, so a message Slack stored is never posted twice.
func (w *Worker) Deliver(ctx context.Context, budget time.Duration) (DeliveryReport, error) {
	return w.deliverUntil(ctx, ctx, budget)
}

// deliverUntil is Deliver that takes no further message once stop is done,
// while the post in flight keeps ctx (the shutdown window).
func (w *Worker) deliverUntil(ctx, stop context.Context, budget time.Duration) (DeliveryReport, error) {
	if budget <= 0 {
		budget = time.Minute
	}
	w.sending.Lock()
	defer w.sending.Unlock()
	var rep DeliveryReport
	deadline := time.Now().Add(budget)
	defer func() {
		// Leases end with the step, so another process can take over at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.cfg.Store.Release(rctx, w.owner); err != nil {
			w.log.Error("release delivery leases", "error", err)
		}
	}()
	if w.keyPrefix == "" {
		id, err := w.cfg.Store.InstanceID(ctx)
		if err != nil {
			return rep, err
		}
		w.keyPrefix = "wallwatch-" + id + "-"
	}
	var fatal error
	for fatal == nil && ctx.Err() == nil && stop.Err() == nil {
		ds, err := w.cfg.Store.Claim(ctx, w.owner, w.cfg.Now(), leaseFor, claimBatch, Alive)
		if err != nil {
			return rep, fmt.Errorf("claim deliveries: %w", err)
		}
		if len(ds) == 0 {
			break
		}
		for _, d := range ds {
			if ctx.Err() != nil || stop.Err() != nil {
				break
			}
			if fatal != nil {
				w.retryLater(ctx, d, fatal.Error(), time.Now().Add(time.Hour))
				continue
			}
			fatal = w.deliverOne(ctx, d, deadline, &rep)
		}
	}
	if n, err := w.cfg.Store.PendingCount(context.WithoutCancel(ctx)); err == nil {
		rep.Pending = n
		w.m.OutboxPending.Set(float64(n))
	}
	if fatal != nil {
		return rep, fatal
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, context.Cause(stop)
}

func (w *Worker) deliverOne(ctx context.Context, d store.Delivery, deadline time.Time, rep *DeliveryReport) error {
	n := w.cfg.Notifier
	log := w.log.With("delivery", d.ID, "kind", d.Kind, "notifier", n.Name())
	if d.Kind == store.KindReply && (!n.Threads() || d.ThreadTS == "") {
		// Nothing is threaded under a parent without ts (posted through a
		// webhook): it would go out at top level.
		reason := "notifier has no threads"
		if n.Threads() {
			reason = "parent message has no ts"
		}
		if err := w.cfg.Store.MarkSkipped(ctx, d.ID, w.owner, reason); err != nil {
			log.Error("mark skipped", "error", err)
		}
		rep.Skipped++
		return nil
	}
	msg := toMessage(d, w.keyPrefix)
	st := attemptState{count: d.Attempts, first: d.FirstAttempt, unconfirmed: d.Unconfirmed,
		unknown: d.Unconfirmed > 0} // an earlier attempt may have reached Slack
	for try := 1; ; try++ {
		err := w.tryDeliver(ctx, d, msg, &st, rep)
		if err == nil {
			return nil
		}
		after, permanent := alerts.Classify(err)
		if permanent {
			log.Error("alert not accepted; kept for retry once fixed", "error", err)
			w.retryLater(ctx, d, err.Error(), time.Now().Add(time.Hour))
			return fmt.Errorf("%w: %v", ErrNotifier, err)
		}
		wait := maxDur(after, backoff(try))
		if try < inRunRetries && wait <= maxInRunWait && time.Now().Add(wait).Before(deadline) {
			log.Info("delivery failed; retrying", "error", err, "in", wait.Round(time.Millisecond))
			if !sleep(ctx, wait) {
				w.retryLater(ctx, d, err.Error(), time.Now())
				return nil
			}
			continue
		}
		log.Warn("delivery failed; will retry later", "error", err, "attempts", st.count)
		w.retryLater(ctx, d, err.Error(), time.Now().Add(maxDur(after, backoff(st.count))))
		rep.Retrying++
		return nil
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
// Slack (st.unknown), it looks for the message first; otherwise (or when not
// found) it records the attempt and posts. A nil error means the delivery is
// done. A post Slack refused for certain (a rate limit, a 4xx, a connection
// never made) needs no look-up before the next attempt. A notifier that
// cannot look does not post again once maxUnconfirmed posts may be in the
// channel: the delivery is then done, unconfirmed.
func (w *Worker) tryDeliver(ctx context.Context, d store.Delivery, msg alerts.Message, st *attemptState, rep *DeliveryReport) error {
	n := w.cfg.Notifier
	// Marks after a post must land even when shutdown cancels ctx.
	mctx := context.WithoutCancel(ctx)
	if st.unknown && n.CanFind() {
		r, ok, err := n.Find(ctx, msg, st.first.Add(-2*time.Minute))
		if err != nil {
			return fmt.Errorf("look up earlier attempt: %w", err)
		}
		if ok {
			if err := w.cfg.Store.MarkSent(mctx, d.ID, w.owner, r.Channel, r.TS, time.Now()); err != nil {
				w.log.Error("mark sent", "delivery", d.ID, "error", err)
				return nil // the lease is lost: another sender has it
			}
			w.log.Info("already in Slack; not posted again", "delivery", d.ID, "ts", r.TS)
			rep.Found++
			return nil
		}
		st.unknown = false
	}
	if !n.CanFind() && st.unconfirmed >= maxUnconfirmed {
		if err := w.cfg.Store.MarkSent(mctx, d.ID, w.owner, "", "", time.Now()); err != nil {
			w.log.Error("mark sent", "delivery", d.ID, "error", err)
			return nil
		}
		w.log.Warn("not posted again: earlier posts went unanswered and may be in the channel already",
			"delivery", d.ID, "notifier", n.Name(), "posts", st.unconfirmed)
		rep.Unconfirmed++
		return nil
	}
	if err := w.cfg.Store.MarkAttempt(ctx, d.ID, w.owner, time.Now()); err != nil {
		w.log.Error("mark attempt", "delivery", d.ID, "error", err)
		return nil
	}
	if st.count == 0 {
		st.first = time.Now()
	}
	st.count++
	st.unconfirmed++
	st.unknown = true
	r, err := n.Post(ctx, msg)
	if err != nil {
		if st.unknown = alerts.MaybePosted(err); !st.unknown {
			st.unconfirmed--
			if merr := w.cfg.Store.MarkRefused(mctx, d.ID, w.owner); merr != nil {
				w.log.Error("mark refused", "delivery", d.ID, "error", merr)
			}
		}
		return err
	}
	if err := w.cfg.Store.MarkSent(mctx, d.ID, w.owner, r.Channel, r.TS, time.Now()); err != nil {
		w.log.Error("mark sent", "delivery", d.ID, "error", err)
		return nil
	}
	if d.Kind == store.KindReply {
		rep.Replies++
	} else {
		rep.Posted++
	}
	w.m.AlertsSent.WithLabelValues(d.Kind).Inc()
	return nil
}

func (w *Worker) retryLater(ctx context.Context, d store.Delivery, reason string, next time.Time) {
	if err := w.cfg.Store.MarkRetry(context.WithoutCancel(ctx), d.ID, w.owner, reason, next); err != nil {
		w.log.Error("mark retry", "delivery", d.ID, "error", err)
	}
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
