package detect

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// sentence is a span of a paragraph ending in sentence punctuation, split
// into chunks at semicolons, colons, dashes and contrastive conjunctions.
type sentence struct {
	start, end int
	chunks     []chunk
}

// chunk is a clause of a sentence; contrast reports that it opens with a
// contrastive conjunction (it is not read together with the one before).
type chunk struct {
	start, end int
	contrast   bool
	sep        byte // what separates it from the chunk before: ';', ':', '-', ' ', or 0
}

// splitSentences splits a folded paragraph into sentences and chunks.
func (v *vocab) splitSentences(p *para) {
	s := p.f.lower
	start := 0
	flush := func(end int) {
		for start < end && s[start] == ' ' {
			start++
		}
		if start < end {
			p.sents = append(p.sents, sentence{start: start, end: end})
		}
		start = end
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < 0x80 && c != '.' && c != '!' && c != '?' {
			i++ // most bytes cannot end a sentence
			continue
		}
		end, n := v.sentenceEnd(&p.f, i)
		if end < 0 {
			i += n
			continue
		}
		end = closingMarks(s, end)
		flush(end)
		i = end
	}
	flush(len(s))
	for si := range p.sents {
		splitChunks(p, &p.sents[si])
	}
}

// sentenceEnd returns where a sentence ends if the character at i ends
// it (or -1), and the character's length.
func (v *vocab) sentenceEnd(f *folded, i int) (end, n int) {
	s := f.lower
	switch c := s[i]; {
	case c == '!' || c == '?':
		return i + 1, 1
	case c == '.':
		if v.fullStop(f, i) {
			return i + 1, 1
		}
	case c >= 0x80:
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '。' || r == '…' {
			return i + n, n
		}
		return -1, n
	}
	return -1, 1
}

// fullStop reports whether the dot at i ends a sentence: not after an
// abbreviation or an initial, and before a capital, a digit, Chinese or
// the end.
func (v *vocab) fullStop(f *folded, i int) bool {
	s := f.lower
	if i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '"' && s[i+1] != '\'' {
		return false
	}
	w := i
	for w > 0 && (isLatin(s[w-1]) || s[w-1] == '.') {
		w--
	}
	prev := s[w:i]
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '"' || s[j] == '\'') {
		j++
	}
	if j == len(s) {
		return true
	}
	// An initial ("J. Smith", "U.S.") stands alone; "16x." is a number.
	alone := w == 0 || s[w-1] == ' '
	single := alone && len(prev) == 1 || (len(prev) > 1 && prev[len(prev)-2] == '.')
	next := s[j] >= 0x80 || (s[j] >= '0' && s[j] <= '9') || isUpper(f.cased[j])
	return !v.abbrev[prev] && !single && next
}

// closingMarks moves a sentence's end past the closing quotes and
// brackets that stay with it.
func closingMarks(s string, end int) int {
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if !strings.ContainsRune("\"')」』】》!?。", r) {
			break
		}
		end += n
	}
	return end
}

// cut is where a sentence splits into chunks.
type cut struct {
	at       int // where the next chunk starts
	end      int // where the previous chunk ends
	contrast bool
	sep      byte
}

// splitChunks splits a sentence at ; : " - ", a space between two Chinese
// phrases (and, in a headline, any phrases), and before contrastive
// conjunctions.
func splitChunks(p *para, se *sentence) {
	s := p.f.lower
	var cuts []cut
	for i := se.start; i < se.end; i++ {
		if c, ok := punctCut(p, se, i); ok {
			cuts = append(cuts, c)
		}
	}
	for _, c := range p.cuesIn(se.start+1, se.end) {
		if c.c.cls&cContrast == 0 {
			continue
		}
		end := c.start
		for end > se.start && (s[end-1] == ' ' || s[end-1] == ',') {
			end--
		}
		cuts = append(cuts, cut{c.start, end, true, 0})
	}
	slices.SortFunc(cuts, func(a, b cut) int { return a.at - b.at })
	start, contrast, sep := se.start, false, byte(0)
	for _, c := range cuts {
		if c.at <= start {
			continue
		}
		if c.end > start {
			se.chunks = append(se.chunks, chunk{start, c.end, contrast, sep})
		}
		start, contrast, sep = c.at, c.contrast, c.sep
	}
	if start < se.end {
		se.chunks = append(se.chunks, chunk{start, se.end, contrast, sep})
	}
}

// punctCut reports whether byte i of a sentence splits it: a semicolon or
// colon, a spaced dash, a space between Chinese phrases, or a headline's
// space next to Chinese ("微信灰度测试接入DeepSeek 钉钉也已接入").
func punctCut(p *para, se *sentence, i int) (cut, bool) {
	s := p.f.lower
	c := s[i]
	inner := i > se.start && i+1 < se.end
	switch {
	case c == ';' || c == ':':
		return cut{i + 1, i, false, c}, true
	case c == '-' && inner && s[i-1] == ' ' && s[i+1] == ' ':
		return cut{i + 1, i, false, '-'}, true
	case c != ' ' || !inner:
		return cut{}, false
	case s[i-1] < 0x80 && s[i+1] < 0x80 && s[i-1] != '"' && s[i+1] != '"':
		return cut{}, false // a space between Latin words: the common case
	}
	prev, next := lastRune(s, i), nextRune(s, i+1)
	zh := func(r rune) bool { return isHan(r) || r == '"' }
	if zh(prev) && zh(next) {
		return cut{i + 1, i, false, ' '}, true
	}
	if p.idx < 0 && (isHan(prev) || isHan(next)) && s[i-1] != ' ' && s[i+1] != ' ' {
		return cut{i + 1, i, false, ' '}, true
	}
	return cut{}, false
}

// clauseSpan is a clause of a sentence: a run of comma-separated segments
// within one chunk that holds one verb of connecting, testing, halting …
// with the segments that only lead up to it (a date, "据悉", a subject set
// apart by commas) or trail it (an appositive: ", Tencent's wallet").
type clauseSpan struct {
	start, end int
	chunk      int
	contrast   bool
	last       bool // the sentence's last clause
	sub        bool // it only sets the time of what follows ("…后，", "once …,")
	relative   bool // it opens with which, who …: what it says is of a name before
	participle bool // it opens with a participle (extending, allowing): it says more of the clause before
	joins      bool // its chunk goes on from the one before (after a colon, a dash or a headline's space), not a new statement (after a semicolon or a contrast)
}

// clauses splits a sentence into clauses.
func (v *vocab) clauses(p *para, se sentence) []clauseSpan {
	s := p.f.lower
	var out []clauseSpan
	for ci, ch := range se.chunks {
		segs := segments(s, ch.start, ch.end)
		joins := !ch.contrast && (ch.sep == ':' || ch.sep == '-' || ch.sep == ' ')
		lead := -1 // start of segments waiting for their verb
		first := len(out)
		for k, sg := range segs {
			opens := p.hasCue(sg[0], sg[1], openers)
			named := p.hasMention(sg[0], sg[1])
			t := strings.TrimLeft(s[sg[0]:sg[1]], " ")
			switch {
			case opens:
				start := sg[0]
				if lead >= 0 {
					start, lead = lead, -1
				}
				sub := v.subordinate(t, k == len(segs)-1)
				out = append(out, clauseSpan{start: start, end: sg[1], chunk: ci, contrast: ch.contrast, sub: sub, joins: joins,
					relative: start == sg[0] && v.hasPrefixWord("relative_start", t),
					// A participle with no subject of its own before it.
					participle: v.hasPrefixWord("participles", t) && !p.hasMention(start, sg[0])})
			case len(out) == first || !named || v.hasPrefixWord("conjunctions", t) || out[len(out)-1].sub ||
				(isHan(nextRune(t, 0)) && !v.hasPrefixWord("owner_before", t)):
				// Before the chunk's first verb, an adverbial, or a new
				// subject (after a time clause; a Chinese clause opening
				// with a name): it leads up to the next verb.
				if lead < 0 {
					lead = sg[0]
				}
			default:
				out[len(out)-1].end = sg[1] // an appositive
			}
		}
		if lead >= 0 {
			// Trailing segments without a verb: a clause of their own when
			// they name something, else the end of the last clause.
			if len(out) == first || p.hasMention(lead, ch.end) {
				out = append(out, clauseSpan{start: lead, end: ch.end, chunk: ci, contrast: ch.contrast, joins: joins})
			} else {
				out[len(out)-1].end = ch.end
			}
		}
	}
	if len(out) > 0 {
		out[len(out)-1].last = true
	}
	return out
}

// hasCue reports whether [a, b) holds a cue of one of the classes.
func (p *para) hasCue(a, b int, cls class) bool {
	for _, c := range p.cuesIn(a, b) {
		if c.end <= b && c.c.cls&cls != 0 {
			return true
		}
	}
	return false
}

// hasMention reports whether [a, b) names an entity.
func (p *para) hasMention(a, b int) bool {
	lo, hi := p.mentionRange(a, b)
	for i := lo; i < hi; i++ {
		if p.mentions[i].end <= b {
			return true
		}
	}
	return false
}
