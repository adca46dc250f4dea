package main

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/pgtest"
)

// overlapWatch serves the fixture site and records any source page (a feed
// or a listing page) requested again while a request for it is still being
// answered: two processes reading one source at once.
type overlapWatch struct {
	mu       sync.Mutex
	inFlight map[string]int
	overlaps []string
}

func (o *overlapWatch) handler(files http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		source := strings.HasPrefix(r.URL.Path, "/site/feeds/") || strings.HasPrefix(r.URL.Path, "/site/list/")
		if source {
			o.mu.Lock()
			if o.inFlight[r.URL.Path]++; o.inFlight[r.URL.Path] > 1 {
				o.overlaps = append(o.overlaps, r.URL.Path)
			}
			o.mu.Unlock()
			defer func() { o.mu.Lock(); o.inFlight[r.URL.Path]--; o.mu.Unlock() }()
			time.Sleep(150 * time.Millisecond) // a slow source: long enough for a second reader to collide
		}
		files.ServeHTTP(w, r)
	})
}

// fetched reports whether a /metrics page counts a fetch of a source.
func fetched(metrics string) bool {
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "worker_source_fetches_total{") && !strings.HasSuffix(l, " 0") {
			return true
		}
	}
	return false
}

// articleURLs lists the article URLs a database recorded, with how often.
func articleURLs(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT url FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		out[u]++
	}
	return out
}

func waitReady(t *testing.T, addr string, out *strings.Builder) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if code, _ := get("http://" + addr + "/readyz"); code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 20 s:\n%s", addr, out)
		}
	}
}

func TestThreeReplicasOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills serve processes for about 30 s")
	}
	pg := pgtest.Database(t)
	f := newFixture(t)
	watch := &overlapWatch{inFlight: map[string]int{}}
	f.site = httptest.NewServer(watch.handler(http.FileServer(http.Dir(f.corpus))))
	t.Cleanup(f.site.Close)

	// What one process records of the site on SQLite.
	single := f.config(t, "")
	if _, stderr, code := runCLI(t, "run-once", "--config", single, "--no-alerts"); code != 0 {
		t.Fatalf("run-once on SQLite: exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(single)
	if err != nil {
		t.Fatal(err)
	}
	sqliteFile := strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "database: ")
	lite, err := sql.Open("sqlite3", sqliteFile)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	want := articleURLs(t, lite)
	watch.overlaps = nil

	slack := slackfake.New(t, slackfake.WithToken("xoxb-replica"), slackfake.WithChannel("C0REP", "alerts"))
	slack.Delay(200 * time.Millisecond)
	cfg := f.config(t, "slack:\n  token: xoxb-replica\n  channel: C0REP\n  api_url: "+slack.APIURL()+"\n")
	b, err = os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), `schedule: "@every 1h"`, `schedule: "@every 2s"`, 1)
	text = "database: " + pg + "\n" + strings.SplitN(text, "\n", 2)[1]
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	type replica struct {
		addr string
		cmd  interface{ Wait() error }
		proc *os.Process
		out  *strings.Builder
	}
	start := func() *replica {
		addr := freeAddr(t)
		cmd, out := startWorker(t, "serve", "--config", cfg, "--listen", addr, "--log-format", "json")
		return &replica{addr: addr, cmd: cmd, proc: cmd.Process, out: out}
	}
	rs := []*replica{start(), start(), start()}
	all := slices.Clone(rs)
	t.Cleanup(func() { // what each replica said, when the test failed (all have stopped by then)
		if t.Failed() {
			for i, r := range all {
				lines := strings.Split(r.out.String(), "\n")
				t.Logf("replica %d, last lines:\n%s", i, strings.Join(lines[max(0, len(lines)-25):], "\n"))
			}
		}
	})
	for _, r := range rs {
		waitReady(t, r.addr, r.out)
	}
	time.Sleep(1500 * time.Millisecond)
	// One dies mid-work; another is stopped and started again.
	_ = rs[0].proc.Signal(syscall.SIGKILL)
	_ = rs[0].cmd.Wait()
	t.Logf("killed one replica: %d messages so far", len(slack.Messages("C0REP")))
	time.Sleep(1500 * time.Millisecond)
	_ = rs[1].proc.Signal(syscall.SIGTERM)
	if err := rs[1].cmd.Wait(); err != nil {
		t.Errorf("replica stopped with SIGTERM: %v\n%s", err, rs[1].out)
	}
	rs[1] = start()
	all = append(all, rs[1])
	waitReady(t, rs[1].addr, rs[1].out)

	// Until nothing more comes for four schedule periods.
	stable, last := time.Now(), -1
	for deadline := time.Now().Add(90 * time.Second); time.Since(stable) < 8*time.Second && time.Now().Before(deadline); {
		if n := len(slack.Messages("C0REP")); n != last {
			last, stable = n, time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
	msgs := slack.Messages("C0REP")
	f.checkAlerts(t, msgs)
	keys := map[string]int{}
	for _, m := range msgs {
		if m.Metadata != nil {
			keys[m.Metadata.EventPayload["key"].(string)]++
		}
	}
	for k, n := range keys {
		if n > 1 {
			t.Errorf("message %s posted %d times", k, n)
		}
	}

	cfgPG, err := pgx.ParseConfig(pg)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfgPG)
	defer db.Close()
	if d := cmp.Diff(want, articleURLs(t, db)); d != "" {
		t.Errorf("articles the replicas recorded, against one process on SQLite (-sqlite +replicas):\n%s", d)
	}
	var pending int
	if err := db.QueryRow(`SELECT count(*) FROM outbox WHERE state = 'pending'`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d deliveries still pending (%v)", pending, err)
	}
	watch.mu.Lock()
	if len(watch.overlaps) > 0 {
		t.Errorf("sources read by two processes at once: %v", slices.Compact(slices.Sorted(slices.Values(watch.overlaps))))
	}
	watch.mu.Unlock()
	// The work is shared: more than one process read sources (a pass that
	// found a source unchanged logs nothing, but counts a fetch).
	metrics := make([]string, len(all))
	for i, r := range all {
		if i >= 2 { // the killed and the stopped replica have no /metrics left
			_, metrics[i] = get("http://" + r.addr + "/metrics")
		}
	}
	for _, r := range rs[1:] {
		_ = r.proc.Signal(syscall.SIGTERM)
		if err := r.cmd.Wait(); err != nil {
			t.Errorf("replica stopped with SIGTERM: %v\n%s", err, r.out)
		}
		if strings.Contains(r.out.String(), "xoxb-replica") {
			t.Error("the token appears in a replica's output")
		}
		if strings.Contains(r.out.String(), "listen address") {
			t.Errorf("a replica tried to record its address beside a PostgreSQL database:\n%s", r.out)
		}
	}
	readers := 0
	for i, r := range all {
		if strings.Contains(r.out.String(), `"source done"`) || fetched(metrics[i]) {
			readers++
		}
	}
	if readers < 2 {
		t.Errorf("%d of the replicas read a source; the work is not shared", readers)
	}
}
