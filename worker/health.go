package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Reasons of worker_delivery_failures_total.
const (
	failPermanent   = "permanent"    // refused for good: a person must act
	failRateLimited = "rate_limited" // Slack asked to slow down
	failTransient   = "transient"    // 5xx, timeouts, network errors
	failDeadline    = "deadline"     // cut off at the delivery deadline or shutdown
)

// DefaultMaxPendingAge is how long an alert may wait in the outbox before
// the worker stops reporting ready, when the config sets no limit.
const DefaultMaxPendingAge = time.Hour

// deliveryHealth remembers a refusal that needs a person until a delivery
// succeeds again (or nothing is left to deliver).
type deliveryHealth struct {
	mu      sync.Mutex
	refusal string
	since   time.Time
}

func (h *deliveryHealth) refused(err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.refusal == "" {
		h.since = now
	}
	h.refusal = err.Error()
}

func (h *deliveryHealth) delivered() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refusal, h.since = "", time.Time{}
}

func (h *deliveryHealth) get() (string, time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refusal, h.since
}

// ErrNotReady marks a worker that runs but does not do its job.
var ErrNotReady = errors.New("not ready")

// Ready reports whether the worker does its job: the database answers and
// is migrated, no delivery has been refused for good since the last one
// that went through, and the oldest pending alert has waited less than the
// configured limit. It also refreshes the outbox gauges.
func (w *Worker) Ready(ctx context.Context) error {
	if err := w.cfg.Store.Ready(ctx); err != nil {
		return err
	}
	now := w.cfg.Now()
	ob, err := w.cfg.Store.Outbox(ctx, now)
	if err != nil {
		return err
	}
	w.m.OutboxPending.Set(float64(ob.Pending))
	age := time.Duration(0)
	if !ob.OldestPending.IsZero() {
		age = max(now.Sub(ob.OldestPending), 0)
	}
	w.m.OutboxOldest.Set(age.Seconds())
	if refusal, since := w.health.get(); refusal != "" && ob.Pending > 0 {
		return fmt.Errorf("%w: deliveries refused since %s: %s", ErrNotReady, since.UTC().Format(time.RFC3339), refusal)
	}
	if age > w.cfg.MaxPendingAge {
		return fmt.Errorf("%w: the oldest of %d pending alerts has waited %s (limit %s)", ErrNotReady, ob.Pending,
			age.Round(time.Second), w.cfg.MaxPendingAge)
	}
	return nil
}
