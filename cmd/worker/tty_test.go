package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// screen replays terminal output the way a terminal shows it: a carriage
// return goes to the start of the line, ESC [ K erases to its end, a newline
// moves down, and anything else is written over what is under the cursor.
func screen(out []byte) []string {
	lines := [][]rune{nil}
	row, col := 0, 0
	s := []rune(string(out))
	for i := 0; i < len(s); i++ {
		switch r := s[i]; {
		case r == '\r':
			col = 0
		case r == '\n':
			row, col = row+1, 0
			if row == len(lines) {
				lines = append(lines, nil)
			}
		case r == 0x1b && i+2 < len(s) && s[i+1] == '[' && s[i+2] == 'K':
			lines[row] = lines[row][:min(col, len(lines[row]))]
			i += 2
		default:
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = r
			col++
		}
	}
	out2 := make([]string, len(lines))
	for i, l := range lines {
		out2[i] = strings.TrimRight(string(l), " ")
	}
	return out2
}

// TestProgressOnATerminalKeepsLogLinesAboveIt runs run-once on a
// pseudo-terminal over four sources (one slow, one failing) and checks what
// the terminal shows: the status line was drawn with the sources done, the
// articles and the time left, every log line reached the screen whole on a
// line of its own, no status is glued to or written over a log line, and
// the status is gone once the summary is printed.
func TestProgressOnATerminalKeepsLogLinesAboveIt(t *testing.T) {
	site := storySite(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2500 * time.Millisecond) // a few redraws of the status happen meanwhile
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title></channel></rss>`)
	}))
	t.Cleanup(slow.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "worker.yaml")
	body := fmt.Sprintf("database: %s\ntimezone: UTC\nalerts:\n  max_age: 0\n"+
		"http:\n  allow_private_networks: true\n  per_host_rate: 0\n  timeout: 5s\n"+
		"sources:\n  - {name: wire, url: '%s/feed.xml', type: feed}\n  - {name: gone, url: '%s/missing.xml', type: feed}\n"+
		"  - {name: slow, url: '%s/feed.xml', type: feed}\n  - {name: wire2, url: '%s/feed.xml?b', type: feed}\n",
		filepath.Join(dir, "w.db"), site.URL, site.URL, slow.URL, site.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "run-once", "--config", cfg)
	cmd.Env = append(os.Environ(), "WORKER_TEST_AS_MAIN=1")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var raw bytes.Buffer
	_, err = io.Copy(&raw, tty) // ends with EIO once the child has gone
	var pathErr *os.PathError
	if err != nil && !errors.As(err, &pathErr) {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run-once: %v\n%s", err, raw.String())
	}

	out := raw.Bytes()
	status := regexp.MustCompile(`sources \d/4 · \d+ articles · (ETA|delivering)`)
	if !status.Match(out) || !bytes.Contains(out, []byte("sources 4/4 · 1 articles · delivering alerts")) ||
		!regexp.MustCompile(`sources [1-3]/4 · \d+ articles · ETA \d+s`).Match(out) {
		t.Errorf("no status line with sources, articles and the time left in:\n%q", out)
	}
	records := bytes.Count(out, []byte("msg="))
	lines := screen(out)
	shown := 0
	for _, l := range lines {
		if status.MatchString(l) {
			t.Errorf("a status line is left on the screen or glued to output: %q", l)
		}
		if strings.Contains(l, "msg=") {
			shown++
			if !strings.HasPrefix(l, "time=") || strings.Count(l, "time=") != 1 {
				t.Errorf("log line not whole on a line of its own: %q", l)
			}
		}
	}
	if records == 0 || shown != records {
		t.Errorf("%d log records written, %d whole on the screen:\n%s", records, shown, strings.Join(lines, "\n"))
	}
	// The alert printed to standard output, the same terminal, is above the
	// status line too.
	for _, want := range []string{`msg="source failed" source=gone`, "\nWeChat Pay on Taobao", "\nrun: 4 sources (1 failed)"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("screen lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
}

func TestStatusText(t *testing.T) {
	tests := []struct {
		done, total, articles int
		elapsed               time.Duration
		page, want            string
	}{
		{0, 12, 0, time.Second, "", "sources 0/12 · 0 articles · ETA …"},
		{3, 12, 45, 9 * time.Second, "", "sources 3/12 · 45 articles · ETA 27s"},
		{6, 12, 80, 10 * time.Second, "wire: page 4, 20 items", "sources 6/12 · 80 articles · ETA 10s · wire: page 4, 20 items"},
		{12, 12, 99, time.Minute, "", "sources 12/12 · 99 articles · delivering alerts"},
	}
	for _, tc := range tests {
		if got := statusText(tc.done, tc.total, tc.articles, tc.elapsed, tc.page); got != tc.want {
			t.Errorf("statusText(%d, %d, %d, %v) = %q, want %q", tc.done, tc.total, tc.articles, tc.elapsed, got, tc.want)
		}
	}
}

// Off a terminal there is no status line: standard error holds log lines
// and the summary only.
func TestNoProgressOffATerminal(t *testing.T) {
	site := storySite(t)
	cfg, _ := storyConfig(t, site, "")
	_, stderr, code := runCLI(t, "run-once", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(l, "{") && !strings.HasPrefix(l, "run: ") && !strings.HasPrefix(l, "headline events: ") {
			t.Errorf("standard error off a terminal has a line that is neither a log record nor the summary: %q", l)
		}
	}
	if strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("standard error off a terminal has terminal controls: %q", stderr)
	}
}
