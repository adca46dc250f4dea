package detect

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// presence answers, in one pass over the raw text, whether an article names
// at least one entity of each side of some watch — the condition for any
// event. Most articles name neither side, or only one; they are done after
// this scan, without paragraph splitting, folding, dates or cue reading.
//
// The scan folds the text on the fly as foldText does (case, full-width
// forms, traditional characters, dashes and spaces) and runs an
// Aho–Corasick automaton of the names that can stand on their own (generic
// names only count next to another name of their side, so they never make
// a side present by themselves). It errs on the side of "present": it
// ignores exact-case markers, and whatever it lets through, the full
// reading decides.
//
// A name starting with a letter or digit must start a word. The automaton
// reads a word-start mark before every letter or digit that follows
// anything else, and such names are compiled with the mark in front (and
// before each later word of theirs), so a name inside a word never
// matches. While no name is under way, the scan reads the raw bytes
// without folding them: a byte or character that cannot start a name
// costs one table read, and only the few that can go through the
// automaton.
type presence struct {
	m     *matcher
	masks []uint64 // per pattern: bit 2*watch+side for every entity it names
	ends  []bool   // per pattern: ends with a letter or digit, so needs a boundary (or a plural "s") after
	pairs []uint64 // per watch: both of its side bits

	ascii [128]uint8 // per ASCII byte at the root: asciiStay, asciiWord or asciiSlow
	lower [128]byte  // per ASCII byte: the byte it folds to
	stay3 []uint64   // per three-byte rune: set when it folds to a character that cannot start a name
}

const (
	asciiSlow uint8 = iota // the byte may start a name: read it through the automaton
	asciiStay              // the byte never starts a name (spaces, most punctuation, letters inside a word)
	asciiWord              // a letter or digit that starts no name even at the start of a word
)

// wordMark is the byte the automaton reads before a letter or digit that
// starts a word; folded text never holds it.
const wordMark = 0

// maxPresenceWatches is how many watches fit in the side bitmask; a
// lexicon with more skips the presence scan.
const maxPresenceWatches = 32

// newPresence compiles the presence automaton; names maps a folded name to
// its side bits.
func newPresence(names map[string]uint64, watches int) *presence {
	if len(names) == 0 || watches > maxPresenceWatches {
		return nil
	}
	pr := &presence{}
	patterns := make([]string, 0, len(names))
	for name := range names {
		patterns = append(patterns, name)
	}
	slices.Sort(patterns) // reproducible builds
	marked := make([]string, len(patterns))
	for i, p := range patterns {
		pr.masks = append(pr.masks, names[p])
		pr.ends = append(pr.ends, isAlnum(p[len(p)-1]))
		marked[i] = markWords(p)
	}
	pr.m = newMatcher(marked)
	for w := 0; w < watches; w++ {
		pr.pairs = append(pr.pairs, 3<<(2*w))
	}
	pr.compileSkips()
	return pr
}

// markWords puts the word-start mark before every letter or digit of a
// folded name that follows anything else (or starts it).
func markWords(name string) string {
	var b strings.Builder
	prev := byte(' ')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if alnumByte[c] && !alnumByte[prev] {
			b.WriteByte(wordMark)
		}
		b.WriteByte(c)
		prev = c
	}
	return b.String()
}

// compileSkips fills the tables of what the scan can pass over at the
// root of the automaton without reading it.
func (pr *presence) compileSkips() {
	m := pr.m
	atRoot := func(s int, b ...byte) bool {
		for _, c := range b {
			s = m.next(s, c)
		}
		return s == 0
	}
	for c := range pr.ascii {
		f := foldASCII(byte(c))
		pr.lower[c] = f
		switch {
		case c == '`' || f == ' ':
			// Backquotes fold to quotes; spaces collapse.
			if atRoot(0, f) {
				pr.ascii[c] = asciiStay
			}
		case alnumByte[f]:
			if atRoot(0, f) {
				// Letters and digits never start a name inside a word.
				pr.ascii[c] = asciiStay
				if atRoot(0, wordMark, f) {
					pr.ascii[c] = asciiWord
				}
			}
		default:
			if atRoot(0, f) {
				pr.ascii[c] = asciiStay
			}
		}
	}
	pr.stay3 = make([]uint64, 0x10000/64)
	var buf [utf8.UTFMax]byte
	for r := rune(0x800); r <= 0xFFFF; r++ {
		f := foldRune(r)
		if f < 0x800 || !utf8.ValidRune(r) {
			continue // dropped, folded to ASCII, or a surrogate
		}
		n := utf8.EncodeRune(buf[:], f)
		if atRoot(0, buf[:n]...) {
			pr.stay3[r/64] |= 1 << (r % 64)
		}
	}
}

// foldASCII folds one ASCII byte as the scan does: letters to lowercase,
// controls, spaces and hyphens to a space, a backquote to a quote.
func foldASCII(c byte) byte {
	switch {
	case c <= ' ' || c == '-':
		return ' '
	case c == '`':
		return '\''
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}

// presenceScan is the state of one scan.
type presenceScan struct {
	pr     *presence
	state  int
	last   byte   // the last folded byte
	pend   uint64 // sides of matches waiting for the byte after them
	pendS  uint64 // … that were followed by an "s" (a plural) and wait for one more byte
	seen   uint64
	paired bool
}

// mayConnect reports whether the texts name at least one entity of each
// side of some watch. It returns true when it cannot tell.
func (d *Detector) mayConnect(texts ...string) bool {
	pr := d.pres
	if pr == nil {
		return true
	}
	sc := presenceScan{pr: pr, last: ' '}
	for _, t := range texts {
		sc.fold(t)
		if sc.paired {
			return true
		}
		sc.feed(' ')
	}
	sc.flush()
	return sc.paired
}

// fold feeds the folded bytes of src, as foldText would produce them.
func (sc *presenceScan) fold(src string) {
	for i := 0; i < len(src) && !sc.paired; {
		if sc.pend|sc.pendS == 0 {
			if i = sc.run(src, i); i >= len(src) || sc.paired {
				return
			}
		}
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			sc.feed(sc.pr.lower[c])
			continue
		}
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		r = foldRune(r)
		switch {
		case r < 0:
			continue // dropped: zero-width characters
		case r < utf8.RuneSelf:
			b := byte(r) // a full-width form or a typographic mark
			if b == '-' || b <= ' ' {
				b = ' '
			} else if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			sc.feed(b)
		default:
			var buf [utf8.UTFMax]byte
			m := utf8.EncodeRune(buf[:], r)
			for k := 0; k < m; k++ {
				sc.feed(buf[k])
			}
		}
	}
}

// run reads src from i while no match waits for the byte after it: ASCII
// through the automaton (or past it, at the root, where a byte cannot
// start a name), and at the root the three-byte characters that cannot
// start one. It returns where it stopped: at the end, at a character it
// leaves to fold, or after a match that waits.
func (sc *presenceScan) run(src string, i int) int {
	pr, m := sc.pr, sc.pr.m
	st, last := sc.state, sc.last
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			f := pr.lower[c]
			i++
			if st == 0 {
				switch k := pr.ascii[c]; {
				case k == asciiWord, k == asciiStay && (!alnumByte[f] || alnumByte[last]):
					last = f
					continue
				}
			}
			if f == ' ' && last == ' ' {
				continue // runs of spaces are one
			}
			if alnumByte[f] {
				if !alnumByte[last] {
					st = m.next(st, wordMark)
				} else if st == 0 {
					last = f
					continue // no name starts inside a word
				}
			}
			st = m.next(st, f)
			last = f
			if m.emits[st] {
				sc.state, sc.last = st, last
				sc.match()
				if sc.pend != 0 || sc.paired {
					return i
				}
			}
			continue
		}
		// Three-byte characters (CJK, full-width forms, punctuation)
		// decoded by hand.
		if st != 0 || c < 0xE1 || c == 0xED || c > 0xEF || i+2 >= len(src) {
			break
		}
		c1, c2 := src[i+1], src[i+2]
		if c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
			break
		}
		r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
		if pr.stay3[r/64]&(1<<(r%64)) == 0 {
			break
		}
		last = 0x80 // the last byte of a multi-byte character: no letter, no space
		i += 3
	}
	sc.state, sc.last = st, last
	return i
}

// feed reads one folded byte: it settles the matches waiting for a
// boundary, then steps the automaton.
func (sc *presenceScan) feed(b byte) {
	if b == ' ' && sc.last == ' ' {
		return // runs of spaces are one
	}
	alnum := alnumByte[b]
	if sc.pendS != 0 {
		if !alnum {
			sc.accept(sc.pendS)
		}
		sc.pendS = 0
	}
	if sc.pend != 0 {
		switch {
		case !alnum:
			sc.accept(sc.pend)
		case b == 's' && isLatin(sc.last):
			sc.pendS = sc.pend
		}
		sc.pend = 0
	}
	wordStart := alnum && !alnumByte[sc.last]
	sc.last = b
	if alnum && !wordStart && sc.state == 0 {
		// No name starts inside a word, and no match is under way.
		return
	}
	m := sc.pr.m
	if wordStart {
		sc.state = m.next(sc.state, wordMark)
	}
	sc.state = m.next(sc.state, b)
	if m.emits[sc.state] {
		sc.match()
	}
}

// match takes the names ending at the current state: those that end
// with a letter or digit wait for the byte after them.
func (sc *presenceScan) match() {
	m := sc.pr.m
	for t := int32(sc.state); t > 0; t = m.states[t].dict {
		p := m.states[t].out
		if p < 0 {
			continue
		}
		mask := sc.pr.masks[p]
		if mask&^sc.seen == 0 {
			continue // nothing new
		}
		if sc.pr.ends[p] {
			sc.pend |= mask
			continue
		}
		sc.accept(mask)
	}
}

// flush settles the matches at the end of the text.
func (sc *presenceScan) flush() {
	sc.accept(sc.pend | sc.pendS)
	sc.pend, sc.pendS = 0, 0
}

func (sc *presenceScan) accept(mask uint64) {
	sc.seen |= mask
	for _, p := range sc.pr.pairs {
		if sc.seen&p == p {
			sc.paired = true
			return
		}
	}
}

// alnumByte tells ASCII letters and digits.
var alnumByte = func() (t [256]bool) {
	for b := range t {
		t[b] = isAlnum(byte(b))
	}
	return t
}()

// foldRune folds one non-ASCII rune as foldText does: full-width forms to
// ASCII, typographic quotes and dashes to ASCII, odd spaces to a space,
// traditional characters to simplified ones; -1 for a rune that is dropped.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return r - 0xFEE0
	case r >= 0x4E00 && r <= 0x9FFF:
		if sr := simplified[r-0x4E00]; sr != 0 {
			return sr // 淘寶 → 淘宝
		}
		return r
	}
	if f, ok := punctFold[r]; ok {
		return f
	}
	if r >= 0x80 && unicode.IsSpace(r) {
		return ' '
	}
	return r
}

// punctFold maps odd spaces, invisible marks, typographic quotes and
// dashes to what they fold to (-1: dropped).
var punctFold = func() map[rune]rune {
	m := map[rune]rune{}
	for to, from := range map[rune]string{
		' ':  "\u3000\u00a0\u2007\u202f",
		-1:   "\u200b\u200c\u200d\ufeff\u00ad",
		'\'': "\u2018\u2019\u201a\u201b\u2032`\u00b4",
		'"':  "\u201c\u201d\u201e\u201f\u2033",
		'-':  "\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
	} {
		for _, r := range from {
			m[r] = to
		}
	}
	return m
}()
