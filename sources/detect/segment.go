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
	cased := p.f.cased
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
		c := s[i]
		n := 1
		end := -1
		switch {
		case c == '!' || c == '?':
			end = i + 1
		case c == '.':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '"' || s[i+1] == '\'' {
				w := i
				for w > 0 && (isLatin(s[w-1]) || s[w-1] == '.') {
					w--
				}
				prev := s[w:i]
				j := i + 1
				for j < len(s) && (s[j] == ' ' || s[j] == '"' || s[j] == '\'') {
					j++
				}
				single := len(prev) == 1 || (len(prev) > 1 && prev[len(prev)-2] == '.')
				if j == len(s) || (!slices.Contains(v.words["abbreviations"], prev) && !single && (isUpper(cased[j]) || s[j] >= 0x80 || (s[j] >= '0' && s[j] <= '9'))) {
					end = i + 1
				}
			}
		case c >= 0x80:
			var r rune
			r, n = utf8.DecodeRuneInString(s[i:])
			if r == '。' || r == '…' {
				end = i + n
			}
		}
		if end < 0 {
			i += n
			continue
		}
		// Closing quotes and brackets stay with their sentence.
		for end < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[end:])
			if r2 == '"' || r2 == '\'' || r2 == ')' || r2 == '」' || r2 == '』' || r2 == '】' || r2 == '》' || r2 == '!' || r2 == '?' || r2 == '。' {
				end += n2
				continue
			}
			break
		}
		flush(end)
		i = end
	}
	flush(len(s))
	for si := range p.sents {
		splitChunks(p, &p.sents[si])
	}
}

// splitChunks splits a sentence at ; : " - ", a space between two Chinese
// phrases, and before contrastive conjunctions.
func splitChunks(p *para, se *sentence) {
	s := p.f.lower
	type cut struct {
		at       int // where the next chunk starts
		end      int // where the previous chunk ends
		contrast bool
		sep      byte
	}
	var cuts []cut
	for i := se.start; i < se.end; i++ {
		switch c := s[i]; {
		case c == ';' || c == ':':
			cuts = append(cuts, cut{i + 1, i, false, c})
		case c == '-' && i > se.start && s[i-1] == ' ' && i+1 < se.end && s[i+1] == ' ':
			cuts = append(cuts, cut{i + 1, i, false, '-'})
		case c == ' ' && i > se.start && i+1 < se.end && (s[i-1] >= 0x80 || s[i-1] == '"') && (s[i+1] >= 0x80 || s[i+1] == '"'):
			prev, next := lastRune(s, i), nextRune(s, i+1)
			if (isHan(prev) || prev == '"') && (isHan(next) || next == '"') {
				cuts = append(cuts, cut{i + 1, i, false, ' '})
			}
		case c == ' ' && p.idx < 0 && i > se.start && i+1 < se.end && (isHan(lastRune(s, i)) || isHan(nextRune(s, i+1))) &&
			s[i-1] != ' ' && s[i+1] != ' ':
			// A headline's phrases are set apart by spaces, Latin words
			// too: "微信灰度测试接入DeepSeek 钉钉也已接入".
			cuts = append(cuts, cut{i + 1, i, false, ' '})
		}
	}
	for _, c := range p.cuesIn(se.start+1, se.end) {
		if c.c.cls&cContrast == 0 {
			continue
		}
		at := c.start
		end := at
		for end > se.start && (s[end-1] == ' ' || s[end-1] == ',') {
			end--
		}
		cuts = append(cuts, cut{at, end, true, 0})
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
