package detect

import (
	"slices"
	"sort"

	"github.com/wallwatch/worker/sources/dates"
)

// mention is an entity name found in a paragraph.
type mention struct {
	start, end int
	watch      int
	side       int
	entity     int
	weak       bool
	near       bool // a generic name that counts next to a word of a kind
}

// cueHit is a cue phrase found in a paragraph.
type cueHit struct {
	start, end int
	c          *cue
}

// para is one paragraph (or the title) of an article, scanned.
type para struct {
	idx      int // -1 for the title
	text     string
	f        folded
	mentions []mention
	cues     []cueHit
	dates    []dates.Found
	sents    []sentence
	skip     bool // a related-links line or similar, not article text
}

// cuesIn returns the cues starting in [a, b); cues are sorted by start.
func (p *para) cuesIn(a, b int) []cueHit {
	i := sort.Search(len(p.cues), func(k int) bool { return p.cues[k].start >= a })
	j := sort.Search(len(p.cues), func(k int) bool { return p.cues[k].start >= b })
	return p.cues[i:max(i, j)]
}

// mentionRange returns the index range of the mentions starting in [a, b).
func (p *para) mentionRange(a, b int) (int, int) {
	i := sort.Search(len(p.mentions), func(k int) bool { return p.mentions[k].start >= a })
	j := sort.Search(len(p.mentions), func(k int) bool { return p.mentions[k].start >= b })
	return i, max(i, j)
}

// datesIn returns the dates starting in [a, b).
func (p *para) datesIn(a, b int) []dates.Found {
	i := sort.Search(len(p.dates), func(k int) bool { return p.dates[k].Start >= a })
	j := sort.Search(len(p.dates), func(k int) bool { return p.dates[k].Start >= b })
	return p.dates[i:max(i, j)]
}

// payload is what a pattern of the matcher stands for.
type payload struct {
	isEntity bool
	watch    int
	side     int
	entity   int
	weak     bool
	near     bool   // with weak: also counts next to a word of a kind
	stop     bool   // a stop phrase: it takes its span but names nothing
	exact    string // the cased form that must match, when case-sensitive
	stem     bool   // a cue matching any word ending
	cue      int    // index into Detector.cues
}

// rawMatch is a pattern match in a paragraph before the longest match is
// chosen.
type rawMatch struct {
	start, end int
	pl         *payload
}

// scanBufs are scanPara's lists of matches, kept from one paragraph of an
// article to the next.
type scanBufs struct {
	ents, cues []rawMatch
}

// scanPara finds the mentions and cues of a paragraph.
func (d *Detector) scanPara(p *para) { d.scanParaWith(p, &scanBufs{}) }

// scanParaWith is scanPara with its match lists in bufs.
func (d *Detector) scanParaWith(p *para, bufs *scanBufs) {
	s := p.f.lower
	ents, cues := bufs.ents[:0], bufs.cues[:0]
	d.m.scan(s, func(start, end int, pid int32) {
		for i := range d.payloads[pid] {
			pl := &d.payloads[pid][i]
			e, ok := boundary(s, start, end, pl.stem, pl.isEntity)
			if !ok {
				continue
			}
			if pl.exact != "" && p.f.cased[start:end] != pl.exact {
				continue
			}
			if pl.isEntity {
				ents = append(ents, rawMatch{start, e, pl})
			} else {
				cues = append(cues, rawMatch{start, e, pl})
			}
		}
	})
	// Longest match wins, leftmost first; a name shared by several watches
	// keeps all its entities.
	sortRaw := func(rs []rawMatch) {
		slices.SortStableFunc(rs, func(a, b rawMatch) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return (b.end - b.start) - (a.end - a.start)
		})
	}
	// Longest match wins, leftmost first, within each watch: the watches
	// read the text independently (one may know "WeChat Moments", another
	// only "WeChat" and "Moments").
	sortRaw(ents)
	for w := range d.watches {
		last := -1
		for _, r := range ents {
			if r.pl.watch != w || r.start < last {
				continue
			}
			last = r.end
			if r.pl.stop {
				continue // 大麦茶: the name inside is not one
			}
			m := mention{start: r.start, end: r.end, watch: w, side: r.pl.side, entity: r.pl.entity, weak: r.pl.weak, near: r.pl.near}
			p.mentions = append(p.mentions, m)
		}
	}
	slices.SortStableFunc(p.mentions, func(a, b mention) int { return a.start - b.start })
	sortRaw(cues)
	last := -1
	mi := 0
	for _, r := range cues {
		if r.start < last {
			continue
		}
		for mi < len(p.mentions) && p.mentions[mi].end <= r.start {
			mi++
		}
		if mi < len(p.mentions) && p.mentions[mi].start < r.end {
			continue // inside a name: "pay" in WeChat Pay
		}
		p.cues = append(p.cues, cueHit{r.start, r.end, &d.cues[r.pl.cue]})
		last = r.end
	}
	if len(p.cues) > 0 && p.cues[0].start == 0 && p.cues[0].c.cls&cSkipLine != 0 {
		p.skip = true
	}
	bufs.ents, bufs.cues = ents, cues
}

// boundary checks that a match of a Latin pattern starts and ends on word
// boundaries; an entity may take a plural "s".
func boundary(s string, start, end int, stem, entity bool) (int, bool) {
	if isAlnum(s[start]) && start > 0 && isAlnum(s[start-1]) {
		return 0, false
	}
	if stem {
		for end < len(s) && isLatin(s[end]) {
			end++
		}
		return end, true
	}
	if isAlnum(s[end-1]) && end < len(s) && isAlnum(s[end]) {
		if entity && isLatin(s[end-1]) && s[end] == 's' && (end+1 == len(s) || !isAlnum(s[end+1])) {
			return end + 1, true
		}
		return 0, false
	}
	return end, true
}

// segments splits [start, end) at commas.
func segments(s string, start, end int) [][2]int {
	var out [][2]int
	a := start
	for i := start; i < end; i++ {
		if s[i] == ',' {
			if i > a {
				out = append(out, [2]int{a, i})
			}
			a = i + 1
		}
	}
	if end > a {
		out = append(out, [2]int{a, end})
	}
	return out
}
