package detect

import "strings"

// Names that only say whose another name is are not participants of what
// the sentence reports: "Alibaba's Taobao", "Alibaba-owned Ele.me",
// 淘宝旗下的淘特, 阿里巴巴旗下二手交易平台闲鱼, "Cainiao, Alibaba Group's
// logistics arm, …", "the giant in the Taobao e-commerce sector, Taote, …",
// "Amap, the navigation app owned by Alibaba, …". The owned name must be of
// the same side and named in the same sentence; a name that is also the
// subject elsewhere in the sentence keeps that other mention.

// ownerAfter lists what follows an owner's name and points ahead to what
// it owns.
var ownerAfter = []string{
	"'s ", "' ", " owned ", " backed ", " controlled ", " run ", " operated ", " affiliated ",
	"旗下的", "旗下", "集团旗下", "系的", "的",
}

// ownerNouns are words that make a name a modifier of the phrase it is in:
// "the Taobao e-commerce sector", "the Alibaba ecosystem"; ownerNounsZh
// the same right after a Chinese name: 阿里生态.
var (
	ownerNouns   = []string{"sector", "ecosystem", "system", "camp", "family", "empire", "universe", "stable", "group's", "umbrella"}
	ownerNounsZh = []string{"生态", "体系", "阵营", "系统"}
)

// ownerBefore lists what comes right before an owner's name and points back
// to what it owns: "Amap, the navigation app owned by Alibaba".
var ownerBefore = []string{
	" owned by ", " backed by ", " controlled by ", " run by ", " operated by ", " part of ", " unit of ",
	" arm of ", " subsidiary of ", " affiliate of ", " division of ", " spun off from ", " spin off of ",
	"隶属于", "属于",
}

// owners marks in out the mentions of a sentence (indexes into p.mentions)
// that only name the owner of another name of their side.
func (ar *articleRun) owners(p *para, se sentence, ms []int, out map[int]bool) {
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
			if c.end <= b && c.c.conn >= 0.6 {
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
		for _, w := range []string{"now", "the", "app", "and", "also", "meanwhile"} {
			rest = strings.ReplaceAll(rest, w, "")
		}
		return strings.TrimSpace(rest) == ""
	}
	for _, i := range ms {
		x := p.mentions[i]
		after := s[x.end:se.end]
		modifier := false
		for _, w := range ownerAfter {
			if strings.HasPrefix(after, w) {
				modifier = true
				break
			}
		}
		if !modifier {
			// "the Taobao e-commerce sector": a generic noun within the
			// next three words; 阿里生态 right after the name.
			modifier = nounWithin(s[x.end:min(segEnd(x.end), x.end+30)], 3)
			for _, n := range ownerNounsZh {
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
		before := s[se.start:x.start]
		if !strings.HasSuffix(before, " ") && !strings.HasSuffix(before, "于") {
			continue // every word of ownerBefore ends so
		}
		for _, w := range ownerBefore {
			if strings.HasSuffix(before, w) {
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
func nounWithin(s string, n int) bool {
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
		for _, o := range ownerNouns {
			if w == o {
				return true
			}
		}
		s = s[end:]
	}
	return false
}
