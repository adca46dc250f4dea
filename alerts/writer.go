package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/wallwatch/worker/sources"
)

// Writer formats.
const (
	FormatText = "text" // a readable rendering
	FormatJSON = "json" // the exact payloads, one JSON object a line
)

// Writer prints messages instead of posting them (standard output, dry
// runs). It makes no network calls.
type Writer struct {
	// Channel is printed as the channel of messages that name none.
	Channel string
	// Placeholders answers each post with a placeholder ts ("dry-run.1"),
	// so that thread replies are printed under their parent as a bot would
	// post them (dry runs, which work on a copy of the database).
	Placeholders bool

	mu     sync.Mutex
	w      io.Writer
	format string
	n      int
}

// NewWriter returns a Writer printing to w in format FormatText or
// FormatJSON; any other format means FormatText.
func NewWriter(w io.Writer, format string) *Writer {
	if format != FormatJSON {
		format = FormatText
	}
	return &Writer{w: w, format: format}
}

// Name is "stdout".
func (w *Writer) Name() string { return "stdout" }

// Threads reports whether replies are printed under their parent
// (Placeholders).
func (w *Writer) Threads() bool { return w.Placeholders }

// CanFind is false.
func (w *Writer) CanFind() bool { return false }

// Post prints m: in JSON, {"channel","thread_ts","text","blocks","metadata"}
// exactly as a bot would post it; in text, a header line and indented
// fields, with a blank line between messages. The receipt is empty, or a
// placeholder with Placeholders.
func (w *Writer) Post(_ context.Context, m Message) (Receipt, error) {
	ch := m.Channel
	if ch == "" {
		ch = w.Channel
	}
	var out []byte
	if w.format == FormatJSON {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(buildPayload(m, ch)); err != nil {
			return Receipt{}, fmt.Errorf("encode alert: %w", err)
		}
		out = []byte(b.String())
	} else {
		out = []byte(plain(m))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.format == FormatText && w.n > 0 {
		out = append([]byte("\n"), out...)
	}
	if _, err := w.w.Write(out); err != nil {
		return Receipt{}, fmt.Errorf("write alert: %w", err)
	}
	w.n++
	if w.Placeholders {
		return Receipt{Channel: ch, TS: fmt.Sprintf("dry-run.%d", w.n)}, nil
	}
	return Receipt{}, nil
}

// Find is not supported: it returns an error matching ErrUnsupported.
func (w *Writer) Find(context.Context, Message, time.Time) (Receipt, bool, error) {
	return Receipt{}, false, &Error{Op: "stdout", Permanent: true, cause: ErrUnsupported,
		msg: "stdout: cannot look back for posted messages"}
}

// plain renders a message as readable text, one field a line; web text is
// cleaned of control characters so it cannot drive a terminal.
func plain(m Message) string {
	a := m.Article
	var b strings.Builder
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-10s %s\n", name+":", value)
		}
	}
	pub := sources.DateOf(a.Published).String()
	if m.IsReply() {
		b.WriteString("Also reported by " + outlet(a))
		if st := replyStage(m); st != "" {
			b.WriteString(", as " + truncPlain(st, 40))
		}
		b.WriteString(": " + orUntitled(a.Title))
		if pub != "" {
			b.WriteString(" (" + pub + ")")
		}
		b.WriteByte('\n')
		if r := m.Reported; r != nil {
			field("gist", gist(*r))
		}
		field("thread", clean(m.ThreadTS))
		field("link", clean(a.URL))
		return b.String()
	}
	d := m.Developments[0]
	pair := pairOf(d)
	b.WriteString(headerText(d, sources.DateOf(a.Published)) + "\n")
	field("who", names(d.A, "?")+" ("+sideName(pair.A)+") × "+names(d.B, "?")+" ("+sideName(pair.B)+")")
	field("what", kindLabel(d.Kind))
	field("stage", clean(string(d.Stage)))
	field("date", d.Date.String())
	field("headline", orUntitled(a.Title))
	field("gist", gist(d))
	field("outlet", outlet(a))
	field("published", pub)
	field("link", clean(a.URL))
	field("evidence", clean(d.Evidence))
	if step := newStepText(m, d); step != "" {
		if p := m.Previous; p != nil {
			if pl := previousLink(p); pl != "" {
				step += " " + pl
			}
		}
		field("step", step)
	}
	for _, o := range m.Developments[1:] {
		field("also", headerText(o, sources.Date{}))
	}
	return b.String()
}

func orUntitled(title string) string {
	if t := clean(title); t != "" {
		return t
	}
	return "untitled article"
}
