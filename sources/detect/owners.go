package detect

import "strings"

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
	o := ownerScan{v: r.v, p: p, s: p.f.lower, se: se, ms: ms,
		after: r.v.words["owner_after"], before: r.v.words["owner_before"]}
	for _, i := range ms {
		if o.owner(i) {
			out[i] = true
		}
	}
}

// ownerScan looks for owners in one sentence.
type ownerScan struct {
	v             *vocab
	p             *para
	s             string
	se            sentence
	ms            []int
	after, before []string // owner words after and before a name
}

// owner reports whether mention i only says whose another name is.
func (o *ownerScan) owner(i int) bool {
	x := o.p.mentions[i]
	after := o.s[x.end:o.se.end]
	if o.modifier(x, after) {
		// The owned name follows in the same phrase: "Alibaba's
		// second-hand platform Xianyu".
		a, b := x.end, o.segEnd(x.end)
		if j, ok := o.owned(i, a, min(b, a+60)); ok && !o.hasVerb(a, o.p.mentions[j].start) && !o.others(x.side, a, o.p.mentions[j].start) {
			if !o.nearOnly(after) || o.p.mentions[j].start-x.end <= 12 {
				return true
			}
		}
		if o.appositive(i, x) {
			return true
		}
	}
	// "Amap, the navigation app owned by Alibaba": the owned name comes
	// first.
	before := strings.TrimRight(o.s[o.se.start:x.start], " ")
	for _, w := range o.before {
		if strings.HasSuffix(before, w) && (!isLatin(w[0]) || len(before) == len(w) || before[len(before)-len(w)-1] == ' ') {
			_, ok := o.owned(i, max(o.se.start, x.start-120), x.start)
			return ok
		}
	}
	return false
}

// modifier reports whether the words after a name make it a modifier:
// "Alibaba's", 旗下, "the Taobao e-commerce sector" (a generic noun within
// the next three words), 阿里生态.
func (o *ownerScan) modifier(x mention, after string) bool {
	for _, w := range o.after {
		if ownerWordAt(after, w) {
			return true
		}
	}
	if o.v.nounWithin(o.s[x.end:min(o.segEnd(x.end), x.end+30)], 3) {
		return true
	}
	for _, n := range o.v.words["owner_nouns_zh"] {
		if strings.HasPrefix(after, n) {
			return true
		}
	}
	return false
}

// nearOnly reports whether the owner word after a name is possessive only
// right before the owned name (Chinese 的).
func (o *ownerScan) nearOnly(after string) bool {
	for _, w := range o.v.words["owner_after_near"] {
		if strings.HasPrefix(after, w) {
			return true
		}
	}
	return false
}

// appositive reports whether the name sits in an appositive of another
// name of its side: "Cainiao, Alibaba Group's logistics arm, …" or "the
// giant in the Taobao sector, Taote, …".
func (o *ownerScan) appositive(i int, x mention) bool {
	sa, sb := o.segStart(x.start), o.segEnd(x.end)
	if o.hasVerb(sa, sb) || o.others(x.side, sa, sb) {
		return false
	}
	prevOK := sa > o.se.start && o.s[sa-1] == ',' && o.onlyName(i, o.segStart(sa-1), sa-1)
	nextOK := sb < o.se.end && o.s[sb] == ',' && o.onlyName(i, sb+1, o.segEnd(sb+1))
	return prevOK || nextOK
}

func (o *ownerScan) segStart(i int) int {
	if k := strings.LastIndexAny(o.s[o.se.start:i], ",;:()"); k >= 0 {
		return o.se.start + k + 1
	}
	return o.se.start
}

func (o *ownerScan) segEnd(i int) int {
	if k := strings.IndexAny(o.s[i:o.se.end], ",;:()"); k >= 0 {
		return i + k
	}
	return o.se.end
}

// hasVerb reports whether [a, b) holds a connecting word: then it is a
// clause of its own, not a description.
func (o *ownerScan) hasVerb(a, b int) bool { return o.p.hasCue(a, b, openers) }

// others reports whether [a, b) names the other side.
func (o *ownerScan) others(side, a, b int) bool {
	for _, j := range o.ms {
		if m := o.p.mentions[j]; m.side != side && m.start >= a && m.end <= b {
			return true
		}
	}
	return false
}

// owned returns a mention of the same side (another entity) in [a, b).
func (o *ownerScan) owned(i, a, b int) (int, bool) {
	x := o.p.mentions[i]
	for _, j := range o.ms {
		if m := o.p.mentions[j]; j != i && m.side == x.side && m.entity != x.entity && m.start >= a && m.end <= b {
			return j, true
		}
	}
	return -1, false
}

// onlyName reports whether the segment [a, b) is a single name of the
// side (an appositive's anchor: "Cainiao, …").
func (o *ownerScan) onlyName(i, a, b int) bool {
	j, ok := o.owned(i, a, b)
	if !ok {
		return false
	}
	m := o.p.mentions[j]
	rest := strings.TrimSpace(o.s[a:m.start]) + strings.TrimSpace(o.s[m.end:b])
	for _, w := range o.v.words["appositive_filler"] {
		rest = strings.ReplaceAll(rest, w, "")
	}
	return strings.TrimSpace(rest) == ""
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
		if v.ownerNouns[w] {
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
