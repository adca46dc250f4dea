package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// sourceLease is how long a source stays leased to the process reading it
// without a renewal; the reader renews it every third of that, so a process
// that dies (SIGKILL, a lost node) holds its sources at most this long, and
// one that dies on this host not at all (see Alive).
const sourceLease = 2 * time.Minute

// leaseSource claims source name for this process, so that processes
// sharing the database (serve replicas) never read one source at the same
// time, and keeps renewing the lease until release is called. held is false
// when another live process holds it; rep then says why.
func (w *Worker) leaseSource(ctx context.Context, log *slog.Logger, name string, rep *SourceReport) (release func(), held bool) {
	ok, err := w.cfg.Store.ClaimSource(ctx, name, w.owner, w.cfg.Now(), sourceLease, Alive)
	if err != nil {
		rep.Err = err
		return nil, false
	}
	if !ok {
		rep.Skipped = "another process is reading this source"
		w.m.SourceSkips.WithLabelValues(name).Inc()
		log.Info("skipped: another process is reading this source")
		return nil, false
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(sourceLease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if ok, err := w.cfg.Store.ClaimSource(ctx, name, w.owner, w.cfg.Now(), sourceLease, Alive); err != nil || !ok {
					log.Warn("source lease not renewed", "held", ok, "error", err)
				}
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
		if err := w.cfg.Store.ReleaseSource(context.WithoutCancel(ctx), name, w.owner); err != nil {
			log.Warn("source lease not released; it ends by itself", "error", err)
		}
	}, true
}
