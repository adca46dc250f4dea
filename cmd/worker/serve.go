package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

func (a *app) serveCmd() *cobra.Command {
	var (
		listen   string
		shutdown time.Duration
		noAlerts bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run on the configured schedules, serving /healthz, /readyz and /metrics, until SIGTERM",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.setup()
			if err != nil {
				return err
			}
			w, st, err := a.openWorker(cmd.Context(), cfg, log, notifyConfigured, nil)
			if err != nil {
				return err
			}
			defer st.Close()
			addrFile := listenFile(cfg.Database)
			if addrFile != "" {
				defer os.Remove(addrFile)
			}
			return w.Serve(cmd.Context(), worker.ServeOptions{
				Schedule: cfg.Schedule,
				Listen:   listen,
				OnListen: func(addr string) {
					if addrFile == "" {
						return
					}
					if err := os.WriteFile(addrFile, []byte(addr+"\n"), 0o644); err != nil {
						log.Warn("cannot record the listen address for worker health", "file", addrFile, "error", err)
					}
				},
				ShutdownTimeout: shutdown,
				NoAlerts:        noAlerts,
				BackupEvery:     backupEvery(cfg),
				BackupPath:      cfg.BackupPath(),
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", ":8080", "address for /healthz, /readyz and /metrics")
	f.DurationVar(&shutdown, "shutdown-timeout", 8*time.Second, "how long in-flight work may finish after SIGTERM")
	f.BoolVar(&noAlerts, "no-alerts", false, "record events for the timeline without alerting them")
	return cmd
}

// healthCmd probes a running serve: the image's HEALTHCHECK, which has no
// shell or curl to call.
func (a *app) healthCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Exit 0 when the serve at --addr answers /readyz, 1 otherwise",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if addr == "" {
				addr = a.servedAddr()
			}
			client := &http.Client{Timeout: 3 * time.Second}
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, "http://"+addr+"/readyz", nil)
			if err != nil {
				return usagef("--addr %q: %v", addr, err)
			}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("health: %w", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health: /readyz answered %s", resp.Status)
			}
			fmt.Fprintln(a.stdout, "ready")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "host:port of the serve's --listen (default: the address the serve on this database listens on, else 127.0.0.1:8080)")
	return cmd
}

// listenFile is where serve records the address it listens on, beside its
// database, for `worker health`; "" for a PostgreSQL database, which
// replicas on several hosts share (health then needs --addr, else asks
// 127.0.0.1:8080).
func listenFile(database string) string {
	if store.IsPostgres(database) {
		return ""
	}
	return database + ".listen"
}

// servedAddr is the address the serve of this config's database listens
// on, reached on loopback; 127.0.0.1:8080 when none is recorded.
func (a *app) servedAddr() string {
	const fallback = "127.0.0.1:8080"
	cfg, err := a.loadConfig()
	if err != nil {
		return fallback
	}
	file := listenFile(cfg.Database)
	if file == "" {
		return fallback
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fallback
	}
	host, port, err := net.SplitHostPort(strings.TrimSpace(string(b)))
	if err != nil {
		return fallback
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // a wildcard listener (":8080" is "[::]:8080", dual-stack) answers there
	}
	return net.JoinHostPort(host, port)
}
