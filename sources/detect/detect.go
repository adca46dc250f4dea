// Package detect finds interconnection events in an article: a platform of
// one watched company (Alibaba by default) opening to, connecting with or
// being blocked from a platform of the other (Tencent).
//
// Detection is pure: it reads the article's title, text and publication
// date, and the embedded lexicon, and nothing else (English, simplified and
// traditional Chinese are read alike, whatever the article's language). It
// works on cue words: entity names from the lexicon (longest match wins),
// interconnection predicates, kinds (payment, advertising, links …), stages
// (announced, testing, launched, expanded, halted), negation, hedges,
// conditions, questions and dates, all compiled once into one Aho–Corasick
// automaton in New.
//
// Most articles name no entity of one side or the other; one scan of the
// raw text tells, and they cost nothing more. The others are split into
// sentences and clauses; a clause naming entities of both sides of a watch
// with a connecting verb is a statement. Names that only say whose another
// name is ("Alibaba's Taobao", 淘宝旗下的淘特) and wallets that were there
// before ("next to Alipay") are not participants. Statements in the title
// and opening paragraphs (or marked as recent further down) are the
// article's news — its headline events, merged per development; statements
// dated months before publication or marked as history ("since", 此前) are
// background.
package detect

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
)

// Detector finds interconnection events in articles. It is safe for
// concurrent use.
type Detector struct {
	watches  []watchInfo
	m        *matcher
	payloads [][]payload
	cues     []cue
	pres     *presence // nil: every article is read in full
}

type watchInfo struct {
	pair    sources.Pair
	names   [2][]string // canonical entity names by side; index 0 is the company
	anchors [2][]anchor
	payEnt  [2]int // the side's payment entity ("WeChat Pay"), or -1
}

// anchor is the kind an entity implies by itself (WeChat Pay → payment).
type anchor struct {
	kind sources.Kind
	w    float32
}

// builtinAnchors gives the kind of entities whose names carry no cue word.
// Mini programs are often only where an ad or a payment happens, and
// Moments and Channels are mostly where ads run: they weigh little.
var builtinAnchors = map[string]anchor{
	"Alipay": {kPayment, 1}, "Alimama": {kAdvertising, 1}, "DingTalk": {kWorkplace, 1}, "WeCom": {kWorkplace, 1},
	"Cainiao": {kLogistics, 1}, "Tencent Meeting": {kWorkplace, 1}, "WeChat Pay": {kPayment, 1},
	"Tencent Ads": {kAdvertising, 1}, "WeChat Mini Programs": {kMiniProgram, 0.2},
	"Moments": {kAdvertising, 0.3}, "WeChat Channels": {kAdvertising, 0.3},
}

// New compiles a detector for the lexicon's watches.
func New(l *Lexicon) *Detector {
	d := &Detector{}
	index := map[string]int{}
	var patterns []string
	add := func(key string, pl payload) {
		if key == "" {
			return
		}
		id, ok := index[key]
		if !ok {
			id = len(patterns)
			index[key] = id
			patterns = append(patterns, key)
			d.payloads = append(d.payloads, nil)
		}
		d.payloads[id] = append(d.payloads[id], pl)
	}
	// Cues: one cue per phrase, meanings of repeated phrases merged.
	cueAt := map[string]int{}
	for _, spec := range cueSpecs {
		for _, w := range cueWords(spec.words) {
			stem := strings.HasSuffix(w, "*")
			w = strings.TrimSuffix(w, "*")
			key := foldString(w)
			if stem {
				key += "*"
			}
			if i, ok := cueAt[key]; ok {
				d.cues[i].merge(spec.cue)
				continue
			}
			cueAt[key] = len(d.cues)
			d.cues = append(d.cues, spec.cue)
		}
	}
	for key, i := range cueAt {
		stem := strings.HasSuffix(key, "*")
		add(strings.TrimSuffix(key, "*"), payload{stem: stem, cue: i})
	}
	present := map[string]uint64{} // names that make a side present
	for wi, w := range l.watches {
		info := watchInfo{pair: sources.Pair{A: w.Sides[0].Key, B: w.Sides[1].Key}, payEnt: [2]int{-1, -1}}
		for si, s := range w.Sides {
			for ei, e := range s.Entities {
				info.names[si] = append(info.names[si], e.Name)
				// An alias spelled like the canonical name with markers
				// ("=~Moments") sets how the canonical name matches.
				all := e.Aliases
				key := foldString(e.Name)
				if !slices.ContainsFunc(e.Aliases, func(a string) bool { return aliasKey(a) == key }) {
					all = append([]string{e.Name}, e.Aliases...)
				}
				for _, name := range all {
					a := parseAlias(name)
					f := foldText(a.text)
					pl := payload{isEntity: true, watch: wi, side: si, entity: ei, weak: a.weak, near: a.near, stop: a.stop}
					if a.exact {
						pl.exact = f.cased
					}
					add(f.lower, pl)
					if (!a.weak || a.near) && !a.stop && f.lower != "" && wi < maxPresenceWatches {
						present[f.lower] |= 1 << (2*wi + si)
					}
				}
			}
		}
		d.watches = append(d.watches, info)
	}
	// Keep the payload order stable across runs (cue map iteration is not).
	for _, pls := range d.payloads {
		slices.SortStableFunc(pls, func(a, b payload) int {
			if a.isEntity != b.isEntity {
				if a.isEntity {
					return -1
				}
				return 1
			}
			return a.cue - b.cue
		})
	}
	d.m = newMatcher(patterns)
	d.pres = newPresence(present, len(d.watches))
	for wi := range d.watches {
		info := &d.watches[wi]
		for si := range info.names {
			info.anchors[si] = make([]anchor, len(info.names[si]))
			for ei, name := range info.names[si] {
				an, ok := builtinAnchors[name]
				if !ok {
					an = anchor{d.kindOfName(name), 1}
					if an.kind == kMiniProgram {
						an.w = 0.2
					}
				}
				if an.kind == "" {
					continue
				}
				k := an.kind
				info.anchors[si][ei] = an
				if k == kPayment && info.payEnt[si] < 0 && ei > 0 {
					info.payEnt[si] = ei
				}
			}
		}
	}
	return d
}

// kindOfName returns the kind a name's own words imply ("Douyin Pay").
func (d *Detector) kindOfName(name string) sources.Kind {
	p := &para{f: foldText(name)}
	d.scanCuesOnly(p)
	var best sources.Kind
	var bw float32
	for _, c := range p.cues {
		if c.c.kindW > bw {
			best, bw = c.c.kind, c.c.kindW
		}
	}
	if bw < 1 {
		return ""
	}
	return best
}

// scanCuesOnly finds cues in a paragraph, ignoring entity names.
func (d *Detector) scanCuesOnly(p *para) {
	s := p.f.lower
	d.m.scan(s, func(start, end int, pid int32) {
		for i := range d.payloads[pid] {
			pl := &d.payloads[pid][i]
			if pl.isEntity {
				continue
			}
			if e, ok := boundary(s, start, end, pl.stem, false); ok {
				p.cues = append(p.cues, cueHit{start, e, &d.cues[pl.cue]})
			}
		}
	})
}

// Limits that keep a pathological page cheap.
const (
	maxParagraphs = 400
	maxParaBytes  = 8000
)

// Detect returns the interconnection events of the article, headline events
// first. Relative dates ("on Tuesday", "8月19日", "last month") are resolved
// against the publication date, or now when the article has none.
func (d *Detector) Detect(a sources.Article, now time.Time) []sources.Event {
	// Most articles name no entity of one side or the other: one scan
	// tells, before anything else is read.
	if !d.mayConnect(a.Title, a.Text) {
		return nil
	}
	ref := a.Published
	if ref.IsZero() {
		ref = now
	}
	paras := d.prepare(a)
	if len(paras) == 0 {
		return nil
	}
	st := &dateState{ref: ref}
	for _, p := range paras {
		if !p.skip {
			p.dates = findDates(p.f, st)
			p.dropCuesInDates()
		}
	}
	d.resolveWeak(paras)
	// Sentences matter where names are, and right after (a sentence that
	// only refers back: "The arrangement is a trial for now").
	for i, p := range paras {
		if !p.skip && (len(p.mentions) > 0 || (i > 0 && len(paras[i-1].mentions) > 0)) {
			splitSentences(p)
		}
	}
	prior := d.kindPrior(paras)
	ar := &articleRun{d: d, paras: paras, prior: prior, ref: ref}
	for wi := range d.watches {
		ar.watch = wi
		ar.last = nil
		ar.titleKinds = nil
		for pi, p := range paras {
			if p.skip {
				continue
			}
			for si := range p.sents {
				ar.sentence(pi, si)
			}
		}
	}
	if len(ar.cands) == 0 {
		return nil
	}
	ageRef := sources.DateOf(a.Published)
	if a.Published.IsZero() {
		ageRef = sources.Date{}
		for _, c := range ar.cands {
			if !c.date.IsZero() && c.date.Start(time.UTC).Before(now) && dateAfter(c.date, ageRef) {
				ageRef = c.date
			}
		}
		if ageRef.IsZero() {
			ageRef = sources.DateOf(now)
		}
	}
	return d.assemble(ar.cands, ageRef, !a.Published.IsZero(), sources.DateOf(ref))
}

// prepare splits the article into the title and its paragraphs, folded and
// scanned.
func (d *Detector) prepare(a sources.Article) []*para {
	var paras []*para
	addPara := func(idx int, text string) {
		if len(text) > maxParaBytes {
			cut := maxParaBytes
			for cut > 0 && !utf8RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut]
		}
		p := &para{idx: idx, text: text, f: foldText(text)}
		if p.f.lower == "" {
			return
		}
		d.scanPara(p)
		paras = append(paras, p)
	}
	title := strings.TrimSpace(a.Title)
	if title != "" {
		addPara(-1, title)
		if len(paras) > 0 {
			paras[0].skip = false
		}
	}
	n := 0
	for line := range strings.SplitSeq(a.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || (n == 0 && line == title) {
			continue
		}
		if n >= maxParagraphs {
			break
		}
		addPara(n, line)
		if len(paras) > 0 && paras[len(paras)-1].idx == n && !isProse(line) {
			// A short line without sentence punctuation is a subheading,
			// a caption or a related link the parser let through.
			paras[len(paras)-1].skip = true
		}
		n++
	}
	return paras
}

// isProse reports whether a line of text reads as a paragraph: long, or
// ending like a sentence.
func isProse(line string) bool {
	if len(line) >= 150 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, " "))
	return strings.ContainsRune("。！？.!?\"”)）…'’」』", r)
}

// dropCuesInDates forgets cue words that are part of a date ("in May").
func (p *para) dropCuesInDates() {
	if len(p.dates) == 0 {
		return
	}
	p.cues = slices.DeleteFunc(p.cues, func(c cueHit) bool {
		if c.c.flags&(fRecent|fBg|fBgWeak) != 0 {
			return false
		}
		for _, d := range p.dates {
			if c.start < d.end && d.start < c.end {
				return true
			}
		}
		return false
	})
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// resolveWeak drops generic names ("mini programs", 朋友圈) that have no
// other name of their side in the same or the previous paragraph (the title
// counts for the first paragraph, the first paragraph for the title). A
// generic name marked "+" also stays right next to a word of a kind: "在朋友
// 圈投放广告", "ads in Moments".
func (d *Detector) resolveWeak(paras []*para) {
	strong := func(p *para, w, side int) bool {
		for _, m := range p.mentions {
			if !m.weak && m.watch == w && m.side == side {
				return true
			}
		}
		return false
	}
	for i, p := range paras {
		kept := p.mentions[:0]
		for _, m := range p.mentions {
			if m.weak {
				ok := strong(p, m.watch, m.side)
				if !ok && i > 0 {
					ok = strong(paras[i-1], m.watch, m.side)
				}
				if !ok && p.idx < 0 && i+1 < len(paras) {
					ok = strong(paras[i+1], m.watch, m.side)
				}
				if !ok && m.near {
					ok = p.kindWordNear(m)
				}
				if !ok {
					continue
				}
			}
			kept = append(kept, m)
		}
		p.mentions = kept
	}
}

// nearWindow is how close a word of a kind must be to a generic name marked
// "+": about eight Chinese characters or four English words.
const nearWindow = 24

// kindWordNear reports whether a word of advertising, links or payment sits
// right before or after the mention, within the same clause.
func (p *para) kindWordNear(m mention) bool {
	s := p.f.lower
	for _, c := range p.cuesIn(max(0, m.start-nearWindow-40), m.end+nearWindow) {
		if c.c.kindW < 1 || (c.c.kind != kAdvertising && c.c.kind != kLinks && c.c.kind != kPayment) {
			continue
		}
		var gap string
		switch {
		case c.end <= m.start:
			gap = s[c.end:m.start]
		case c.start >= m.end:
			gap = s[m.end:c.start]
		default:
			continue
		}
		if len(gap) <= nearWindow && !strings.ContainsAny(gap, ",.;:!?\"()") && !strings.Contains(gap, "。") {
			return true
		}
	}
	return false
}

// kindPrior is the share of each kind among the article's cue words, the
// title counting double: what the article is about, used when a sentence
// says nothing of its kind.
func (d *Detector) kindPrior(paras []*para) map[sources.Kind]float32 {
	out := map[sources.Kind]float32{}
	var total float32
	for _, p := range paras {
		if p.skip {
			continue
		}
		mult := float32(1)
		if p.idx < 0 {
			mult = 2
		}
		for _, c := range p.cues {
			if c.c.kindW > 0 {
				out[c.c.kind] += c.c.kindW * mult
				total += c.c.kindW * mult
			}
		}
		for _, m := range p.mentions {
			if an := d.watches[m.watch].anchors[m.side][m.entity]; an.kind != "" {
				out[an.kind] += an.w * mult
				total += an.w * mult
			}
		}
	}
	if total > 0 {
		for k := range out {
			out[k] /= total
		}
	}
	return out
}

// dateAfter reports whether a is later than b (b may be zero).
func dateAfter(a, b sources.Date) bool {
	if b.IsZero() {
		return true
	}
	return a.Start(time.UTC).After(b.Start(time.UTC))
}
