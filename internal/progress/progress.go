// Package progress draws one status line at the foot of a terminal and
// writes log lines (and any other output) above it, so that the two never
// overwrite or run into each other.
package progress

import (
	"io"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

// Display is a status line on a terminal. Its methods are safe for
// concurrent use.
type Display struct {
	mu     sync.Mutex
	w      io.Writer
	width  func() int
	status string
	shown  bool
	closed bool
}

// New returns a display on the terminal w. width gives the terminal's
// columns (nil or a result under 1: 80); the status is cut to fit one row,
// since a status that wraps could not be erased.
func New(w io.Writer, width func() int) *Display {
	return &Display{w: w, width: width}
}

// Set shows status as the status line.
func (d *Display) Set(status string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.status = d.fit(status)
	d.draw()
}

// Write writes p above the status line: the line is erased, p written
// and the status drawn again below it. p should end with a newline (a log
// record does); one that does not is ended with one.
func (d *Display) Write(p []byte) (int, error) {
	return d.writeTo(d.w, p)
}

// Above returns a writer whose output, going to out (the same terminal,
// e.g. standard output), appears above the status line.
func (d *Display) Above(out io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) { return d.writeTo(out, p) })
}

// Close erases the status line; later writes go straight through.
func (d *Display) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.erase()
	d.closed = true
}

func (d *Display) writeTo(out io.Writer, p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.erase()
	n, err := out.Write(p)
	if err != nil {
		return n, err
	}
	if len(p) > 0 && p[len(p)-1] != '\n' {
		if _, err := out.Write([]byte{'\n'}); err != nil {
			return n, err
		}
	}
	if !d.closed {
		d.draw()
	}
	return n, nil
}

func (d *Display) erase() {
	if d.shown {
		io.WriteString(d.w, clearLine)
		d.shown = false
	}
}

func (d *Display) draw() {
	io.WriteString(d.w, clearLine+d.status)
	d.shown = true
}

// fit cuts s to one row less one column (a cursor in the last column may
// wrap on some terminals), wide (CJK) characters taking two, dropping
// control characters.
func (d *Display) fit(s string) string {
	cols := 80
	if d.width != nil {
		if c := d.width(); c > 0 {
			cols = c
		}
	}
	out := make([]rune, 0, len(s))
	used := 0
	for _, r := range s {
		if r < ' ' || (r >= 0x7f && r < 0xa0) || r == utf8.RuneError {
			continue
		}
		w := 1
		if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
			w = 2
		}
		if used+w > cols-1 {
			break
		}
		used += w
		out = append(out, r)
	}
	return string(out)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
