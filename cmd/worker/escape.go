package main

import (
	"strings"
	"unicode"
)

// forTerminal makes text from the web safe to print on a terminal, as one
// line: escape sequences (CSI such as colours, OSC such as a window title)
// are dropped whole; other control characters (C0 such as BEL, DEL, C1),
// bidi controls and line separators become spaces, runs of white space one
// space; invalid UTF-8 becomes U+FFFD. No escape sequence survives it.
func forTerminal(s string) string {
	s = dropEscapes(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isFormatControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dropEscapes removes ECMA-48 escape sequences: ESC [ or C1 CSI with its
// parameters and final byte, ESC ] (OSC) up to BEL or ESC \\, and ESC with
// one following character. What is left of a cut sequence is plain text.
func dropEscapes(s string) string {
	if !strings.ContainsAny(s, "\x1b\u009b\u009d") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[', r == 0x9b:
			if r == 0x1b {
				i++
			}
			for i+1 < len(rs) && rs[i+1] >= 0x20 && rs[i+1] <= 0x3f { // parameters, intermediates
				i++
			}
			if i+1 < len(rs) && rs[i+1] >= 0x40 && rs[i+1] <= 0x7e { // final byte
				i++
			}
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == ']', r == 0x9d:
			if r == 0x1b {
				i++
			}
			for i+1 < len(rs) && rs[i+1] != 0x07 && rs[i+1] != 0x9c && rs[i+1] != 0x1b {
				i++
			}
			if i+1 < len(rs) && rs[i+1] != 0x1b {
				i++ // BEL or ST ends it
			} else if i+2 < len(rs) && rs[i+2] == '\\' {
				i += 2 // ESC \\ ends it
			}
		case r == 0x1b && i+1 < len(rs):
			i++ // a two-character sequence
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// termAll is forTerminal for each of list.
func termAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = forTerminal(s)
	}
	return out
}

// isFormatControl reports whether r reorders or breaks the text around it:
// bidi controls (U+202E and the like) and the line and paragraph separators.
func isFormatControl(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

// formulaStart holds the characters that make a spreadsheet read a cell as a
// formula (OWASP, CSV injection).
const formulaStart = "=+-@\t\r"

// csvCell is forTerminal for a CSV cell, quoted with a leading ' when it
// would start a formula (after any leading spaces), as OWASP recommends.
func csvCell(s string) string {
	s = forTerminal(s)
	if c := strings.TrimLeft(s, " "); c != "" && strings.ContainsRune(formulaStart, rune(c[0])) {
		return "'" + s
	}
	return s
}

// csvRow is csvCell for every cell of a row.
func csvRow(cells ...string) []string {
	for i, c := range cells {
		cells[i] = csvCell(c)
	}
	return cells
}
