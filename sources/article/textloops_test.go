package article

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The text loops step through bytes in ways that are easy to get subtly
// wrong; these are their plain definitions, as they were written first,
// and the fast loops must agree with them on any text.

// refMeasure is measure, a byte at a time.
func refMeasure(s string) (n, commas int) {
	space := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			if c > ' ' {
				if c == ',' {
					commas++
				}
				n++
				space = false
			} else if !space && (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
				n++
				space = true
			}
			continue
		}
		switch {
		case c < 0xC0: // stray continuation byte
			i++
			continue
		case c < 0xE0:
			if c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 { // no-break space
				if !space {
					n++
					space = true
				}
				i += 2
				continue
			}
			n++
			i += 2
		case c < 0xF0:
			if c >= 0xE3 {
				n += 2
				if i+2 < len(s) && (c == 0xEF && s[i+1] == 0xBC && (s[i+2] == 0x8C || s[i+2] == 0x9B) || c == 0xE3 && s[i+1] == 0x80 && s[i+2] == 0x81) {
					commas++ // ， ； 、
				}
			} else {
				n++
			}
			i += 3
		default:
			n += 2
			i += 4
		}
		space = false
	}
	if space && n > 0 {
		n--
	}
	return n, commas
}

// refWrite is emitter.write, a word at a time.
func refWrite(e *emitter, s string) (n, commas int) {
	i := 0
	for i < len(s) {
		// A run of characters that are neither white space nor to be dropped.
		j := i
	run:
		for j < len(s) {
			c := s[j]
			switch {
			case c < 0x80:
				if c <= ' ' {
					break run
				}
				if c == ',' {
					commas++
				} else if c|0x20 >= 'a' && c|0x20 <= 'z' {
					e.script.letters++
				}
				n++
				j++
				continue
			case c < 0xC0:
				break run // stray continuation byte: dropped below
			}
			if (c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF || c == 0xE1) && specialAt(s, j) {
				break
			}
			if j+1 < len(s) {
				e.script.count(c, s[j+1])
			}
			switch {
			case c < 0xE0:
				n++
				j += 2
			case c < 0xF0:
				if c >= 0xE3 {
					n += 2
					if j+2 < len(s) && (c == 0xEF && s[j+1] == 0xBC && (s[j+2] == 0x8C || s[j+2] == 0x9B) || c == 0xE3 && s[j+1] == 0x80 && s[j+2] == 0x81) {
						commas++
					}
				} else {
					n++
				}
				j += 3
			default:
				n += 2
				j += 4
			}
		}
		if j > len(s) {
			j = len(s) // a truncated sequence at the end
		}
		if j > i {
			if e.space {
				e.buf = append(e.buf, ' ')
				e.space = false
				n++
			}
			e.buf = append(e.buf, s[i:j]...)
			i = j
			continue
		}
		// s[i] is white space, a control byte or a character to drop.
		c := s[i]
		size := 1
		isSpace := c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
		if c >= 0x80 {
			r, sz := utf8.DecodeRuneInString(s[i:])
			size = sz
			isSpace = unicode.IsSpace(r) || r == 0xA0
		}
		if isSpace && !e.atLineStart() {
			e.space = true
		}
		i += size
	}
	return n, commas
}

// textSamples mixes the pieces the loops treat differently: ASCII words
// and runs of spaces, commas, control bytes, no-break and zero-width
// spaces, Latin letters, Han, kana, full-width commas, four-byte
// characters and a stray continuation byte.
func textSamples(r *rand.Rand, n int) []string {
	pieces := []string{"a", "Word", "x,", ",", " ", "  ", "\n", "\t", "\r\n", "\f", "\x01", "\x7f", "\u00a0", "\u200b", "\u00ad", "\u3000",
		"é", "Ω", "淘宝", "微信支付", "，", "；", "、", "。", "カナ", "한글", "😀", "\x80", "long-word-without-spaces", "1234567890", "Zebra-fizz", "@[`{AZaz", "buzz,quiz"}
	out := []string{"", " ", "abcdefgh", "abcdefg ", " abcdefg", "a b c d e f g h i", "a  b  c", "ab,cd,ef,gh,"}
	for range n {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

func TestMeasureAgreesWithItsDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range textSamples(r, 5000) {
		n, c := measure(s)
		rn, rc := refMeasure(s)
		if n != rn || c != rc {
			t.Fatalf("measure(%q) = %d, %d; want %d, %d", s, n, c, rn, rc)
		}
	}
}

func TestWriteAgreesWithItsDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	samples := textSamples(r, 5000)
	for i, s := range samples {
		// Written after other text or at a line start, with a space
		// pending or not.
		prefix := samples[(i+1)%len(samples)]
		for _, space := range []bool{false, true} {
			a := &emitter{buf: []byte(prefix), space: space}
			b := &emitter{buf: []byte(prefix), space: space}
			n, c := a.write(s)
			rn, rc := refWrite(b, s)
			if n != rn || c != rc || string(a.buf) != string(b.buf) || a.space != b.space || a.script != b.script {
				t.Fatalf("write(%q) after %q (space %v) = %q %d %d %v %+v; want %q %d %d %v %+v", s, prefix, space,
					a.buf, n, c, a.space, a.script, b.buf, rn, rc, b.space, b.script)
			}
		}
	}
}
