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

	// The automaton over raw ASCII bytes (see compileRaw): per state and
	// raw class, the next state times nraw (the start of its row), flagged
	// where a name ends or where the byte is not ASCII.
	raw      []uint32
	rawClass [256]uint8
	nraw     int
	lower    [128]byte // per ASCII byte: the byte it folds to
	stay3    []uint64  // per three-byte rune: set when it folds to a character that cannot start a name
}

// The states of the raw automaton are those of the matcher, where the
// root stands for the root after anything but a letter, digit or space,
// and two more: the root after a space and the root after a letter or
// digit. A state other than the root knows what it read last (the byte
// its names' prefix ends with).
const (
	rawFlag = 1 << 30 // a name ends at the state: the scan looks at it
	rawExit = 1 << 31 // not ASCII: fold reads it
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
	pr.compileRaw()
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

// compileRaw builds the automaton over raw ASCII bytes, which folds them
// and marks word starts as it reads them, and the table of three-byte
// characters that cannot start a name.
func (pr *presence) compileRaw() {
	m := pr.m
	pr.stay3 = make([]uint64, 0x10000/64)
	var buf [utf8.UTFMax]byte
	for r := rune(0x800); r <= 0xFFFF; r++ {
		f := foldRune(r)
		if f < 0x800 || !utf8.ValidRune(r) {
			continue // dropped, folded to ASCII, or a surrogate
		}
		n := utf8.EncodeRune(buf[:], f)
		s := 0
		for _, b := range buf[:n] {
			s = m.next(s, b)
		}
		if s == 0 {
			pr.stay3[r/64] |= 1 << (r % 64)
		}
	}
	n := len(m.states)
	// Each state's label: the byte read last on the way to it.
	label := make([]byte, n+2)
	label[n], label[n+1] = ' ', 'a'
	for s := range n {
		for b := range 256 {
			if t := m.next(s, byte(b)); t != 0 {
				label[t] = byte(b)
			}
		}
	}
	label[0] = '.'
	// Raw classes: ASCII bytes that fold to bytes alike for the automaton.
	type key struct {
		class uint16
		kind  uint8
	}
	reps := []byte{0} // a folded byte standing for each class; 0 is for non-ASCII bytes
	ids := map[key]uint8{}
	for c := range 128 {
		f := foldASCII(byte(c))
		pr.lower[c] = f
		k := key{m.class[f], byteKind(f)}
		id, ok := ids[k]
		if !ok {
			id = uint8(len(reps))
			ids[k] = id
			reps = append(reps, f)
		}
		pr.rawClass[c] = id
	}
	pr.nraw = len(reps)
	if (n+2)*pr.nraw >= rawFlag {
		return // too big: every byte goes through fold
	}
	pr.raw = make([]uint32, (n+2)*pr.nraw)
	for cs := range n + 2 {
		row := pr.raw[cs*pr.nraw : (cs+1)*pr.nraw]
		row[0] = rawExit
		for rc, f := range reps[1:] {
			row[rc+1] = pr.rawStep(cs, label[cs], f)
		}
	}
}

// rawStep is the raw automaton's move from state cs, whose label is last,
// on the folded byte f.
func (pr *presence) rawStep(cs int, last, f byte) uint32 {
	m := pr.m
	n := len(m.states)
	if f == ' ' && last == ' ' {
		return uint32(cs * pr.nraw) // runs of spaces are one
	}
	s := cs
	if s >= n {
		s = 0
	}
	if alnumByte[f] && !alnumByte[last] {
		s = m.next(s, wordMark)
	}
	s = m.next(s, f)
	switch {
	case s == 0:
		return uint32(pr.rootAfter(f) * pr.nraw)
	case m.emits[s]:
		return uint32(s*pr.nraw) | rawFlag
	}
	return uint32(s * pr.nraw)
}

// rootAfter is the raw automaton's root state after the folded byte b.
func (pr *presence) rootAfter(b byte) int {
	switch byteKind(b) {
	case kindSpace:
		return len(pr.m.states)
	case kindAlnum:
		return len(pr.m.states) + 1
	}
	return 0
}

const (
	kindOther uint8 = iota
	kindSpace
	kindAlnum
)

func byteKind(b byte) uint8 {
	switch {
	case b == ' ':
		return kindSpace
	case alnumByte[b]:
		return kindAlnum
	}
	return kindOther
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

// run reads src from i through the raw automaton while no match waits
// for the byte after it, passing at the root over the three-byte
// characters that cannot start a name. It returns where it stopped: at
// the end, at a character it leaves to fold, or after a match that waits.
func (sc *presenceScan) run(src string, i int) int {
	pr := sc.pr
	if pr.raw == nil {
		return i
	}
	nc := pr.nraw
	roots := len(pr.m.states) * nc // the rows of the two extra roots start here
	cs := sc.state * nc            // the start of the state's row
	if cs == 0 {
		cs = pr.rootAfter(sc.last) * nc
	}
	start := i
	raw, cls, stay3 := pr.raw, &pr.rawClass, pr.stay3
	for i < len(src) {
		v := raw[cs+int(cls[src[i]])]
		if v&(rawFlag|rawExit) == 0 {
			cs = int(v)
			i++
			continue
		}
		if v&rawExit != 0 {
			// A character of three bytes at the root (CJK, full-width
			// forms, punctuation), decoded here when it needs no checks.
			c := src[i]
			if cs != 0 && cs < roots || c < 0xE1 || c == 0xED || c > 0xEF || i+2 >= len(src) {
				break
			}
			c1, c2 := src[i+1], src[i+2]
			if c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
				break
			}
			r := uint(c&0x0F)<<12 | uint(c1&0x3F)<<6 | uint(c2&0x3F)
			if stay3[r/64]&(1<<(r%64)) == 0 {
				break // it may start a name
			}
			cs = 0
			i += 3
			continue
		}
		cs = int(v &^ rawFlag)
		i++
		sc.state, sc.last = cs/nc, pr.lower[src[i-1]]
		sc.match()
		if sc.pend != 0 || sc.paired {
			return i
		}
	}
	if cs >= roots {
		cs = 0
	}
	sc.state = cs / nc
	if i > start {
		sc.last = 0x80 // the last byte of a multi-byte character: no letter, no space
		if b := src[i-1]; b < utf8.RuneSelf {
			sc.last = pr.lower[b]
		}
	}
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
