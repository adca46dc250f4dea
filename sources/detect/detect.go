// Package detect finds interconnection events in an article: a platform of
// one watched company (Alibaba by default) opening to, connecting with or
// being blocked from a platform of the other (Tencent).
//
// Detection is pure: it reads the article's title, text and publication
// date, the embedded lexicon (lexicon.yaml: the watches and every name of
// their entities) and the embedded cue vocabulary (cues.yaml: per
// language, the words of kinds, connection, modality, scope, halts,
// expansion, negation and time, and the decision table), and nothing else.
// English, simplified and traditional Chinese are read alike.
//
// Most articles name no entity of one side or the other; one scan of the
// raw text tells, and they cost nothing more. The others go through the
// clause model, one named step each:
//
//   - segment: the title and paragraphs are split into sentences (with
//     abbreviations), sentences into chunks at semicolons, colons, dashes
//     and contrast words (but, while, 但, 而, 不过), chunks into clauses: a
//     run of comma-separated segments around one verb of connecting,
//     testing, halting …, with the segments that lead up to it;
//   - names: the lexicon's names in each clause, less those that only say
//     whose another name is ("Alibaba's Taobao", 淘宝旗下的淘特), those set
//     aside ("next to Alipay", 除支付宝外) and channels (a product announced
//     through a WeChat official account);
//   - cues: every cue word of the clause, each with its classes;
//   - frame: the clause's sides (borrowed from the clause before, or from
//     the sentence before when the clause goes on about it: "The app now
//     accepts WeChat Pay"), its kind (kind words, and the kinds names stand
//     for), its features (the cue classes and a few derived ones: negated,
//     hedged, some users, a halt lifted, named only as a list …), its date;
//   - stage: the first row of the decision table in cues.yaml whose
//     features the frame has — halted before announced (planned, consulted,
//     rumoured, asked for) before testing (trial, some users, batches)
//     before expanded before launched; a row may say the clause reports no
//     event (negated, conditional, a question, speculation, rivalry, a
//     regulator's order, the two sides each connecting to a third party);
//   - events: frames of one development are merged (same kind, entities
//     that overlap); the headline events are those of the title and the
//     opening paragraphs (or marked as recent further down), the others —
//     dated months before publication or marked as history ("since",
//     "11 years ago", 此前) — are background. A launch of what the article
//     says was live before is an expansion; the first full launch after a
//     trial is a launch.
//
// A new cue, a new watch pair or another language is data: a line of
// cues.yaml or lexicon.yaml.
package detect

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/dates"
)

// Detector finds interconnection events in articles. It is safe for
// concurrent use.
type Detector struct {
	v        *vocab
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
	// The side's entity standing for a kind (WeChat Mini Programs for
	// mini_program), by kind, when there is one.
	kindEnt [2]map[sources.Kind]int
}

// New compiles a detector for the lexicon's watches and the embedded cue
// vocabulary.
func New(l *Lexicon) *Detector {
	d := &Detector{v: defaultVocab()}
	b := &patternSet{index: map[string]int{}}
	keys := make([]string, 0, len(d.v.phrases))
	for key := range d.v.phrases {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		d.cues = append(d.cues, d.v.phrases[key])
		stem := strings.HasSuffix(key, "*")
		b.add(strings.TrimSuffix(key, "*"), payload{stem: stem, cue: len(d.cues) - 1})
	}
	present := map[string]uint64{} // names that make a side present
	for wi, w := range l.watches {
		d.watches = append(d.watches, d.addWatch(b, wi, w, present))
	}
	for _, pls := range b.payloads {
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
	d.payloads = b.payloads
	d.m = newMatcher(b.patterns)
	d.pres = newPresence(present, len(d.watches))
	for wi := range d.watches {
		d.setAnchors(&d.watches[wi])
	}
	return d
}

// patternSet collects the matcher's patterns and what each stands for.
type patternSet struct {
	index    map[string]int
	patterns []string
	payloads [][]payload
}

func (b *patternSet) add(key string, pl payload) {
	if key == "" {
		return
	}
	id, ok := b.index[key]
	if !ok {
		id = len(b.patterns)
		b.index[key] = id
		b.patterns = append(b.patterns, key)
		b.payloads = append(b.payloads, nil)
	}
	b.payloads[id] = append(b.payloads[id], pl)
}

// addWatch adds the names of a watch's entities to the patterns.
func (d *Detector) addWatch(b *patternSet, wi int, w sources.Watch, present map[string]uint64) watchInfo {
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
				b.add(f.lower, pl)
				if (!a.weak || a.near) && !a.stop && f.lower != "" && wi < maxPresenceWatches {
					present[f.lower] |= 1 << (2*wi + si)
				}
			}
		}
	}
	return info
}

// setAnchors gives each entity the kind it stands for: from cues.yaml's
// anchors, else from the words of its name ("Douyin Pay").
func (d *Detector) setAnchors(info *watchInfo) {
	for si := range info.names {
		info.anchors[si] = make([]anchor, len(info.names[si]))
		for ei, name := range info.names[si] {
			an, ok := d.v.anchors[name]
			if !ok {
				an = d.kindOfName(name)
			}
			info.anchors[si][ei] = an
			if an.ofApp && ei > 0 {
				if info.kindEnt[si] == nil {
					info.kindEnt[si] = map[sources.Kind]int{}
				}
				if _, ok := info.kindEnt[si][an.kind]; !ok {
					info.kindEnt[si][an.kind] = ei
				}
			}
			if an.kind == kPayment && an.tier >= 2 && info.payEnt[si] < 0 && ei > 0 {
				info.payEnt[si] = ei
			}
		}
	}
}

// kindOfName returns the kind a name's own words imply ("Douyin Pay").
func (d *Detector) kindOfName(name string) anchor {
	p := &para{f: foldText(name)}
	d.scanCuesOnly(p)
	var best anchor
	for _, c := range p.cues {
		if c.c.tier > best.tier {
			best = anchor{kind: c.c.kind, tier: c.c.tier}
		}
	}
	if best.tier < 2 {
		return anchor{}
	}
	if best.kind == kMiniProgram {
		best.tier = 1
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
	return d.detect(a, now, nil)
}

// detect is Detect; with trace set, it also records every decision.
func (d *Detector) detect(a sources.Article, now time.Time, trace *[]decision) []sources.Event {
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
	dr := &dates.Reader{Ref: ref}
	for _, p := range paras {
		if !p.skip {
			p.dates = dr.Read(p.f.lower, p.f.cased)
			p.dropCuesInDates()
		}
	}
	d.resolveWeak(paras)
	// Sentences matter where names are, and right after (a sentence that
	// only refers back: "The arrangement is a trial for now").
	for i, p := range paras {
		if !p.skip && (len(p.mentions) > 0 || (i > 0 && len(paras[i-1].mentions) > 0)) {
			d.v.splitSentences(p)
		}
	}
	r := &reader{d: d, v: d.v, paras: paras, prior: d.kindPrior(paras), ref: sources.DateOf(ref), trace: trace}
	r.denied = paras[0].idx < 0 && paras[0].hasCue(0, len(paras[0].f.lower), cDenial)
	for wi := range d.watches {
		r.readWatch(wi)
	}
	if len(r.frames) == 0 {
		return nil
	}
	return d.events(r.frames, a.Published, now, ref, r.titleDoubt)
}

// prepare splits the article into the title and its paragraphs, folded and
// scanned.
func (d *Detector) prepare(a sources.Article) []*para {
	var paras []*para
	var bufs scanBufs
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
		d.scanParaWith(p, &bufs)
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
		if c.c.cls&(cRecent|cHistory|cHistoryWeak) != 0 {
			return false
		}
		for _, d := range p.dates {
			if c.start < d.End && d.Start < c.end {
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
				if !ok || d.housedElsewhere(p, m) {
					continue
				}
			}
			kept = append(kept, m)
		}
		p.mentions = kept
	}
}

// housedElsewhere reports whether a generic name sits inside an app of the
// other side: "a mini program inside the Alipay app", 支付宝里的小程序 is
// that app's, not the generic name's side's.
func (d *Detector) housedElsewhere(p *para, m mention) bool {
	s := p.f.lower
	var before, after *mention
	for i := range p.mentions {
		x := &p.mentions[i]
		if x.weak || x.watch != m.watch {
			continue
		}
		if x.end <= m.start {
			before = x
		} else if x.start >= m.end && after == nil {
			after = x
		}
	}
	if after != nil && after.side != m.side {
		w := strings.Fields(s[m.end:after.start])
		if len(w) > 0 && slices.Contains(d.v.words["housed_in"], w[0]) && allIn(w[1:], d.v.words["appositive_filler"]) {
			return true
		}
	}
	return before != nil && before.side != m.side && slices.Contains(d.v.words["housed_after"], s[before.end:m.start])
}

func allIn(ws, set []string) bool {
	for _, w := range ws {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}

// nearWindow is how close a word of a kind must be to a generic name marked
// "+": about eight Chinese characters or four English words.
const nearWindow = 24

// kindWordNear reports whether a word of advertising, links or payment sits
// right before or after the mention, within the same clause.
func (p *para) kindWordNear(m mention) bool {
	s := p.f.lower
	for _, c := range p.cuesIn(max(0, m.start-nearWindow-40), m.end+nearWindow) {
		if c.c.tier < 2 || (c.c.kind != kAdvertising && c.c.kind != kLinks && c.c.kind != kPayment) {
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
func (d *Detector) kindPrior(paras []*para) map[sources.Kind]int {
	out := map[sources.Kind]int{}
	for _, p := range paras {
		if p.skip {
			continue
		}
		mult := 1
		if p.idx < 0 {
			mult = 2
		}
		for _, c := range p.cues {
			if c.c.tier > 0 {
				out[c.c.kind] += int(c.c.tier) * mult
			}
		}
		for _, m := range p.mentions {
			if an := d.watches[m.watch].anchors[m.side][m.entity]; an.kind != "" {
				out[an.kind] += int(an.tier) * mult
			}
		}
	}
	return out
}
