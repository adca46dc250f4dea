package detect

import (
	"slices"
	"strings"
)

// Names that only say whose another name is are not participants of what
// the sentence reports: "Alibaba's Taobao", "Alibaba-owned Ele.me",
// 淘宝旗下的淘特, 阿里巴巴旗下二手交易平台闲鱼, "Cainiao, Alibaba Group's
// logistics arm, …", "the giant in the Taobao e-commerce sector, Taote, …",
// "Amap, the navigation app owned by Alibaba, …". The owned name must be of
// the same side and named in the same sentence; a name that is also the
// subject elsewhere in the sentence keeps that other mention.

// owners marks in out the mentions of a sentence (indexes into p.mentions)
// that only name the owner of another name of their side.
func (r *reader) owners(p *para, se sentence, ms []int, out map[int]bool) {
	s := p.f.lower
	segStart := func(i int) int {
		k := strings.LastIndexAny(s[se.start:i], ",;:()") // sentence-relative
		if k < 0 {
			return se.start
		}
		return se.start + k + 1
	}
	segEnd := func(i int) int {
		if k := strings.IndexAny(s[i:se.end], ",;:()"); k >= 0 {
			return i + k
		}
		return se.end
	}
	// hasVerb reports whether [a, b) holds a connecting word: then it is a
	// clause of its own, not a description.
	hasVerb := func(a, b int) bool {
		for _, c := range p.cuesIn(a, b) {
			if c.end <= b && c.c.cls&openers != 0 {
				return true
			}
		}
		return false
	}
	// others reports whether [a, b) names the other side.
	others := func(side, a, b int) bool {
		for _, j := range ms {
			if m := p.mentions[j]; m.side != side && m.start >= a && m.end <= b {
				return true
			}
		}
		return false
	}
	// owned returns a mention of the same side (another entity) in [a, b).
	owned := func(i, a, b int) (int, bool) {
		x := p.mentions[i]
		for _, j := range ms {
			if m := p.mentions[j]; j != i && m.side == x.side && m.entity != x.entity && m.start >= a && m.end <= b {
				return j, true
			}
		}
		return -1, false
	}
	// onlyName reports whether the segment [a, b) is a single name of the
	// side (an appositive's anchor: "Cainiao, …").
	onlyName := func(i, a, b int) bool {
		j, ok := owned(i, a, b)
		if !ok {
			return false
		}
		m := p.mentions[j]
		rest := strings.TrimSpace(s[a:m.start]) + strings.TrimSpace(s[m.end:b])
		for _, w := range r.v.words["appositive_filler"] {
			rest = strings.ReplaceAll(rest, w, "")
		}
		return strings.TrimSpace(rest) == ""
	}
	for _, i := range ms {
		x := p.mentions[i]
		after := s[x.end:se.end]
		modifier := false
		for _, w := range r.v.words["owner_after"] {
			if ownerWordAt(after, w) {
				modifier = true
				break
			}
		}
		if !modifier {
			// "the Taobao e-commerce sector": a generic noun within the
			// next three words; 阿里生态 right after the name.
			modifier = r.v.nounWithin(s[x.end:min(segEnd(x.end), x.end+30)], 3)
			for _, n := range r.v.words["owner_nouns_zh"] {
				modifier = modifier || strings.HasPrefix(after, n)
			}
		}
		if modifier {
			a, b := x.end, segEnd(x.end)
			// The owned name follows in the same phrase: "Alibaba's
			// second-hand platform Xianyu".
			if j, ok := owned(i, a, min(b, a+60)); ok && !hasVerb(a, p.mentions[j].start) && !others(x.side, a, p.mentions[j].start) {
				// Chinese 的 is possessive only right before the name.
				if !strings.HasPrefix(after, "的") || p.mentions[j].start-x.end <= len("的")+9 {
					out[i] = true
					continue
				}
			}
			// An appositive: "Cainiao, Alibaba Group's logistics arm, …"
			// or "the giant in the Taobao sector, Taote, …".
			sa, sb := segStart(x.start), segEnd(x.end)
			if !hasVerb(sa, sb) && !others(x.side, sa, sb) {
				prevOK := sa > se.start && s[sa-1] == ',' && onlyName(i, segStart(sa-1), sa-1)
				nextOK := sb < se.end && s[sb] == ',' && onlyName(i, sb+1, segEnd(sb+1))
				if prevOK || nextOK {
					out[i] = true
					continue
				}
			}
		}
		// "Amap, the navigation app owned by Alibaba": the owned name comes
		// first.
		before := strings.TrimRight(s[se.start:x.start], " ")
		for _, w := range r.v.words["owner_before"] {
			if strings.HasSuffix(before, w) && (!isLatin(w[0]) || len(before) == len(w) || before[len(before)-len(w)-1] == ' ') {
				if _, ok := owned(i, max(se.start, x.start-120), x.start); ok {
					out[i] = true
				}
				break
			}
		}
	}
}

// nounWithin reports whether one of the first n words of s is an owner
// noun.
func (v *vocab) nounWithin(s string, n int) bool {
	for k := 0; k < n; k++ {
		s = strings.TrimLeft(s, " ")
		if s == "" || !isLatin(s[0]) {
			return false
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		w := s[:end]
		if slices.Contains(v.words["owner_nouns"], w) {
			return true
		}
		s = s[end:]
	}
	return false
}

// ownerWordAt reports whether the text after a name opens with an owner
// word: a Latin word after a space ("Alibaba owned"), a possessive or a
// Chinese word right away ("Alibaba's", 淘宝旗下). A word ending in a
// letter must end a word.
func ownerWordAt(after, w string) bool {
	if w == "" {
		return false
	}
	if isLatin(w[0]) {
		if !strings.HasPrefix(after, " ") {
			return false
		}
		after = after[1:]
	}
	if !strings.HasPrefix(after, w) {
		return false
	}
	return !isLatin(w[len(w)-1]) || len(after) == len(w) || after[len(w)] == ' '
}
