// Command loadbench measures the worker against a generated news site and
// compares it with the least any reader of that site must do.
//
// It generates N feeds of M items each, with article pages of 30–60 KB
// (English and Chinese, some GBK-encoded, a few percent reporting an
// Alibaba–Tencent interconnection), deterministically from a seed, and
// serves them on loopback hosts from a child process, with ETag and
// Last-Modified support. Each phase then runs in a child process of its
// own, so that its CPU time (getrusage RUSAGE_SELF) and peak resident set
// (VmHWM) cover that phase alone:
//
//	floor     fetch every feed and page with a shared keep-alive transport and
//	          parse each page once with goquery, with the worker's concurrency
//	cold      a worker run on a fresh SQLite file: everything is new
//	warm      the same run again with nothing changed: conditional requests only
//	change    a run after a share of the items (-new) was replaced by new ones
//	memcheck  -warm-runs consecutive warm runs in one process, heap after each
//
// It prints a table (and with -json writes the same figures as JSON) with
// each phase's wall time, CPU time, peak heap and resident set, requests and
// articles per second, the ratios to the floor, and whether each target is
// met.
//
// Usage:
//
//	go run ./cmd/loadbench [-sources 200] [-items 15] [-new 0.05] [-warm-runs 50] [-json out.json]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wallwatch/worker/config"
)

// childFlag, as the first argument, makes the binary a child process of a
// benchmark: "serve" serves the site, "phase" runs one phase.
const childFlag = "-loadbench-child="

func main() {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], childFlag) {
		os.Exit(childMain(strings.TrimPrefix(os.Args[1], childFlag), os.Stdin, os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// errUsage marks bad flags.
var errUsage = errors.New("bad usage")

// errMissed is returned with -fail-on-miss when a target is missed.
var errMissed = errors.New("targets missed")

// options are the benchmark's flags.
type options struct {
	site       siteOptions
	newFrac    float64
	warmRuns   int
	jsonOut    string
	lim        limits
	cpuProfile string
	memProfile string
	profPhase  string
	workdir    string
	failOnMiss bool
	repeat     int
	postgres   string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.site.Sources, "sources", 200, "feeds (news sources) to generate")
	fs.IntVar(&o.site.Items, "items", 15, "items per feed")
	fs.Float64Var(&o.newFrac, "new", 0.05, "share of items replaced by new ones before the change run")
	fs.IntVar(&o.warmRuns, "warm-runs", 50, "consecutive warm runs in one process for the memory check (0 skips it)")
	fs.IntVar(&o.repeat, "repeat", 3, "floor and cold runs to make, alternating; the report takes the median of each figure")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.Func("seed", "seed of the generated site (default 1)", func(s string) error {
		_, err := fmt.Sscan(s, &o.site.Seed)
		return err
	})
	fs.IntVar(&o.site.Hosts, "hosts", 8, "loopback hosts (127.0.0.1 …) the sources are spread over")
	fs.Float64Var(&o.site.Events, "events", 0.04, "share of pages that report an interconnection development")
	fs.Float64Var(&o.site.Chinese, "chinese", 0.3, "share of Chinese-language sources")
	fs.Float64Var(&o.site.GBK, "gbk", 0.4, "share of Chinese sources that serve GBK")
	fs.BoolVar(&o.site.Gzip, "gzip", true, "serve gzip-compressed bodies to clients that ask for them")
	fs.IntVar(&o.lim.Sources, "source-concurrency", 8, "sources processed at once (worker and floor)")
	fs.IntVar(&o.lim.Articles, "article-concurrency", 8, "article pages processed at once per source (worker and floor)")
	fs.IntVar(&o.lim.PerHost, "per-host", config.Defaults().HTTP.PerHostConcurrency, "requests in flight to one host (worker and floor)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the -profile-phase run to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile of the -profile-phase run to this file")
	fs.StringVar(&o.profPhase, "profile-phase", "cold", "phase to profile: floor, cold, warm, change or memcheck")
	fs.StringVar(&o.workdir, "workdir", "", "folder for the database (default: a temporary folder, removed afterwards)")
	fs.BoolVar(&o.failOnMiss, "fail-on-miss", false, "exit with status 1 when a target is missed")
	fs.StringVar(&o.postgres, "postgres", "", "run the worker on PostgreSQL: a postgres:// URL of a server on this machine where it may create databases; its CPU is counted")
	o.site.Seed = 1
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	case o.site.Sources < 1 || o.site.Items < 1:
		return o, fmt.Errorf("%w: -sources and -items must be at least 1", errUsage)
	case o.site.Hosts < 1 || o.site.Hosts > 250:
		return o, fmt.Errorf("%w: -hosts must be between 1 and 250", errUsage)
	case o.newFrac < 0 || o.newFrac > 1, o.site.Events < 0 || o.site.Events > 1,
		o.site.Chinese < 0 || o.site.Chinese > 1, o.site.GBK < 0 || o.site.GBK > 1:
		return o, fmt.Errorf("%w: -new, -events, -chinese and -gbk are shares between 0 and 1", errUsage)
	case o.repeat < 1:
		return o, fmt.Errorf("%w: -repeat must be at least 1", errUsage)
	case o.warmRuns < 0:
		return o, fmt.Errorf("%w: -warm-runs must not be negative", errUsage)
	case o.lim.Sources < 1 || o.lim.Articles < 1 || o.lim.PerHost < 0:
		return o, fmt.Errorf("%w: concurrency limits must be positive", errUsage)
	}
	switch o.profPhase {
	case "floor", "cold", "warm", "change", "memcheck":
	default:
		return o, fmt.Errorf("%w: -profile-phase %q: want floor, cold, warm, change or memcheck", errUsage, o.profPhase)
	}
	o.site.Hosts = min(o.site.Hosts, o.site.Sources)
	return o, nil
}

// run runs the whole benchmark and reports on stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	stderr = &lockedWriter{w: stderr} // child processes write to it too
	dir := o.workdir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "loadbench-"); err != nil {
			return fmt.Errorf("work folder: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("work folder: %w", err)
	}
	freshDB := func(i int) (string, error) {
		db := filepath.Join(dir, fmt.Sprintf("loadbench-%d.db", i))
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("fresh database: %w", err)
			}
		}
		return db, nil
	}

	var pg *pgServer
	if o.postgres != "" {
		if pg, err = openPGServer(ctx, o.postgres); err != nil {
			return err
		}
		defer pg.close()
		freshDB = func(i int) (string, error) { return pg.fresh(ctx, fmt.Sprintf("loadbench_%d", i)) }
	}

	srv, err := startSite(ctx, o.site, stderr)
	if err != nil {
		return err
	}
	defer srv.close()

	res := results{Options: jsonOptions(o), Site: srv.ready.Facts}
	db := ""
	phase := func(name string, profile bool) (phaseResult, error) {
		in := phaseInput{Phase: name, Feeds: srv.ready.Feeds, DB: db, Limits: o.lim, Runs: o.warmRuns}
		if pg != nil && name != "floor" {
			in.DBServer = pg.postmaster
		}
		if profile && name == o.profPhase {
			in.CPUProfile, in.MemProfile = o.cpuProfile, o.memProfile
		}
		if err := srv.control(ctx, http.MethodPost, "/reset", nil); err != nil {
			return phaseResult{}, err
		}
		out, err := runChild(ctx, in, stderr)
		if err != nil {
			return phaseResult{}, fmt.Errorf("%s phase: %w", name, err)
		}
		var st siteStats
		if err := srv.control(ctx, http.MethodGet, "/stats", &st); err != nil {
			return phaseResult{}, err
		}
		return phaseResult{phaseOutput: out, Requests: st}, nil
	}
	fmt.Fprintf(stderr, "loadbench: site of %d sources × %d items served (load average %s); running floor and cold %d× each, then warm, change%s\n",
		o.site.Sources, o.site.Items, loadAverage(), o.repeat, map[bool]string{true: ", memcheck", false: ""}[o.warmRuns > 0])
	res.LoadBefore = loadAverage()
	// Floor and cold runs alternate, so that both see the same load on the
	// machine; each cold run starts from a fresh database, and the last one's
	// database serves the phases after it.
	for i := range o.repeat {
		last := i == o.repeat-1
		f, err := phase("floor", last)
		if err != nil {
			return err
		}
		if db, err = freshDB(i); err != nil {
			return err
		}
		c, err := phase("cold", last)
		if err != nil {
			return err
		}
		res.FloorSamples = append(res.FloorSamples, f)
		res.ColdSamples = append(res.ColdSamples, c)
	}
	res.Floor, res.Cold = medianPhase(res.FloorSamples), medianPhase(res.ColdSamples)
	if res.Warm, err = phase("warm", true); err != nil {
		return err
	}
	var ch changeResult
	if err := srv.control(ctx, http.MethodPost, "/change?frac="+fmt.Sprint(o.newFrac), &ch); err != nil {
		return err
	}
	res.Added, res.FeedsChanged = ch.Added, ch.FeedsChanged
	if res.Change, err = phase("change", true); err != nil {
		return err
	}
	if o.warmRuns > 0 {
		mc, err := phase("memcheck", true)
		if err != nil {
			return err
		}
		res.MemCheck = &mc
	}
	res.LoadAfter = loadAverage()
	res.evaluate()
	if err := res.writeTable(stdout); err != nil {
		return err
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.jsonOut, err)
		}
	}
	if o.failOnMiss && !res.allMet() {
		return errMissed
	}
	return nil
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer, one call at a time.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// loadAverage returns the 1, 5 and 15 minute load averages of the machine,
// for the report: other work on it makes wall times noisy.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// siteProcess is the child process serving the site.
type siteProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	ready serverReady
	http  *http.Client
}

// startSite starts the site process and waits until it serves.
func startSite(ctx context.Context, opts siteOptions, stderr io.Writer) (*siteProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("site process: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, childFlag+"serve")
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("site process: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("site process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("site process: %w", err)
	}
	p := &siteProcess{cmd: cmd, stdin: stdin, http: &http.Client{Timeout: time.Minute}}
	if err := json.NewEncoder(stdin).Encode(opts); err != nil {
		p.close()
		return nil, fmt.Errorf("site process: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &p.ready)
	}
	if err != nil {
		p.close()
		return nil, fmt.Errorf("site process did not start: %w", err)
	}
	go io.Copy(io.Discard, stdout)
	return p, nil
}

// control calls the site's control endpoint and decodes its answer into out.
func (p *siteProcess) control(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.ready.Control+path, nil)
	if err != nil {
		return fmt.Errorf("site control %s: %w", path, err)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("site control %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("site control %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("site control %s: %w", path, err)
	}
	return nil
}

// close stops the site process: it exits when its standard input closes.
func (p *siteProcess) close() {
	p.stdin.Close()
	done := make(chan struct{})
	go func() {
		p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// runChild runs one phase in a child process.
func runChild(ctx context.Context, in phaseInput, stderr io.Writer) (phaseOutput, error) {
	exe, err := os.Executable()
	if err != nil {
		return phaseOutput{}, err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return phaseOutput{}, err
	}
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, childFlag+"phase")
	cmd.Stdin = bytes.NewReader(b)
	cmd.Stdout = &stdout
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return phaseOutput{}, fmt.Errorf("child process: %w", err)
	}
	var out childAnswer
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return phaseOutput{}, fmt.Errorf("child process answer: %w", err)
	}
	if out.Error != "" {
		return out.phaseOutput, errors.New(out.Error)
	}
	return out.phaseOutput, nil
}

// childAnswer is what a phase process prints.
type childAnswer struct {
	phaseOutput
	Error string `json:"error,omitempty"`
}

// childMain is the entry point of a child process.
func childMain(role string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch role {
	case "serve":
		dec := json.NewDecoder(stdin)
		var opts siteOptions
		if err := dec.Decode(&opts); err != nil {
			fmt.Fprintln(stderr, "loadbench site:", err)
			return 1
		}
		stop := make(chan struct{})
		go func() {
			io.Copy(io.Discard, io.MultiReader(dec.Buffered(), stdin))
			close(stop)
		}()
		if err := serveSite(opts, stdout, stop); err != nil {
			fmt.Fprintln(stderr, "loadbench site:", err)
			return 1
		}
		return 0
	case "phase":
		var in phaseInput
		if err := json.NewDecoder(stdin).Decode(&in); err != nil {
			fmt.Fprintln(stderr, "loadbench phase:", err)
			return 1
		}
		out, err := runPhase(context.Background(), in)
		ans := childAnswer{phaseOutput: out}
		if err != nil {
			ans.Error = err.Error()
		}
		if err := json.NewEncoder(stdout).Encode(ans); err != nil {
			fmt.Fprintln(stderr, "loadbench phase:", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "loadbench: unknown child role %q\n", role)
		return 2
	}
}
