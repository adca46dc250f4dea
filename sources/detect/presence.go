package detect

import (
	"slices"
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
type presence struct {
	m     *matcher
	masks []uint64 // per pattern: bit 2*watch+side for every entity it names
	edges []uint8  // per pattern: edgeStart, edgeEnd (a Latin letter or digit there)
	pairs []uint64 // per watch: both of its side bits
}

const (
	edgeStart uint8 = 1 << iota // the name starts with a letter or digit: needs a word boundary before
	edgeEnd                     // the name ends with one: needs a boundary (or a plural "s") after
)

// maxPresenceWatches is how many watches fit in the side bitmask; a
// lexicon with more skips the presence scan.
const maxPresenceWatches = 32

// ringSize holds the last folded bytes, for the boundary before a match.
const ringSize = 64

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
	for _, p := range patterns {
		pr.masks = append(pr.masks, names[p])
		var e uint8
		if isAlnum(p[0]) {
			e |= edgeStart
		}
		if isAlnum(p[len(p)-1]) {
			e |= edgeEnd
		}
		pr.edges = append(pr.edges, e)
	}
	pr.m = newMatcher(patterns)
	for w := 0; w < watches; w++ {
		pr.pairs = append(pr.pairs, 3<<(2*w))
	}
	return pr
}

// presenceScan is the state of one scan.
type presenceScan struct {
	pr     *presence
	state  int
	n      uint // folded bytes read
	ring   [ringSize]byte
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
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			if alnumByte[c] && sc.state == 0 && alnumByte[sc.last] && sc.pend|sc.pendS == 0 {
				// Inside a word with no match under way: no name starts
				// here (feed would skip it too), only the ring moves.
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				sc.last = c
				sc.ring[sc.n%ringSize] = c
				sc.n++
				continue
			}
			switch {
			case c <= ' ' || c == '-' || c == '`':
				if c == '`' {
					sc.feed('\'')
					continue
				}
				sc.feed(' ')
			case 'A' <= c && c <= 'Z':
				sc.feed(c + 'a' - 'A')
			default:
				sc.feed(c)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		r = foldRune(r)
		switch {
		case r < 0:
			continue // dropped: zero-width characters
		case r < utf8.RuneSelf:
			b := byte(r)
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
	inWord := alnum && alnumByte[sc.last]
	sc.last = b
	sc.ring[sc.n%ringSize] = b
	sc.n++
	if inWord && sc.state == 0 {
		// No name starts inside a word, and no match is under way.
		return
	}
	m := sc.pr.m
	if m.delta != nil {
		sc.state = int(m.delta[sc.state*m.nclass+int(m.class[b])])
	} else {
		sc.state = int(m.delta4[sc.state*m.nclass+int(m.class[b])])
	}
	if !m.emits[sc.state] {
		return
	}
	for t := int32(sc.state); t > 0; t = m.states[t].dict {
		p := m.states[t].out
		if p < 0 {
			continue
		}
		mask := sc.pr.masks[p]
		if mask&^sc.seen == 0 {
			continue // nothing new
		}
		e := sc.pr.edges[p]
		if e&edgeStart != 0 {
			if l := uint(m.plen[p]); l < ringSize && sc.n > l && alnumByte[sc.ring[(sc.n-l-1)%ringSize]] {
				continue
			}
		}
		if e&edgeEnd != 0 {
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
