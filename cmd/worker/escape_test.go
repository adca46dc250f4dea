package main

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
)

// hostileEntry is a timeline entry whose web text tries to take over a
// terminal (OSC title, CSI colour, BEL, C1 CSI) and a spreadsheet.
func hostileEntry() store.TimelineEntry {
	return store.TimelineEntry{
		Date: sources.Date{Year: 2024, Month: 9, Day: 4}, Pair: sources.DefaultPair,
		A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageLaunched,
		Headline: true, DevelopmentID: 1, Articles: 1,
		Title:    "\x1b]0;pwned\x07Taobao \x1b[31maccepts\x1b[0m WeChat Pay\u009b2J\u202e",
		URL:      "https://news.example/a",
		Source:   "=HYPERLINK(\"https://evil.example\",\"click\")",
		Evidence: "@SUM(1+1)\tcmd|' /C calc'!A0",
	}
}

func TestEventsListTableStripsControls(t *testing.T) {
	var out bytes.Buffer
	if err := writeTimeline(&out, "table", []store.TimelineEntry{hostileEntry()}); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if r != '\n' && (unicode.IsControl(r) || r == '\u202e') {
			t.Fatalf("table output holds control %U:\n%q", r, out.String())
		}
	}
	if !strings.Contains(out.String(), "Taobao accepts WeChat Pay") {
		t.Errorf("the title's text is gone:\n%s", out.String())
	}
}

func TestEventsListJSONHasNoC1Controls(t *testing.T) {
	var out bytes.Buffer
	if err := writeTimeline(&out, "json", []store.TimelineEntry{hostileEntry()}); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if r != '\n' && (unicode.IsControl(r) || isFormatControl(r)) {
			t.Fatalf("json output holds %U:\n%q", r, out.String())
		}
	}
}

func TestEventsListCSVDefusesFormulas(t *testing.T) {
	e := hostileEntry()
	e.Title = "=HYPERLINK(\"https://evil.example\",\"Taobao\")"
	var out bytes.Buffer
	if err := writeTimeline(&out, "csv", []store.TimelineEntry{e}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv: %v, %d records", err, len(recs))
	}
	for i, cell := range recs[1] {
		if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("column %s starts a formula: %q", recs[0][i], cell)
		}
		for _, r := range cell {
			if unicode.IsControl(r) {
				t.Errorf("column %s holds control %U: %q", recs[0][i], r, cell)
			}
		}
	}
	if got := recs[1][11]; got != "'"+e.Title {
		t.Errorf("title cell %q, want the title behind a quote", got)
	}
}

func TestCSVCell(t *testing.T) {
	tests := map[string]string{
		"=1+1":         "'=1+1",
		"+1":           "'+1",
		"-1":           "'-1",
		"@SUM(A1)":     "'@SUM(A1)",
		"\t=1":         "'=1",
		"\r=1":         "'=1",
		"  =1":         "'=1",
		"Taobao":       "Taobao",
		"2024-09-04":   "2024-09-04",
		"":             "",
		"a=b":          "a=b",
		"\x1b[31m=red": "'=red",
		"淘宝接入微信支付":     "淘宝接入微信支付",
	}
	for in, want := range tests {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForTerminal(t *testing.T) {
	tests := map[string]string{
		"\x1b]0;pwned\x07title":                                "title",
		"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\": "link",
		"a\x1b[2Jb":                 "ab",
		"unterminated \x1b]0;title": "unterminated",
		"lone \x1b":                 "lone",
		"line\nbreak\r\ttab":        "line break tab",
		"c1\u009b2Jcsi":             "c1csi",
		"bidi\u202egnp.exe":         "bidi gnp.exe",
		"bad \xff utf-8":            "bad \uFFFD utf-8",
		"plain text, 淘宝 & 微信":       "plain text, 淘宝 & 微信",
		"\x00\x01":                  "",
	}
	for in, want := range tests {
		if got := forTerminal(in); got != want {
			t.Errorf("forTerminal(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzForTerminal(f *testing.F) {
	for _, s := range []string{"\x1b]0;t\x07", "a\x1b[31mb", "\u009b2J", "\u202e\u2066", "ok", "\xff\xfe", "\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := forTerminal(s)
		if !utf8.ValidString(out) {
			t.Fatalf("forTerminal(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || isFormatControl(r) {
				t.Fatalf("forTerminal(%q) = %q holds %U", s, out, r)
			}
		}
		if again := forTerminal(out); again != out {
			t.Fatalf("forTerminal is not idempotent: %q then %q", out, again)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("forTerminal(%q) = %q: spaces not collapsed", s, out)
		}
	})
}

func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+A1", "-2", "@x", "\t=1", " =1", "ok", "'=x", "\"quoted\"", "a,b\nc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := csvCell(s)
		if c := strings.TrimLeft(cell, " "); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Fatalf("csvCell(%q) = %q starts a formula", s, cell)
		}
		if want := forTerminal(s); cell != want && cell != "'"+want {
			t.Fatalf("csvCell(%q) = %q: want %q, quoted at most", s, cell, want)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{cell, "x"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 1 || recs[0][0] != cell {
			t.Fatalf("csv round trip of %q: %v %q", cell, err, recs)
		}
	})
}
