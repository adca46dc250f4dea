package detect

import (
	"slices"
	"strings"

	"github.com/wallwatch/worker/sources"
)

// frame is what one clause says about one watch: who connects (the sides'
// entities), what (the kind), how far (the stage the decision table gives
// its features), when (its date and time markers) and where it was read.
type frame struct {
	watch    int
	ents     [2][]int // entity indexes by side, sorted
	kind     sources.Kind
	feat     class
	stage    sources.Stage
	date     sources.Date
	title    bool // read from the title
	body     int  // paragraph number in the text; -1 for the title
	evidence string
	anchored bool    // the kind comes from a name of the clause (WeChat Pay → payment)
	upgraded [2]bool // the side's payment entity was read from its app's name ("pay with WeChat")
	kindW    int     // how strongly the clause said its kind
	ownKinds kindSet // the kinds its own names stand for (WeChat Pay: payment)
	borrowed [2]bool // the side was named in another clause
	chunk    int     // the chunk of its sentence it was read from
	wasLive  bool    // a clause merged into it said the connection is live ("…in private chats, while group chats only got a trial")
	order    int
}

func (f *frame) bg() bool     { return f.feat&cHistory != 0 }
func (f *frame) bgWeak() bool { return f.feat&cHistoryWeak != 0 }
func (f *frame) recent() bool { return f.feat&cRecent != 0 }
func (f *frame) also() bool   { return f.feat&cAlso != 0 }
func (f *frame) live() bool   { return f.wasLive || f.stage == kLaunched || f.stage == kExpanded }

// clause is one clause of a sentence, read: its span, the entities it
// names by side, its features and kind words, its date.
type clause struct {
	start, end int
	chunk      int  // the chunk (between ; : — and contrast words) it is in
	contrast   bool // its chunk opens with a contrast word
	sides      [2][]int
	ms         [2][]mention
	feat       class
	kinds      kindScores
	date       sources.Date
	borrowed   bool
	lent       [2]bool // the sides borrowed
	sub        bool    // a time clause: it sets the time of the next
}

func (c *clause) complete() bool { return len(c.sides[0]) > 0 && len(c.sides[1]) > 0 }
func (c *clause) named() bool    { return len(c.sides[0]) > 0 || len(c.sides[1]) > 0 }

// Feature groups.
const (
	// A clause with one of these has a verb of its own and opens a clause.
	openers = cPredicate | cTrial | cHalt | cUndo | cExpand | cNoLonger | cAsked | cConsulted
	// What a clause that borrows its names also takes from the clause it
	// borrows from: the modality ("plans to, from next month, accept …").
	modal = cPlanned | cConsulted | cRumoured | cAsked | cToVerb | cCond | cQuestion | fNegated | fHedged
	// What makes a clause about the stage of something already named.
	stageFeatures = cTrial | cSome | cBatches | cExpand | cHalt | cNoLonger
	// What a sentence that only refers back may not say.
	doubtFeatures = fNegated | fHedged | cCond | cQuestion | cDirective | cPlanned | cHistory | cCould
)

// decision is what the decision table made of one clause, for tests and
// for explaining a detection.
type decision struct {
	clause string // the clause's text
	title  bool
	sides  [2][]int
	feat   class
	kind   sources.Kind
	stage  sources.Stage // "" when it reports no event
	row    int           // the row of the table that decided
}

// reader reads the frames of one article, one watch at a time.
type reader struct {
	d      *Detector
	v      *vocab
	paras  []*para
	prior  map[sources.Kind]int
	trace  *[]decision // when set, every decision is appended
	denied bool        // the title denies a report: what the report says is no event
	// The title names both sides but asks, or says what does not work:
	// an explainer, whose later news is an aside.
	titleDoubt bool
	ref        sources.Date // the publication date, or today
	watch      int
	frames     []*frame
	// The sides the sentence read last named, for a sentence that goes on
	// about one of them ("Taobao … . The app now accepts WeChat Pay").
	prevSides [2][]int
	prevPi    int
	// The frame read last, for a sentence that only refers back to it.
	last   *frame
	lastPi int
	// The date a sentence without one inherits: the previous sentence's.
	carry   sources.Date
	carryPi int
}

// readWatch reads every sentence of the article for watch w.
func (r *reader) readWatch(w int) {
	r.watch, r.last, r.prevSides = w, nil, [2][]int{}
	r.prevPi, r.lastPi, r.carryPi = -2, -2, -2
	for pi, p := range r.paras {
		if p.skip {
			continue
		}
		for si := range p.sents {
			r.sentence(pi, si)
		}
	}
}

// sentence reads the frames of one sentence.
func (r *reader) sentence(pi, si int) {
	p := r.paras[pi]
	se := p.sents[si]
	date := r.inheritedDate(pi)
	ms := r.mentionsIn(p, se)
	if len(ms) == 0 {
		r.anaphor(pi, si, date)
		r.prevSides = [2][]int{}
		return
	}
	if p.hasCue(se.start, se.end, cCompete) {
		// A sentence about rivalry connects nothing, wherever the
		// rivalry word sits ("钉钉对标企业微信 推出免费会议功能").
		r.prevSides, r.prevPi = [2][]int{}, pi
		return
	}
	st := &sentenceRead{pi: pi, si: si, se: se, ms: ms, date: date,
		excluded: r.exclusions(p, se, ms), askFrom: r.questionFrom(p, se)}
	for _, span := range r.v.clauses(p, se) {
		r.clause(st, span)
	}
	r.record(st)
}

// sentenceRead is the state of reading one sentence's clauses in order.
type sentenceRead struct {
	pi, si     int
	se         sentence
	ms         []int
	excluded   map[int]bool
	askFrom    int
	date       sources.Date // the date of the sentence so far
	prev, lead *clause      // the last clause that named something; a nameless lead-in
	got        []*frame
	named      [2][]int
}

// clause reads one clause of the sentence into its frames.
func (r *reader) clause(st *sentenceRead, span clauseSpan) {
	p := r.paras[st.pi]
	c := r.readClause(p, span, st.ms, st.excluded)
	if !c.named() && c.feat&fNegated != 0 && span.joins {
		st.got = nil // "Try paying with Alipay inside a WeChat mini program: you can't."
	}
	if st.askFrom >= 0 && c.end > st.askFrom {
		c.feat |= cQuestion
	}
	for side := range st.named {
		st.named[side] = union(st.named[side], c.sides[side])
	}
	if st.lead != nil && st.lead.chunk == c.chunk && c.named() {
		// "Under a pilot pushed by the central bank, WeChat users can
		// scan …": the scope and modality of a nameless lead-in.
		c.feat |= st.lead.feat & (cTrial | cSome | cBatches | modal)
		st.lead = nil
	}
	r.borrow(c, st.prev, span, p, st.pi, st.si)
	switch {
	case c.date.IsZero() && c.feat&(cRecent|cNow) == 0:
		c.date = st.date // a clause that says "now" is not of the date before
	case !span.relative:
		// The date of the sentence from here on; a relative clause's
		// ("which went live in June") is its own.
		st.date = c.date
		r.carry = st.date
	}
	if c.complete() {
		for _, f := range r.clauseFrames(st.pi, st.se, c) {
			if span.participle && len(st.got) > 0 && !ownStatement(st.got[len(st.got)-1], f) {
				// "…, extending the option that Taobao switched on last
				// month to imported goods": how far the statement before
				// goes. A participle naming an entity of another kind
				// ("…, letting users pay with WeChat Pay") is a statement
				// of its own.
				r.refine(st.got[len(st.got)-1], f)
				continue
			}
			st.got = r.mergeInSentence(st.got, f)
		}
	}
	if c.named() {
		st.prev = c
	} else if !c.complete() {
		st.lead = c
	}
}

// record keeps the frames of a sentence read.
func (r *reader) record(st *sentenceRead) {
	p := r.paras[st.pi]
	if r.opensBack(p, st.se, st.pi) {
		// "Under the arrangement, brands that buy ads in WeChat …": the
		// statement read last, in more words.
		for _, f := range st.got {
			if overlapsSpecific(r.last.ents[0], f.ents[0]) || overlapsSpecific(r.last.ents[1], f.ents[1]) {
				f.kind = r.last.kind
			}
		}
	}
	for _, f := range st.got {
		f.order = len(r.frames)
		r.frames = append(r.frames, f)
		r.last, r.lastPi = f, st.pi
	}
	r.prevSides, r.prevPi = st.named, st.pi
}

// questionFrom returns where the asking part of a sentence starts (its
// last chunk, when the sentence ends in a question mark), or -1. A Chinese
// sentence ending in ？ without a question word ("可直接用微信支付了？") is
// a headline's exclamation, not a question; "why" without a question mark
// opens an explainer ("Explainer: why Taobao finally took WeChat Pay").
func (r *reader) questionFrom(p *para, se sentence) int {
	t := strings.TrimRight(p.f.lower[se.start:se.end], " \"')")
	if !strings.HasSuffix(t, "?") || len(se.chunks) == 0 {
		return -1
	}
	last := se.chunks[len(se.chunks)-1]
	if strings.IndexFunc(t, isHan) < 0 || p.hasCue(se.start, se.end, cQuestion|cAsk) {
		return last.start
	}
	return -1
}

// inheritedDate returns the date a sentence without one of its own takes:
// the one the sentence before it in the paragraph gave.
func (r *reader) inheritedDate(pi int) sources.Date {
	if r.carryPi != pi {
		r.carryPi, r.carry = pi, sources.Date{}
	}
	return r.carry
}

// mentionsIn returns the indexes of the watch's mentions in a sentence.
func (r *reader) mentionsIn(p *para, se sentence) []int {
	var ms []int
	lo, hi := p.mentionRange(se.start, se.end)
	for i := lo; i < hi; i++ {
		if m := p.mentions[i]; m.watch == r.watch && m.end <= se.end {
			ms = append(ms, i)
		}
	}
	return ms
}

// readClause reads the names, features, kind words and date of a clause.
func (r *reader) readClause(p *para, sp clauseSpan, ms []int, excluded map[int]bool) *clause {
	c := &clause{start: sp.start, end: sp.end, chunk: sp.chunk, contrast: sp.contrast, sub: sp.sub}
	for _, i := range ms {
		m := p.mentions[i]
		if m.start < c.start || m.end > c.end || excluded[i] {
			continue
		}
		c.ms[m.side] = append(c.ms[m.side], m)
		if !slices.Contains(c.sides[m.side], m.entity) {
			c.sides[m.side] = append(c.sides[m.side], m.entity)
		}
	}
	for side := range c.sides {
		slices.Sort(c.sides[side])
	}
	cues := p.cuesIn(c.start, c.end)
	described := describedSpans(p, c, ms, excluded)
	for _, h := range cues {
		c.feat |= h.c.cls
		if h.c.tier > 0 && !inSpans(described, h.start) {
			c.kinds.add(h.c.kind, 2*int(h.c.tier)) // a kind word says more than a name
		}
	}
	c.feat = r.v.derive(c.feat, p.f.lower, cues, c.end)
	if c.feat&cDirective != 0 && r.v.contextDirective(p.f.lower[c.start:c.end], c.start, cues) {
		c.feat &^= cDirective
	}
	if p.idx >= 0 || r.v.governedInfinitive(p.f.lower[c.start:c.end], c.start, cues) {
		// "to add" is a future only in a headline, and only when no verb
		// governs it ("DingTalk enables participants to join via WeChat").
		c.feat &^= cToVerb
	}
	if c.feat&cExclude != 0 && c.feat&cAlso != 0 && !excludesName(p, c, ms, excluded) {
		// "除了一对一聊天，微信群聊中的淘宝链接同样可以直接打开": besides a
		// place it already reached, it now reaches another.
		c.feat |= cExpand
	}
	if sp.sub {
		c.feat |= cHistoryWeak
	}
	if ds := p.datesIn(c.start, c.end); len(ds) > 0 {
		c.date = ds[0].Date
		if ds[0].Inferred && c.feat&cPlanned != 0 && !r.ref.IsZero() && ageDays(c.date, r.ref) > oldDays {
			// A plan's month and day without a year are the next ones:
			// "will support WeChat Pay starting Sept 12".
			c.date.Year++
		}
	}
	return c
}

// excludesName reports whether the clause sets a name aside.
func excludesName(p *para, c *clause, ms []int, excluded map[int]bool) bool {
	for _, i := range ms {
		if m := p.mentions[i]; excluded[i] && m.start >= c.start && m.end <= c.end {
			return true
		}
	}
	return false
}

// describedSpans returns the comma-delimited segments of a clause that
// hold only an owner's name set aside ("Alimama, Alibaba's marketing
// technology arm, and …"): they say what a name is, and their words of a
// kind say nothing of what the clause reports.
func describedSpans(p *para, c *clause, ms []int, excluded map[int]bool) [][2]int {
	var out [][2]int
	for _, sg := range segments(p.f.lower, c.start, c.end) {
		owner, other := false, false
		for _, i := range ms {
			if m := p.mentions[i]; m.start >= sg[0] && m.end <= sg[1] {
				owner = owner || excluded[i]
				other = other || !excluded[i]
			}
		}
		if owner && !other {
			out = append(out, sg)
		}
	}
	return out
}

func inSpans(spans [][2]int, i int) bool {
	for _, sp := range spans {
		if i >= sp[0] && i < sp[1] {
			return true
		}
	}
	return false
}

// derive adds the features that come from cues together: a "no longer"
// before a barrier lifts it ("no longer need to copy links"), otherwise it
// halts; "some" with a users word restricts the audience; negation and
// speculation.
func (v *vocab) derive(f class, s string, cues []cueHit, end int) class {
	if f&cHistory != 0 && v.attributiveHistory(s, cues) {
		f &^= cHistory // "由此前的5个扩大至20个": 此前 qualifies a noun
	}
	if f&cNoLonger != 0 {
		f |= cHalt
		for i, h := range cues {
			if h.c.cls&cNoLonger == 0 {
				continue
			}
			for _, g := range cues[i+1:] {
				if g.c.cls&cBarrier != 0 && g.start-h.end <= 24 {
					f = f&^cHalt | cUndo
				}
			}
		}
	}
	if f&cPlanned != 0 && plannedAfterStage(cues) {
		f &^= cPlanned // "is being rolled out gradually and not every account will see it yet"
	}
	if f&cHalt != 0 && haltsBarrier(cues) {
		f = f&^cHalt | cUndo // "removed one of the most annoying steps"
	}
	// Some users as an audience, not as the source of a report ("some
	// users said …").
	f &^= cSome
	if someUsers(cues) {
		f |= cSome
	}
	if f&cNeg != 0 && f&cNoLonger == 0 {
		f |= fNegated // "can not be found anymore" is a halt, not a denial
	}
	switch {
	case f&cSpeculative != 0 || (f&cCould != 0 && f&(cReported|cNow) == 0):
		f |= fHedged
	case f&cCould != 0 && f&cReported != 0 && f&cNow == 0:
		f |= cPlanned // reported speech of a plan: "said the option would be extended"
	}
	return f
}

// subordinate reports whether a clause only sets the time of the one after
// it ("淘宝接入微信支付后，…", "once users update, …").
//
// An English clause opening with such a word says what happened before
// wherever it sits ("…, after a trial that began in August"); a Chinese
// one ending with 后 or 时 only when a main clause follows it.
func (v *vocab) subordinate(seg string, last bool) bool {
	t := strings.TrimSpace(seg)
	if v.hasPrefixWord("subordinate_start", t) {
		return true
	}
	return !last && v.hasSuffixWord("subordinate_end", t) && !v.hasSuffixWord("subordinate_end_not", t)
}

// borrow fills the sides a clause does not name from the clause before it
// in the sentence, or, for a sentence that opens by referring to a name of
// the sentence before ("The app now …"), from that sentence. A clause that
// names neither side continues the one before, even after a contrast
// ("…, though only for some users"); one that names one side takes the
// other only within its chunk, and not when it is a statement of its own
// about a new subject ("and WeCom said …").
func (r *reader) borrow(c, prev *clause, sp clauseSpan, p *para, pi, si int) {
	if c.complete() || c.feat&(openers|stageFeatures|cNow|cFull) == 0 {
		return
	}
	if !c.named() && prev != nil {
		// A clause that names nothing goes on about the one before: it
		// is about the same thing ("ads … appear in Moments, linking
		// straight to stores").
		c.kinds.merge(prev.kinds)
	}
	var from [2][]int
	var fromFeat class
	fromPrev := false
	switch {
	case prev != nil && (!c.named() || ((prev.chunk == c.chunk || sp.joins) && !r.parallel(p, c))):
		from, fromFeat, fromPrev = prev.sides, prev.feat, true
	case prev == nil && c.named() && r.prevPi >= pi-1:
		from = r.continued(c, p, pi)
	default:
		return
	}
	for side := range c.sides {
		switch {
		case len(c.sides[side]) == 0 && len(from[side]) > 0:
			c.sides[side] = slices.Clone(from[side])
			c.borrowed, c.lent[side] = true, true
		case fromPrev && overlapsSpecific(c.sides[side], from[side]):
			// "The Tmall Youpin mini program, which went live on WeChat
			// …, can no longer be found in WeChat search": the same
			// names, and the ones named before.
			c.sides[side] = union(c.sides[side], from[side])
		}
	}
	if c.borrowed {
		c.feat |= fromFeat & modal
		if fromPrev && c.named() && !prev.sub {
			// The clause is about what the one before is about.
			c.kinds.merge(prev.kinds)
		}
	}
}

// continued returns the sides a sentence's first clause takes from the
// sentence before (in the same or the previous paragraph) when it goes on
// about it: it opens by referring back ("The app now …", 该平台), says
// "too" of another subject with a word of the same kind ("Xianyu and
// Freshippo have applied to add the payment option too"), or says how far
// the connection read last has come ("Taote's customer service said the
// feature is being rolled out gradually").
func (r *reader) continued(c *clause, p *para, pi int) [2][]int {
	t := strings.TrimLeft(p.f.lower[c.start:c.end], " ,")
	switch {
	case r.prevPi == pi && r.v.hasPrefixWord("pronouns", t):
		return specificOnly(r.prevSides)
	case c.feat&cAlso != 0 && c.kinds.any() && !r.parallel(p, c):
		return specificOnly(r.prevSides)
	case c.feat&cJoin != 0 && r.prevPi == pi && r.endsWithJoin(p, c):
		// "当时，饿了么、优酷等阿里系App已率先接入": joined what the
		// sentence before named.
		return specificOnly(r.prevSides)
	case c.feat&cAsked != 0 && r.last != nil && r.lastPi == pi && r.last.watch == r.watch:
		// "… have applied for access": to what the sentence before opened.
		return specificOnly(r.last.ents)
	case c.feat&stageFeatures != 0 && r.last != nil && r.lastPi >= pi-1 && r.last.watch == r.watch:
		for side := range c.sides {
			if len(c.sides[side]) > 0 && overlapsSpecific(c.sides[side], r.last.ents[side]) {
				c.kinds.add(r.last.kind, r.last.kindW) // about what it was about
				return r.last.ents
			}
		}
	}
	return [2][]int{}
}

// endsWithJoin reports whether a clause ends with a verb of joining that
// has no object of its own ("…已率先接入。", "… followed suit.").
func (r *reader) endsWithJoin(p *para, c *clause) bool {
	hits := p.cuesIn(c.start, c.end)
	for i := len(hits) - 1; i >= 0; i-- {
		if hits[i].c.cls&cJoin != 0 {
			rest := strings.TrimRight(p.f.lower[hits[i].end:c.end], " .!。")
			for _, w := range r.v.words["particles"] {
				rest = strings.TrimSuffix(rest, w)
			}
			return len(rest) <= 4
		}
	}
	return false
}

// parallel reports whether a clause is a statement of its own about the
// name it opens with: "also" or a reporting verb follows the name closely
// ("and WeCom said its version …", "钉钉、阿里云也已接入").
func (r *reader) parallel(p *para, c *clause) bool {
	first := -1
	for side := range c.ms {
		for _, m := range c.ms[side] {
			if first < 0 || m.start < first {
				first = m.start
			}
		}
	}
	// The name must be the clause's subject: no verb before it.
	if first < 0 || p.hasCue(c.start, first, openers) {
		return false
	}
	for _, h := range p.cuesIn(first, c.end) {
		if h.c.cls&(cAlso|cReported) != 0 {
			return h.start-first <= 24
		}
	}
	return false
}

// clauseFrames builds the frames of a clause that names both sides: one, or one
// per kind when a side names entities that stand for different kinds
// ("Xianyu adds WeChat Pay and a WeChat mini program"); none when the
// decision table says it reports no event.
func (r *reader) clauseFrames(pi int, se sentence, c *clause) []*frame {
	parts := r.splitByAnchors(c)
	var out []*frame
	for _, part := range parts {
		if f := r.frame(pi, se, part); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// splitByAnchors splits a clause without a word of a kind whose side names
// entities standing for different kinds into one clause per kind; the
// entities without a kind of their own go with every part.
func (r *reader) splitByAnchors(c *clause) []*clause {
	if c.kinds.any() {
		return []*clause{c}
	}
	info := &r.d.watches[r.watch]
	for side := range c.sides {
		byKind := map[sources.Kind][]int{}
		var plain []int
		strong := false
		for _, e := range c.sides[side] {
			if an := info.anchors[side][e]; an.kind != "" {
				byKind[an.kind] = append(byKind[an.kind], e)
				strong = strong || an.tier >= 2
			} else {
				plain = append(plain, e)
			}
		}
		// Places alone (Moments, Channels, mini programs) do not make
		// separate statements.
		if len(byKind) < 2 || !strong {
			continue
		}
		var out []*clause
		for _, k := range sources.Kinds {
			if len(byKind[k]) > 0 {
				part := *c
				part.sides[side] = union(byKind[k], plain)
				out = append(out, &part)
			}
		}
		return out
	}
	return []*clause{c}
}

// frame builds the frame of a clause that names both sides, or nil when
// the decision table says it reports no event.
func (r *reader) frame(pi int, se sentence, c *clause) *frame {
	p := r.paras[pi]
	feat := c.feat
	kind, kindScore := r.kindOf(p, c)
	if feat&cWeakPredicate != 0 && kindScore > 0 {
		feat |= cPredicate
	}
	if !c.borrowed && !anyConnectedPair(r.v, p.f.lower, c.ms, p.mentions) {
		feat |= fListOnly
	}
	if isCompany(c.sides[0]) && isCompany(c.sides[1]) && kindScore == 0 {
		feat |= fCompaniesOnly
	}
	if r.denied || p.hasCue(se.start, se.end, cDenial) {
		feat |= fDenied
	}
	if c.borrowed {
		feat |= fBorrowed
	}
	if end := spelledOut(se, c); c.end < end && p.hasCue(c.end, end, cFriction) && !p.hasCue(c.end, end, openers) {
		// "点分享到微信，又会弹出提示", "… and see: a warning page": the
		// barrier the rest of the chunk, or what a colon spells out,
		// describes is the clause's.
		feat |= cFriction
	}
	stage, row := r.v.decide(feat)
	if r.trace != nil {
		*r.trace = append(*r.trace, decision{
			clause: p.text[p.f.orig[c.start]:p.f.orig[c.end]], title: p.idx < 0, sides: [2][]int{slices.Clone(c.sides[0]), slices.Clone(c.sides[1])},
			feat: feat, kind: kind, stage: stage, row: row,
		})
	}
	if stage == "" {
		r.titleDoubt = r.titleDoubt || p.idx < 0 && feat&(fNegated|cQuestion|cAsk) != 0
		return nil
	}
	f := &frame{
		watch: r.watch, ents: [2][]int{slices.Clone(c.sides[0]), slices.Clone(c.sides[1])},
		kind: kind, kindW: kindScore, borrowed: c.lent, chunk: c.chunk, feat: feat, stage: stage, date: c.date, title: p.idx < 0, body: p.idx,
		evidence: trimSentence(p.text[p.f.orig[se.start]:p.f.orig[se.end]]),
	}
	info := &r.d.watches[r.watch]
	for side := range c.ms {
		for _, m := range c.ms[side] {
			an := info.anchors[side][m.entity]
			f.anchored = f.anchored || an.kind == kind
			if an.tier >= 2 {
				f.ownKinds = f.ownKinds.with(an.kind)
			}
		}
	}
	dropIncumbent(info, &f.ents)
	r.d.upgradePayment(f)
	return f
}

// spelledOut returns where the text that goes on about a clause ends: its
// chunk, and the chunks after a colon or a dash that spell it out.
func spelledOut(se sentence, c *clause) int {
	end := se.chunks[c.chunk].end
	for k := c.chunk + 1; k < len(se.chunks) && !se.chunks[k].contrast && (se.chunks[k].sep == ':' || se.chunks[k].sep == '-'); k++ {
		end = se.chunks[k].end
	}
	return end
}

// kindOf picks the kind with the most weight among the clause's kind words
// and names; the article's own subject breaks ties and stands in when the
// clause has none.
func (r *reader) kindOf(p *para, c *clause) (sources.Kind, int) {
	info := &r.d.watches[r.watch]
	score := c.kinds
	for side := range c.sides {
		// The clause's own names: a borrowed side's kind comes with the
		// words the clause borrowed from.
		var own []int
		for _, m := range c.ms[side] {
			if !slices.Contains(own, m.entity) && slices.Contains(c.sides[side], m.entity) {
				own = append(own, m.entity)
			}
		}
		for _, e := range own {
			if an := info.anchors[side][e]; an.kind != "" {
				score.add(an.kind, int(an.tier))
			}
		}
		for _, m := range c.ms[side] {
			// A name the verb governs is what the clause is about
			// ("菜鸟裹裹微信小程序正式上线", "accepts WeChat Pay").
			if an := info.anchors[side][m.entity]; an.kind != "" && slices.Contains(c.sides[side], m.entity) && r.governed(p, c, m) {
				score.add(an.kind, 3*int(an.tier))
			}
		}
	}
	var best sources.Kind
	bw := 0
	for i, k := range sources.Kinds {
		w := score[i]
		if w > bw || (w == bw && w > 0 && r.prior[k] > r.prior[best]) {
			best, bw = k, w
		}
	}
	if bw > 0 {
		return best, bw
	}
	for _, k := range sources.Kinds {
		if r.prior[k] > r.prior[best] {
			best = k
		}
	}
	if best == "" {
		best = sources.KindOther
	}
	return best, 0
}

// mergeInSentence merges a frame into one of the same sentence about the
// same development at the same date ("opened WeChat Pay for internal
// testing, allowing users to choose …"); the merge list of cues.yaml
// decides between their stages.
func (r *reader) mergeInSentence(got []*frame, f *frame) []*frame {
	for _, g := range got {
		// A clause that borrows its names goes on about the same
		// statement, whatever its own words of a kind ("菜鸟裹裹微信小程序正
		// 式上线，用户…即可查询物流信息").
		// A clause of history and one of news are two moments.
		sameTime := g.date == f.date && (g.bg() || g.bgWeak()) == (f.bg() || f.bgWeak())
		same := g.kind == f.kind && sameDevelopment(g.ents, f.ents)
		// A clause that borrows names goes on about the statement before
		// unless it names something that stands for another kind
		// ("闲鱼上线微信小程序，并支持微信支付").
		goesOn := f.feat&fBorrowed != 0 && r.related(g, f) && !f.ownKinds.has(otherKind(g.kind)) &&
			(f.chunk == g.chunk || f.kind == g.kind || f.borrowed[0] && f.borrowed[1])
		// A side that joins without an object joins the statement of its
		// kind before it ("淘宝闪购测试微信小程序 饿了么商家供给接入").
		joins := f.feat&cJoin != 0 && f.kind == g.kind && (f.borrowed[0] || f.borrowed[1])
		if !sameTime || !same && !goesOn && !joins {
			continue
		}
		r.refine(g, f)
		for side := range g.ents {
			g.ents[side] = union(g.ents[side], f.ents[side])
		}
		g.feat |= f.feat & (cHistory | cHistoryWeak | cRecent)
		g.anchored = g.anchored || f.anchored
		return got
	}
	return append(got, f)
}

// related reports whether a frame that borrowed names is about what g is
// about: on the side it names itself, the same entities or their apps
// ("微信" for "微信小程序").
func (r *reader) related(g, f *frame) bool {
	info := &r.d.watches[r.watch]
	for side := range f.ents {
		if f.borrowed[side] {
			continue
		}
		ok := overlapsSpecific(g.ents[side], f.ents[side])
		for _, a := range f.ents[side] {
			for _, b := range g.ents[side] {
				ok = ok || info.family(side, a, b)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// family reports whether entities a and b of a side are one app and a
// product of it (WeChat, WeChat Mini Programs).
func (info *watchInfo) family(side, a, b int) bool {
	na, nb := info.names[side][a], info.names[side][b]
	return a != 0 && b != 0 && (strings.HasPrefix(na, nb+" ") || strings.HasPrefix(nb, na+" "))
}

// refine merges what a clause says of the statement before into its
// frame: the stage, and the kind when the clause says it more strongly
// ("Youku posts clips to WeChat Channels, linking back to its app").
func (r *reader) refine(g, f *frame) {
	if f.kind != g.kind && g.kindW <= weakKind && f.kindW > g.kindW {
		// A kind read from a place name alone (Channels, mini programs)
		// defers to the words of the clause that goes on.
		g.kind, g.kindW = f.kind, f.kindW
	}
	if g.date.IsZero() && !f.bg() {
		g.date = f.date
	}
	g.wasLive = g.live() || f.live()
	g.stage = r.mergeStages(g, f)
}

// mergeStages is the stage of two frames of one statement in one sentence.
// A test wins over a launch only when it restricts it (the features of
// merge_restricts: "…, though only for some users"); a trial somewhere
// else leaves the launch live ("单聊可直接打开淘宝链接 群聊试行开放").
func (r *reader) mergeStages(g, f *frame) sources.Stage {
	st := r.d.mergedStage(g.stage, g.ents, f.stage, f.ents)
	for _, pair := range [][2]*frame{{g, f}, {f, g}} {
		test, launch := pair[0], pair[1]
		if st == kTesting && test.stage == kTesting && launch.stage == kLaunched &&
			(test.feat&r.v.restricts == 0 || launch.feat&r.v.fullWins != 0) {
			return kLaunched
		}
	}
	return st
}

// opensBack reports whether a sentence opens by referring to the
// statement read last, in this paragraph or the one before.
func (r *reader) opensBack(p *para, se sentence, pi int) bool {
	if r.last == nil || r.last.watch != r.watch || r.lastPi < pi-1 {
		return false
	}
	return r.v.hasPrefixWord("anaphors", strings.TrimLeft(p.f.lower[se.start:se.end], " "))
}

// anaphor reads a sentence that names no entity but opens by referring to
// the statement just read and says how far it has come ("The test is
// limited to …", 这是双方广告合作的进一步扩大): a frame of the same
// connection with that stage.
func (r *reader) anaphor(pi, si int, date sources.Date) {
	last := r.last
	if last == nil || last.watch != r.watch || !(r.lastPi == pi || (r.lastPi == pi-1 && si == 0)) {
		return
	}
	p := r.paras[pi]
	se := p.sents[si]
	t := strings.TrimLeft(p.f.lower[se.start:se.end], " ")
	if k := strings.IndexByte(t, ','); k >= 0 && k < 20 && !r.v.hasPrefixWord("anaphors", t) {
		t = strings.TrimLeft(t[k+1:], " ") // "据悉，这是…", "In effect, this is …"
	}
	if !r.v.hasPrefixWord("anaphors", t) {
		return
	}
	// Its own clause only: up to the first comma.
	start := se.end - len(t)
	end := se.end
	if k := strings.IndexAny(t, ",;:"); k >= 0 {
		end = start + k
	}
	cues := p.cuesIn(start, end)
	var feat class
	for _, h := range cues {
		feat |= h.c.cls
	}
	feat = r.v.derive(feat, p.f.lower, cues, end)
	if feat&stageFeatures == 0 || feat&doubtFeatures != 0 {
		return
	}
	stage, _ := r.v.decide(feat | cPredicate)
	if stage == "" || stage == kLaunched {
		return
	}
	f := *last
	f.ents = cloneEnts(last.ents)
	f.stage, f.feat = stage, feat
	f.title, f.body = p.idx < 0, p.idx
	f.evidence = trimSentence(p.text[p.f.orig[se.start]:p.f.orig[se.end]])
	if !date.IsZero() {
		f.date = date
	}
	f.order = len(r.frames)
	r.frames = append(r.frames, &f)
	r.last, r.lastPi = &f, pi
}

// governed reports whether a connecting verb sits right by a name (dates
// between do not count), so the name is what the clause is about, not
// where something happens ("在微信小程序投放广告", "ads in mini programs").
func (r *reader) governed(p *para, c *clause, m mention) bool {
	s := p.f.lower
	if r.v.hasSuffixWord("locatives", strings.TrimRight(s[c.start:m.start], " ")) {
		return false
	}
	gap := func(a, b int) int {
		n := b - a
		for _, d := range p.datesIn(a, b) {
			if d.End <= b {
				n -= d.End - d.Start
			}
		}
		return n
	}
	for _, h := range p.cuesIn(c.start, c.end) {
		if h.c.cls&cPredicate == 0 {
			continue
		}
		// The verb's object, or a Chinese topic right before its verb
		// that is not the clause's subject ("菜鸟裹裹微信小程序正式上线").
		if h.end <= m.start && gap(h.end, m.start) <= 12 || h.start >= m.end && gap(m.end, h.start) <= 12 && isHan(nextRune(s, m.end)) && !firstMention(c, m) {
			return true
		}
	}
	return false
}

// plannedAfterStage reports whether every word of a plan comes after the
// first word of a stage: the plan is then about something further, not the
// statement's own stage.
func plannedAfterStage(cues []cueHit) bool {
	stage := -1
	for _, h := range cues {
		if h.c.cls&(cTrial|cSome|cBatches) != 0 && stage < 0 {
			stage = h.start
		}
		if h.c.cls&cPlanned != 0 && (stage < 0 || h.start < stage) {
			return false
		}
	}
	return stage >= 0
}

// specificOnly drops a side that names only the company: "Alibaba" alone
// in the sentence before is no one to continue with.
func specificOnly(sides [2][]int) [2][]int {
	for side := range sides {
		if isCompany(sides[side]) {
			sides[side] = nil
		}
	}
	return sides
}

// firstMention reports whether m is the first name of the clause.
func firstMention(c *clause, m mention) bool {
	for side := range c.ms {
		for _, o := range c.ms[side] {
			if o.start < m.start {
				return false
			}
		}
	}
	return true
}

// weakKind is the weight of a kind read from one generic name alone.
const weakKind = 1

// kindSet is a set of kinds; otherKind(k) selects every kind but k.
type kindSet uint16

func kindBit(k sources.Kind) kindSet {
	if i := slices.Index(sources.Kinds, k); i >= 0 {
		return 1 << i
	}
	return 0
}

func (s kindSet) with(k sources.Kind) kindSet { return s | kindBit(k) }

func otherKind(k sources.Kind) kindSet { return ^kindBit(k) }

func (s kindSet) has(mask kindSet) bool { return s&mask != 0 }

// haltsBarrier reports whether every halting word of a clause halts a
// barrier that follows it: removing a step is opening up.
func haltsBarrier(cues []cueHit) bool {
	found := false
	for i, h := range cues {
		if h.c.cls&cHalt == 0 {
			continue
		}
		ok := false
		for _, g := range cues[i+1:] {
			ok = ok || g.c.cls&cBarrier != 0 && g.start-h.end <= 32
		}
		if !ok {
			return false
		}
		found = true
	}
	return found
}

// contextDirective reports whether a regulator's order in a clause is
// only its context: it comes after the connection itself ("Alibaba
// started accepting WeChat Pay in 2021 after regulators ordered an end to
// blocking") or in a time clause ("since 2021, when regulators ordered …").
func (v *vocab) contextDirective(s string, off int, cues []cueHit) bool {
	pred := -1
	for _, h := range cues {
		if h.c.cls&cPredicate != 0 && pred < 0 {
			pred = h.start
		}
		if h.c.cls&cDirective == 0 {
			continue
		}
		if pred >= 0 && pred < h.start {
			return true
		}
		before := strings.TrimRight(s[:h.start-off], " ")
		if k := strings.LastIndexByte(before, ' '); k >= 0 && v.hasPrefixWord("subordinate_start", before[k+1:]) {
			return true
		}
		if k := strings.LastIndexByte(before, ' '); k >= 0 {
			prev := strings.TrimRight(before[:k], " ")
			if j := strings.LastIndexByte(prev, ' '); j >= 0 && v.hasPrefixWord("subordinate_start", prev[j+1:]) {
				return true // "when regulators ordered"
			}
		}
		return false
	}
	return false
}

// someUsers reports whether a "some" word stands right before a users
// word ("a small group of shoppers", 部分用户) that is not the subject of a
// reporting verb ("some users said …": a source, not an audience).
func someUsers(cues []cueHit) bool {
	for i, h := range cues {
		if h.c.cls&cSome != 0 && !(i+1 < len(cues) && cues[i+1].c.cls&cReported != 0 && cues[i+1].start-h.end <= 8) {
			return true
		}
		if h.c.cls&cSomeWord == 0 {
			continue
		}
		for j := i + 1; j < len(cues) && cues[j].start-h.end <= 20; j++ {
			if cues[j].c.cls&cUsers == 0 {
				continue
			}
			reported := j+1 < len(cues) && cues[j+1].c.cls&cReported != 0 && cues[j+1].start-cues[j].end <= 8
			if !reported {
				return true
			}
		}
	}
	return false
}

// attributiveHistory reports whether every history word of a clause only
// qualifies the noun after it ("此前的5个", "the earlier five cities"):
// a qualifier word (的) follows it closely, with no punctuation between.
func (v *vocab) attributiveHistory(s string, cues []cueHit) bool {
	found := false
	for _, h := range cues {
		if h.c.cls&cHistory == 0 {
			continue
		}
		rest := s[h.end:min(len(s), h.end+12)]
		ok := false
		for _, w := range v.words["owner_after_near"] {
			if k := strings.Index(rest, w); k >= 0 && !strings.ContainsAny(rest[:k], ",.;:!?") {
				ok = true
			}
		}
		if !ok {
			return false
		}
		found = true
	}
	return found
}

// kindScores is the weight of each kind (in the order of sources.Kinds)
// the words and names of a clause give.
type kindScores [8]int

func (s *kindScores) add(k sources.Kind, w int) {
	if i := slices.Index(sources.Kinds, k); i >= 0 && i < len(s) {
		s[i] += w
	}
}

func (s *kindScores) merge(o kindScores) {
	for i := range s {
		s[i] += o[i]
	}
}

func (s *kindScores) any() bool { return *s != kindScores{} }

// governedInfinitive reports whether a headline's "to" verb of the clause s
// (starting at off) is the complement of a verb before it (enables, lets,
// allows … to), not a future.
func (v *vocab) governedInfinitive(s string, off int, cues []cueHit) bool {
	for _, h := range cues {
		if h.c.cls&cToVerb == 0 || h.start < off || h.start-off > len(s) {
			continue
		}
		for _, w := range strings.Fields(s[:h.start-off]) {
			if v.infinitiveGovernors[strings.Trim(w, ",'\"")] {
				return true
			}
		}
	}
	return false
}

// ownStatement reports whether a participle's frame f is a statement of its
// own beside g: of another kind, named by an entity of that kind ("…,
// letting users pay with WeChat Pay" after a mini program's launch).
func ownStatement(g, f *frame) bool {
	return f.kind != g.kind && f.ownKinds.has(kindBit(f.kind))
}
