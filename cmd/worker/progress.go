package main

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/wallwatch/worker/internal/progress"
	"github.com/wallwatch/worker/worker"
)

// runProgress is run-once's status line on a terminal: sources done out of
// all, articles recorded, the time left, and the page a backfill is on.
type runProgress struct {
	d     *progress.Display
	start time.Time

	mu       sync.Mutex
	done     int
	total    int
	articles int
	page     string
	stopOnce sync.Once
	quit     chan struct{}
	ticker   sync.WaitGroup
}

// startProgress puts a status line on the terminal a.stderr, with log lines
// (and alerts printed to the same terminal) above it, and keeps it up to
// date every second until stop.
func (a *app) startProgress() *runProgress {
	p := &runProgress{d: progress.New(a.stderr, termWidth(a.stderr)), start: time.Now(), quit: make(chan struct{})}
	a.display = p.d
	p.show()
	p.ticker.Add(1)
	go func() {
		defer p.ticker.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.show()
			}
		}
	}()
	return p
}

// setTotal sets how many sources the run reads: those named, else every
// configured one.
func (p *runProgress) setTotal(configured, named int) {
	p.mu.Lock()
	p.total = configured
	if named > 0 {
		p.total = named
	}
	p.mu.Unlock()
	p.show()
}

// stop erases the status line; output goes straight to the terminal again.
// A nil progress does nothing.
func (p *runProgress) stop() {
	if p == nil {
		return
	}
	p.stopOnce.Do(func() {
		close(p.quit)
		p.ticker.Wait()
		p.d.Close()
	})
}

// sourceDone is worker.RunOptions.SourceDone.
func (p *runProgress) sourceDone(done, total int, r worker.SourceReport) {
	p.mu.Lock()
	p.done, p.total = done, total
	p.articles += r.Articles
	p.page = ""
	p.mu.Unlock()
	p.show()
}

// backfillPage is worker.RunOptions.Progress.
func (p *runProgress) backfillPage(source string, page, items int) {
	p.mu.Lock()
	p.page = fmt.Sprintf("%s: page %d, %d items", source, page, items)
	p.mu.Unlock()
	p.show()
}

func (p *runProgress) show() {
	p.mu.Lock()
	s := statusText(p.done, p.total, p.articles, time.Since(p.start), p.page)
	p.mu.Unlock()
	p.d.Set(s)
}

// statusText is the status line: "sources 3/12 · 45 articles · ETA 20s".
// The time left is the time taken so far per source, times the sources
// left; it is unknown until the first source is done.
func statusText(done, total, articles int, elapsed time.Duration, page string) string {
	parts := []string{fmt.Sprintf("sources %d/%d", done, total), fmt.Sprintf("%d articles", articles)}
	switch {
	case total > 0 && done >= total:
		parts = append(parts, "delivering alerts")
	case done > 0:
		left := time.Duration(float64(elapsed)/float64(done)*float64(total)) - elapsed
		parts = append(parts, "ETA "+max(left, 0).Round(time.Second).String())
	default:
		parts = append(parts, "ETA …")
	}
	if page != "" {
		parts = append(parts, page)
	}
	return strings.Join(parts, " · ")
}

// termWidth returns the columns of the terminal f.
func termWidth(w any) func() int {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	return func() int {
		c, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return c
	}
}
