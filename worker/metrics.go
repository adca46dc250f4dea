package worker

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the worker's Prometheus metrics, on a registry of their own.
type Metrics struct {
	Registry          *prometheus.Registry
	SourceFetches     *prometheus.CounterVec // source, result: ok, not_modified, error, deferred
	SourceSkips       *prometheus.CounterVec // source: a tick skipped, the previous pass still running
	SourceLastSuccess *prometheus.GaugeVec   // source
	EventsDetected    prometheus.Counter
	AlertsSent        *prometheus.CounterVec // kind: alert, reply
	OutboxPending     prometheus.Gauge
	OutboxOldest      prometheus.Gauge       // age of the oldest pending message
	DeliveryFailures  *prometheus.CounterVec // reason: permanent, rate_limited, transient, deadline
	RunDuration       prometheus.Histogram
	BackupLastSuccess prometheus.Gauge
	BackupFailures    prometheus.Counter
}

// NewMetrics registers the worker's metrics, with Go and process
// collectors, on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		SourceFetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "worker_source_fetches_total",
			Help: "Source fetches by result (ok, not_modified, error, deferred).",
		}, []string{"source", "result"}),
		SourceSkips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "worker_source_skipped_runs_total",
			Help: "Scheduled passes skipped because the previous pass of the source was still running.",
		}, []string{"source"}),
		SourceLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "worker_source_last_success_timestamp_seconds",
			Help: "Unix time of the source's last successful fetch.",
		}, []string{"source"}),
		EventsDetected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "worker_events_detected_total",
			Help: "Interconnection events detected in new articles (headline and background).",
		}),
		AlertsSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "worker_alerts_sent_total",
			Help: "Messages delivered, by kind (alert, reply).",
		}, []string{"kind"}),
		OutboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "worker_outbox_pending",
			Help: "Messages waiting in the outbox.",
		}),
		OutboxOldest: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "worker_outbox_oldest_pending_seconds",
			Help: "How long the oldest message waiting in the outbox has waited; 0 when none waits.",
		}),
		DeliveryFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "worker_delivery_failures_total",
			Help: "Failed delivery attempts by reason (permanent, rate_limited, transient, deadline).",
		}, []string{"reason"}),
		BackupLastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "worker_backup_last_success_timestamp_seconds",
			Help: "Unix time of the last database snapshot written by serve.",
		}),
		BackupFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "worker_backup_failures_total",
			Help: "Database snapshots that could not be written.",
		}),
		RunDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "worker_run_duration_seconds",
			Help:    "Duration of passes over the sources.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}),
	}
	m.Registry.MustRegister(
		m.SourceFetches, m.SourceSkips, m.SourceLastSuccess, m.EventsDetected,
		m.AlertsSent, m.OutboxPending, m.OutboxOldest, m.DeliveryFailures, m.RunDuration,
		m.BackupLastSuccess, m.BackupFailures,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Present from the start, so dashboards see zeros rather than nothing.
	m.AlertsSent.WithLabelValues("alert")
	m.AlertsSent.WithLabelValues("reply")
	for _, r := range []string{failPermanent, failRateLimited, failTransient, failDeadline} {
		m.DeliveryFailures.WithLabelValues(r)
	}
	return m
}
