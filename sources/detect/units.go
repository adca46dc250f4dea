package detect

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
)

// cand is one interconnection read from one clause.
type cand struct {
	watch    int
	ents     [2][]int // entity indexes by side, sorted
	kind     sources.Kind
	stage    sources.Stage
	date     sources.Date
	title    bool // read from the title
	body     int  // paragraph number in the text; -1 for the title
	evidence string
	anchored bool    // the kind comes from a name the verb governs ("可使用微信支付")
	upgraded [2]bool // the side's payment entity was read from its app's name ("pay with WeChat")
	live     bool    // a clause merged into it said the connection is live ("单聊可直接访问…，群聊则试行开放")
	also     bool    // "also", 也, 同样: the same connection for more users, places or entities
	bg       bool    // history marker: since, previously, 此前
	bgWeak   bool    // weak history marker: already, earlier
	recent   bool    // news marker: recently, now, 近日
	order    int
}

// articleRun holds the state of one Detect call.
type articleRun struct {
	d     *Detector
	ref   time.Time // publication time, or now
	paras []*para
	prior map[sources.Kind]float32
	watch int
	cands []*cand
	// The candidate read last, and where, for clauses that name one side
	// only ("Xianyu and Freshippo have applied for access").
	last           *cand
	lastPi, lastSi int
	carryPi        int
	carryDate      sources.Date
	// Kinds the title's statements have: the story's subject, favoured in
	// the text when a clause supports it too.
	titleKinds map[sources.Kind]bool
}

func (ar *articleRun) refYear() int { return ar.ref.Year() }

// unit is a clause read as one statement: main holds the names and the
// words that govern them; tail holds trailing phrases, which add dates,
// markers and (at half weight) stages, but no negation.
type unit struct {
	main, tail [2]int
	context    bool // a subordinate clause read without its main clause: "接入微信支付后，…"
}

// sentence reads the candidates of one sentence for the current watch.
func (ar *articleRun) sentence(pi, si int) {
	p := ar.paras[pi]
	se := p.sents[si]
	s := p.f.lower
	w := ar.watch
	// The date a sentence without one inherits: the previous sentence's.
	if ar.carryPi != pi {
		ar.carryPi, ar.carryDate = pi, sources.Date{}
	}
	sentDate := sources.Date{}
	if ds := p.datesIn(se.start, se.end); len(ds) > 0 {
		sentDate = ds[0].date
	}
	inherited := ar.carryDate
	if !sentDate.IsZero() {
		ar.carryDate = sentDate
	}
	var ms []int
	lo, hi := p.mentionRange(se.start, se.end)
	for i := lo; i < hi; i++ {
		if m := p.mentions[i]; m.watch == w && m.end <= se.end {
			ms = append(ms, i)
		}
	}
	if len(ms) == 0 {
		ar.anaphor(pi, si, sentDate)
		return
	}
	excluded := ar.exclusions(p, se, ms)
	sideMask := func(a, b int) int {
		mask := 0
		for _, i := range ms {
			m := p.mentions[i]
			if m.start >= a && m.end <= b && !excluded[i] {
				mask |= 1 << m.side
			}
		}
		return mask
	}
	// A clause is complete when it names both sides other than as a mere
	// list ("Alibaba and Tencent said…" is not).
	complete := func(a, b int) bool {
		var sm [2][]mention
		for _, i := range ms {
			if m := p.mentions[i]; m.start >= a && m.end <= b && !excluded[i] {
				sm[m.side] = append(sm[m.side], m)
			}
		}
		return len(sm[0]) > 0 && len(sm[1]) > 0 && anyConnectedPair(s, sm, p.mentions[lo:hi])
	}
	doubts := func(a, b int) bool {
		for _, c := range p.cuesIn(a, b) {
			if c.end <= b && c.c.flags&(fNeg|fHedge|fCond|fQuestion|fDirective) != 0 {
				return true
			}
		}
		return false
	}
	hasConn := func(a, b int) bool {
		for _, c := range p.cuesIn(a, b) {
			if c.end <= b && c.c.conn >= 0.6 {
				return true
			}
		}
		return false
	}
	qFrom := ar.questionFrom(p, se)
	// A sentence about rivalry ("a bid to compete with WeChat") connects
	// nothing, wherever the rivalry word sits.
	for _, c := range p.cuesIn(se.start, se.end) {
		if c.c.flags&fCompete != 0 {
			return
		}
	}
	var units []unit
	var oneSided []unit
	separate := false // clauses found to be parallel statements
	for _, ch := range se.chunks {
		segs := segments(s, ch.start, ch.end)
		var full []int
		first, completeAt := -1, -1
		ownVerbs := true
		cum := 0
		for i, sg := range segs {
			mask := sideMask(sg[0], sg[1])
			if mask == 3 && complete(sg[0], sg[1]) {
				full = append(full, i)
				ownVerbs = ownVerbs && hasConn(sg[0], sg[1])
			}
			if mask != 0 && first < 0 {
				first = i
			}
			cum |= mask
			if cum == 3 && completeAt < 0 {
				completeAt = i
			}
		}
		// Clauses that each name both sides with a verb of their own are
		// separate statements ("WeChat has let users open Taobao links, and
		// in March Taobao started testing WeChat Pay"); otherwise the later
		// ones elaborate the first.
		switch {
		case len(full) >= 2 && ownVerbs:
			start := ch.start
			for k, ci := range full {
				u := unit{main: [2]int{start, segs[ci][1]}}
				if k == len(full)-1 {
					u.tail = [2]int{segs[ci][1], ch.end}
				}
				units = append(units, u)
				start = segs[ci][1]
			}
		case len(full) >= 1:
			end, ok, context := predicateEnd(s, segs, full[len(full)-1], hasConn, doubts)
			if !ok {
				continue
			}
			u := unit{main: [2]int{ch.start, end}, tail: [2]int{end, ch.end}, context: context}
			// A later clause naming one side with a verb of its own is a
			// statement of its own: "闲鱼上线微信小程序，并支持微信支付".
			for _, sg := range segs {
				if sg[0] >= end && sideMask(sg[0], sg[1]) != 0 && hasConn(sg[0], sg[1]) && startsConjunction(s[sg[0]:sg[1]]) {
					u.tail[1] = sg[0]
					oneSided = append(oneSided, unit{main: [2]int{sg[0], ch.end}})
					break
				}
			}
			units = append(units, u)
		case completeAt >= 0:
			// The names are spread over clauses; the statement ends where
			// both sides have been named (and its verb read) — unless the
			// clause naming the second side is a parallel statement with a
			// subject and verb of its own ("DingTalk said its assistant can
			// join meetings, and WeCom said its version will …").
			if completeAt > 0 && hasConn(ch.start, segs[completeAt-1][1]) && ar.parallel(p, segs[completeAt][0], segs[completeAt][1]) {
				separate = true
				break
			}
			end, ok, context := predicateEnd(s, segs, completeAt, hasConn, doubts)
			if !ok {
				continue
			}
			units = append(units, unit{main: [2]int{ch.start, end}, tail: [2]int{end, ch.end}, context: context})
		case first >= 0:
			oneSided = append(oneSided, unit{main: [2]int{ch.start, ch.end}})
		}
	}
	if len(units) == 0 && !separate && sideMask(se.start, se.end) == 3 {
		// The two sides are in different clauses: read runs of clauses not
		// separated by a contrast together ("微信外链再松绑：单聊可打开淘宝链接").
		// Clauses after a semicolon, and parallel ones ("钉钉、阿里云也已接
		// 入"), are statements of their own.
		runStart := 0
		for i := 1; i <= len(se.chunks); i++ {
			if i < len(se.chunks) && !se.chunks[i].contrast && se.chunks[i].sep != ';' &&
				!ar.parallel(p, se.chunks[i].start, se.chunks[i].end) {
				continue
			}
			a, b := se.chunks[runStart].start, se.chunks[i-1].end
			if sideMask(a, b) == 3 {
				lastEnd := a
				for _, j := range ms {
					if m := p.mentions[j]; m.start >= a && m.end <= b && !excluded[j] && m.end > lastEnd {
						lastEnd = m.end
					}
				}
				chEnd := b
				for _, ch := range se.chunks {
					if ch.start <= lastEnd && lastEnd <= ch.end {
						chEnd = ch.end
					}
				}
				segEnd := chEnd
				if k := strings.IndexAny(s[lastEnd:chEnd], ",;:"); k >= 0 {
					segEnd = lastEnd + k
				}
				units = append(units, unit{main: [2]int{a, segEnd}, tail: [2]int{segEnd, chEnd}})
				oneSided = nil
			}
			runStart = i
		}
	}
	type pending struct {
		u        unit
		oneSided bool
	}
	var all []pending
	for _, u := range units {
		all = append(all, pending{u, false})
	}
	for _, u := range oneSided {
		all = append(all, pending{u, true})
	}
	slices.SortFunc(all, func(a, b pending) int { return a.u.main[0] - b.u.main[0] })
	var got []*cand
	for _, pu := range all {
		question := qFrom >= 0 && pu.u.main[1] > qFrom
		for _, c := range ar.eval(pi, si, pu.u, ms, excluded, question, pu.oneSided, sentDate, inherited) {
			// Two clauses of one sentence about the same connection at the
			// same date are one statement ("opened WeChat Pay for internal
			// testing, allowing users to choose …").
			into := c
			for _, g := range got {
				if g.kind == c.kind && g.date == c.date && sameDevelopment(g.ents, c.ents) {
					g.live = g.live || c.live || c.stage == kLaunched || c.stage == kExpanded
					g.stage = mergedStage(g.stage, g.ents, c.stage, c.ents)
					for side := range g.ents {
						g.ents[side] = union(g.ents[side], c.ents[side])
					}
					g.bg, g.bgWeak, g.recent = g.bg || c.bg, g.bgWeak || c.bgWeak, g.recent || c.recent
					g.anchored = g.anchored || c.anchored
					into = g
					break
				}
			}
			if into == c {
				got = append(got, c)
			}
			ar.last, ar.lastPi, ar.lastSi = into, pi, si
		}
	}
	for _, c := range got {
		c.order = len(ar.cands)
		ar.cands = append(ar.cands, c)
		if c.title {
			if ar.titleKinds == nil {
				ar.titleKinds = map[sources.Kind]bool{}
			}
			ar.titleKinds[c.kind] = true
		}
	}
}

// parallel reports whether the clause [a, b) is a statement of its own
// about another subject: it opens (after "and", 同时 …) with a name, and
// "also"/也 or a reporting verb follows the name closely ("and WeCom said
// its version …", "钉钉、阿里云也已接入", "同时，小红书也上线了…").
func (ar *articleRun) parallel(p *para, a, b int) bool {
	s := p.f.lower
	t := strings.TrimLeft(s[a:b], " ")
	for _, w := range []string{"and ", "while ", "whereas ", "but ", "meanwhile ", "同时", "此外", "另外", "与此同时", "而"} {
		if strings.HasPrefix(t, w) {
			t = strings.TrimLeft(t[len(w):], " ,")
			break
		}
	}
	subj := b - len(t) // where the clause's subject starts
	for _, c := range p.cuesIn(subj, b) {
		if c.c.flags&(fAlso|fReported) != 0 {
			return c.start-subj <= 24
		}
	}
	return false
}

// anaphors open a sentence that speaks of the statement before it without
// naming it again: "这是双方广告合作的进一步扩大", "The test is limited to …".
var anaphors = []string{
	"这是", "这也是", "这意味着", "此举", "此次", "这次", "这一", "这项", "该功能", "该服务", "该选项", "该能力", "这一功能", "这一变化", "上述",
	"this is", "this marks", "this means", "the move", "the change", "the feature", "the option", "the service",
	"the expansion", "the test", "the trial", "the pilot", "the rollout", "the tie up", "the deal", "the arrangement",
	"the account", "the partnership", "the function", "the integration", "该合作", "此次合作", "该账号", "这一合作",
}

// anaphor reads a sentence that names no entity but opens with an anaphor
// and says how far the connection just read has come: it widens, tests or
// halts that statement ("…新增微信搜一搜资源位。这是双方广告合作的进一步扩
// 大。"). It is a statement of the same connection with that stage.
func (ar *articleRun) anaphor(pi, si int, sentDate sources.Date) {
	last := ar.last
	if last == nil || last.watch != ar.watch {
		return
	}
	p := ar.paras[pi]
	if !(ar.lastPi == pi || (ar.lastPi == pi-1 && si == 0)) {
		return
	}
	se := p.sents[si]
	s := p.f.lower
	t := strings.TrimLeft(s[se.start:se.end], " ")
	if k := strings.IndexAny(t, ","); k >= 0 && k < 20 {
		t = strings.TrimLeft(t[k+1:], " ") // "据悉，这是…", "In effect, this is …"
	}
	opens := false
	for _, a := range anaphors {
		opens = opens || strings.HasPrefix(t, a)
	}
	if !opens {
		return
	}
	// Its own clause only: the first one, up to a comma ("The move removes
	// a barrier between the groups, which for years kept them walled off").
	end := se.end
	if k := strings.IndexAny(s[se.end-len(t):se.end], ",;:"); k >= 0 {
		end = se.end - len(t) + k
	}
	var stage sources.Stage
	var best float32
	for _, c := range p.cuesIn(se.start, end) {
		if c.c.flags&(fNeg|fHedge|fCould|fCond|fQuestion|fDirective|fPlan|fBg|fUndo) != 0 {
			return
		}
		if c.c.stageW >= 1.5 && c.c.stageW > best && (c.c.stage == kExpanded || c.c.stage == kTesting || c.c.stage == kHalted) {
			stage, best = c.c.stage, c.c.stageW
		}
	}
	if stage == "" {
		return
	}
	c := *last
	c.ents = cloneEnts(last.ents)
	c.stage = stage
	c.title, c.body = p.idx < 0, p.idx
	c.evidence = trimSentence(p.text[p.f.orig[se.start]:p.f.orig[se.end]])
	c.also, c.live = false, false
	if !sentDate.IsZero() {
		c.date = sentDate
	}
	c.order = len(ar.cands)
	ar.cands = append(ar.cands, &c)
	ar.last, ar.lastPi, ar.lastSi = &c, pi, si
}

// startsConjunction reports whether a clause opens with "and" or 并: a
// new statement about the same subject.
func startsConjunction(seg string) bool {
	seg = strings.TrimLeft(seg, " ")
	for _, w := range []string{"and ", "and also ", "also ", "while also ", "allowing ", "letting ", "enabling ", "a move that ", "which would ", "when ", "并", "并且", "同时", "还", "也", "以及", "此外", "上线后", "届时", "此后",
		// A Chinese clause opening with its verb shares the subject before:
		// "飞猪上线微信小程序，可用微信支付订机票".
		"可", "能", "支持", "即可", "用户可", "用户能", "消费者可"} {
		if strings.HasPrefix(seg, w) {
			return true
		}
	}
	return false
}

// predicateEnd returns where a statement whose names end in segment last
// ends: there, when its verb is already read, or else at the end of the
// first later segment (not a relative clause) with a verb — the subject
// comes first ("The Tmall Youpin mini program, which went live in June, can
// no longer be found"; "企业微信用户收到钉钉会议链接后，无需下载即可加入会议").
// A segment that is a subordinate clause ("在飞猪小程序内下单时", "when
// users order in …") is not the statement: its main clause, further on,
// is.
//
// A segment that negates or doubts is someone else's statement and ends
// the search: "微信支付将覆盖全部商家，此前部分商品仍不支持微信支付". When
// that segment is the main clause of the names' subordinate one ("在微信内
// 打开淘宝链接下单时，付款仍只能通过支付宝完成"), the whole statement is
// doubted: ok is false.
//
// A subordinate clause whose main clause says nothing of the connection
// ("淘宝天猫接入微信支付后，不少网友提问…") is context: the statement is
// read, but as something that happened before (context is true).
func predicateEnd(s string, segs [][2]int, last int, hasConn func(a, b int) bool, doubts func(a, b int) bool) (end int, ok, context bool) {
	sub := isSubordinate(s[segs[last][0]:segs[last][1]])
	if !sub && hasConn(segs[0][0], segs[last][1]) {
		return segs[last][1], true, false
	}
	for i := last + 1; i < len(segs); i++ {
		if doubts(segs[i][0], segs[i][1]) {
			if sub && i == last+1 {
				return segs[last][1], false, false
			}
			break
		}
		if isRelativeSeg(s[segs[i][0]:segs[i][1]]) {
			continue
		}
		if hasConn(segs[i][0], segs[i][1]) {
			return segs[i][1], true, false
		}
	}
	return segs[last][1], true, sub && last == 0 && hasConn(segs[0][0], segs[last][1])
}

// isSubordinate reports whether a comma-delimited segment is a time or
// condition clause that needs a main clause: "…下单时", "…之后", "when
// users order …".
func isSubordinate(seg string) bool {
	t := strings.TrimSpace(seg)
	for _, w := range []string{"时", "时候", "之时", "之后", "以后", "过程中", "期间"} {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	if strings.HasSuffix(t, "后") {
		for _, w := range []string{"最后", "然后", "此后", "随后", "今后", "落后", "背后", "幕后", "前后", "稍后"} {
			if strings.HasSuffix(t, w) {
				return false
			}
		}
		return true
	}
	for _, w := range []string{"when ", "whenever ", "once ", "as soon as ", "after ", "before ", "在用户"} {
		if strings.HasPrefix(t, w) {
			return true
		}
	}
	return false
}

// questionFrom returns where the asking part of a sentence starts (its
// last clause, when the sentence ends in a question mark), or -1. A Chinese
// sentence ending in ？ without a question word ("可直接用微信支付了？") is
// a headline's exclamation, not a question.
func (ar *articleRun) questionFrom(p *para, se sentence) int {
	t := strings.TrimRight(p.f.lower[se.start:se.end], " \"')")
	if !strings.HasSuffix(t, "?") || len(se.chunks) == 0 {
		return -1
	}
	last := se.chunks[len(se.chunks)-1]
	han := false
	for _, r := range t {
		if isHan(r) {
			han = true
			break
		}
	}
	if !han {
		return last.start
	}
	for _, c := range p.cuesIn(se.start, se.end) {
		if c.c.flags&fQuestion != 0 {
			return last.start
		}
	}
	return -1
}

// exclusions marks the mentions a sentence names only to set them aside
// (除支付宝外, "besides Alipay", "instead of Alipay") or to say whose
// another name is ("Alibaba's Taobao", 淘宝旗下的淘特).
func (ar *articleRun) exclusions(p *para, se sentence, ms []int) map[int]bool {
	s := p.f.lower
	out := map[int]bool{}
	segEnd := func(i int) int {
		if k := strings.IndexAny(s[i:se.end], ",;:"); k >= 0 {
			return i + k
		}
		return se.end
	}
	excludeSpan := func(a, b int) {
		for _, i := range ms {
			if m := p.mentions[i]; m.start >= a && m.end <= b {
				out[i] = true
			}
		}
	}
	for i := se.start; i < se.end; {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '除' && !strings.ContainsRune("删解排消去拆清免剔废扣开根切", lastRune(s, i)):
			// 除支付宝外
			e := segEnd(i)
			if k := strings.Index(s[i:e], "外"); k >= 0 {
				excludeSpan(i, i+k)
			}
		case r == '与' || r == '和' || r == '跟':
			// 与此前的阿里系小程序不同
			e := segEnd(i)
			if k := strings.Index(s[i:e], "不同"); k >= 0 {
				excludeSpan(i, i+k)
			}
		}
		i += n
	}
	ar.owners(p, se, ms, out)
	for _, c := range p.cuesIn(se.start, se.end) {
		if c.c.flags&fExclude == 0 {
			continue
		}
		e := segEnd(c.end)
		if k := strings.Index(s[c.end:e], "外"); k >= 0 {
			e = c.end + k
		}
		// The first name after the word, and the names listed with it.
		prevEnd := -1
		for _, i := range ms {
			m := p.mentions[i]
			if m.start < c.end || m.start >= e {
				continue
			}
			if prevEnd < 0 {
				if m.start-c.end > 40 {
					break
				}
			} else if !coordinated(s[prevEnd:m.start]) {
				break
			}
			out[i] = true
			prevEnd = m.end
		}
	}
	return out
}

// coordinated reports whether the text between two names only lists them
// ("Alipay and WeChat Pay", 支付宝、微信支付).
func coordinated(gap string) bool {
	g := strings.TrimSpace(gap)
	if g == "" {
		return false // 闲鱼小程序: one name qualifies the other
	}
	for g != "" {
		trimmed := false
		for _, t := range []string{"as well as", "and", "or", "both", "&", "/", ",", "、", "和", "与", "及", "以及", "或", "'s", "\"", "旗下的", "旗下"} {
			if strings.HasPrefix(g, t) {
				rest := g[len(t):]
				if isLatin(t[0]) && rest != "" && isAlnum(rest[0]) {
					continue
				}
				g = strings.TrimSpace(rest)
				trimmed = true
				break
			}
		}
		if !trimmed {
			return false
		}
	}
	return true
}

// stagePriority breaks ties between stages read with equal weight.
var stagePriority = map[sources.Stage]int{
	kHalted: 5, kTesting: 4, kExpanded: 3, kLaunched: 2, kAnnounced: 1,
}

// eval reads one unit: its names, kind, stage, date and markers.
func (ar *articleRun) eval(pi, si int, u unit, ms []int, excluded map[int]bool, question, oneSided bool,
	sentDate, inherited sources.Date) []*cand {
	d := ar.d
	p := ar.paras[pi]
	s := p.f.lower
	w := ar.watch
	info := &d.watches[w]
	in := func(x, r [2]int) bool { return x[0] >= r[0] && x[0] < r[1] }

	var sideMs [2][]mention
	for _, i := range ms {
		m := p.mentions[i]
		if !excluded[i] && in([2]int{m.start, m.end}, u.main) {
			sideMs[m.side] = append(sideMs[m.side], m)
		}
	}
	// A list of names runs on past the clause: "in Ele.me, video platform
	// Youku and ticketing service Damai, the company said".
	for _, sg := range segments(s, u.tail[0], u.tail[1]) {
		var more []mention
		stop := false
		for _, c := range p.cuesIn(sg[0], sg[1]) {
			if c.end <= sg[1] && (c.c.conn >= 0.6 || c.c.flags&(fNeg|fHedge|fCould|fCond|fQuestion|fDirective|fContrast|fBg|fBgWeak) != 0) {
				stop = true
			}
		}
		for _, i := range ms {
			m := p.mentions[i]
			if !excluded[i] && m.start >= sg[0] && m.end <= sg[1] {
				if len(sideMs[m.side]) == 0 {
					stop = true
				}
				more = append(more, m)
			}
		}
		if stop || len(more) == 0 {
			break
		}
		for _, m := range more {
			sideMs[m.side] = append(sideMs[m.side], m)
		}
	}
	var (
		neg, hedge, cond, directive, plan, mutual bool
		future                                    bool
		bg, bgWeak, recent, also                  bool
		testWord                                  bool // a word of testing itself, not only a restriction
		joinVerb                                  bool // a verb of connecting: 接入, "added it"
		reportedAt                                = -1
		conn                                      float32
		stageW                                    = map[sources.Stage]float32{}
		kindW                                     = map[sources.Kind]float32{}
	)
	mainCues, tailCues := []cueHit{}, []cueHit{}
	for _, c := range p.cuesIn(u.main[0], max(u.main[1], u.tail[1])) {
		switch {
		case in([2]int{c.start, c.end}, u.main):
			mainCues = append(mainCues, c)
		case in([2]int{c.start, c.end}, u.tail):
			tailCues = append(tailCues, c)
		}
	}
	segEndAfter := func(i int) int {
		if k := strings.IndexAny(s[i:], ",;:"); k >= 0 {
			return i + k
		}
		return len(s)
	}
	for ci, c := range mainCues {
		f := c.c.flags
		if f&fNeg != 0 {
			neg = true
		}
		if f&fWithout != 0 {
			e := min(segEndAfter(c.end), c.end+30)
			for _, m := range sideMs[0] {
				neg = neg || (m.start >= c.end && m.start < e)
			}
			for _, m := range sideMs[1] {
				neg = neg || (m.start >= c.end && m.start < e)
			}
		}
		if f&fReported != 0 && reportedAt < 0 {
			reportedAt = c.start
		}
		if f&fHedge != 0 {
			hedge = true
		}
		if f&fCould != 0 {
			if reportedAt < 0 || reportedAt > c.start {
				hedge = true
			} else {
				future = true // "said it would accept": reported future
			}
		}
		if f&fPlan != 0 {
			future = true
		}
		if f&fCond != 0 {
			cond = true
		}
		if f&fQuestion != 0 {
			question = true
		}
		if f&fDirective != 0 {
			directive = true
		}
		if f&fToVerb != 0 {
			// "Taobao to add WeChat Pay": a subject right before "to" + verb
			// is a headline's future.
			for _, side := range sideMs {
				for _, m := range side {
					if m.end <= c.start && c.start-m.end <= 1 {
						stageW[kAnnounced] = max(stageW[kAnnounced], 1.6)
						conn = max(conn, 1)
					}
				}
			}
		}
		if c.c.stage == kAnnounced && c.c.stageW >= 1.5 {
			plan = true // plans to, is preparing, 计划: a plan even when hedged
		}
		if f&fMutual != 0 {
			mutual = true
		}
		if f&fBg != 0 && !attributive(s, c.end) {
			bg = true
		}
		if f&fBgWeak != 0 {
			bgWeak = true
		}
		if f&fRecent != 0 {
			recent = true
		}
		if f&fAlso != 0 {
			also = true
		}
		if f&fJoin != 0 {
			joinVerb = true
		}
		if c.c.stage == kTesting && c.c.stageW >= 1 && f&(fRestrict|fSome) == 0 {
			testWord = true
		}
		sw := c.c.stageW
		if f&fNoLonger != 0 {
			// "no longer needs to copy the link" removes a barrier.
			for _, c2 := range mainCues[ci+1:] {
				if c2.start-c.end < 25 && c2.c.flags&fBarrier != 0 {
					sw = 0
				}
			}
		}
		if c.c.stage == kHalted && sw > 0 {
			// "解除对淘宝链接的屏蔽", "lifted the ban": opening, not a halt.
			for _, c0 := range mainCues[:ci] {
				if c0.c.flags&fUndo != 0 && c.start-c0.end < 30 && !strings.ContainsAny(s[c0.end:c.start], ",;:") {
					stageW[kLaunched] = max(stageW[kLaunched], sw)
					sw = 0
				}
			}
		}
		if f&fSome != 0 {
			for _, c2 := range mainCues[ci+1:] {
				if c2.start-c.end < 30 && c2.c.flags&fUsers != 0 && !strings.ContainsAny(s[c.end:c2.start], ",;:") {
					stageW[restrictedStage(s, c.start)] = max(stageW[restrictedStage(s, c.start)], 2)
					conn = max(conn, 0.6)
				}
			}
		}
		if c.c.stage == kTesting && f&fRestrict != 0 && sw > 0 && restrictedStage(s, c.start) == kExpanded {
			// "instead of only for some accounts": a restriction lifted.
			stageW[kExpanded] = max(stageW[kExpanded], sw)
			sw = 0
		}
		if c.c.stage == kExpanded && extendsTo(s, c.end) {
			stageW[kExpanded] = max(stageW[kExpanded], 1.6) // "extended WeChat Pay to all of its users"
			conn = max(conn, 1)
		}
		if sw > 0 {
			stageW[c.c.stage] = max(stageW[c.c.stage], sw)
		}
		conn = max(conn, c.c.conn)
		if c.c.kindW > 0 {
			kindW[c.c.kind] += c.c.kindW
		}
	}
	// Trailing phrases that negate or doubt are another statement
	// ("…，此前部分商品仍不支持微信支付"): none of their words count.
	tailCues = slices.DeleteFunc(tailCues, func(c cueHit) bool {
		a := strings.LastIndexAny(s[u.tail[0]:c.start], ",;:") + u.tail[0] + 1
		b := u.tail[1]
		if k := strings.IndexAny(s[c.end:u.tail[1]], ",;:"); k >= 0 {
			b = c.end + k
		}
		for _, c2 := range p.cuesIn(a, b) {
			if c2.end <= b && c2.c.flags&(fNeg|fHedge|fCould|fCond|fQuestion|fDirective) != 0 {
				return true
			}
		}
		return false
	})
	for _, c := range tailCues {
		f := c.c.flags
		if f&fRecent != 0 {
			recent = true
		}
		// A trailing restriction ("…, to some users only") holds in full;
		// other trailing stages count half; a trailing halt is
		// usually someone else's ("after regulators told platforms to stop
		// shutting out rivals").
		switch {
		case c.c.stageW == 0 || c.c.stage == kHalted || f&fNoLonger != 0:
		case c.c.stage == kTesting && f&fRestrict != 0:
			st := restrictedStage(s, c.start)
			stageW[st] = max(stageW[st], c.c.stageW)
		case c.c.stage == kExpanded:
			stageW[c.c.stage] = max(stageW[c.c.stage], c.c.stageW)
			if extendsTo(s, c.end) {
				stageW[kExpanded] = max(stageW[kExpanded], 1.6)
			}
		default:
			stageW[c.c.stage] = max(stageW[c.c.stage], c.c.stageW/2)
		}
		if f&fSome != 0 {
			for _, c2 := range tailCues {
				if c2.start > c.end && c2.start-c.end < 30 && c2.c.flags&fUsers != 0 && !strings.ContainsAny(s[c.end:c2.start], ",;:") {
					stageW[restrictedStage(s, c.start)] = max(stageW[restrictedStage(s, c.start)], 2)
				}
			}
		}
		conn = max(conn, c.c.conn/2)
		if c.c.kindW > 0 {
			kindW[c.c.kind] += c.c.kindW / 2
		}
	}
	if neg || cond || question || directive {
		return nil
	}
	// A clause whose verb comes after its names' clause (Chinese topic
	// first: "企业微信用户收到钉钉会议链接后，无需下载即可直接加入会议")
	// reads on into the trailing phrases for its verb.
	if conn < 0.6 {
		for _, c := range tailCues {
			if c.c.conn >= 0.6 && c.c.stage != kHalted && c.c.flags&(fNeg|fHedge|fCould|fCond|fQuestion|fDirective|fNoLonger) == 0 {
				conn = c.c.conn
				if c.c.stageW > 0 {
					stageW[c.c.stage] = max(stageW[c.c.stage], c.c.stageW)
				}
				break
			}
			if c.c.flags&(fNeg|fHedge|fCould|fCond|fQuestion|fDirective) != 0 {
				break
			}
		}
	}
	// Kind: cue words, then what the names imply.
	bonus := map[int]bool{} // mentions governed by a verb of their own
	var ownKind float32
	for k := range kindW {
		ownKind = max(ownKind, kindW[k])
	}
	// The kind of what the verb governs ("菜鸟裹裹寄件支持微信支付": WeChat
	// Pay) outweighs the kind of the other names, which say who acts, not
	// what connects.
	anchorW := map[int]float32{}
	someGoverned := false
	for side := range sideMs {
		for i, m := range sideMs[side] {
			an := info.anchors[side][m.entity]
			if an.kind == "" {
				continue
			}
			wgt := an.w
			if governed(s, m, mainCues, p.dates, sideMs, false) {
				// A mini program that is launched is the news itself.
				wgt += 1
				if an.kind == kMiniProgram {
					wgt += 0.5
				}
				bonus[side*1000+i] = true
				someGoverned = true
			}
			anchorW[side*1000+i] = wgt
		}
	}
	for key, wgt := range anchorW {
		side, i := key/1000, key%1000
		if someGoverned && !bonus[key] {
			wgt /= 2
		}
		kindW[info.anchors[side][sideMs[side][i].entity].kind] += wgt
	}
	var bestW float32
	for _, v := range kindW {
		bestW = max(bestW, v)
	}
	ownKind = bestW
	// Statements naming only the two companies ("Alibaba offered Tencent an
	// olive branch") need words of their own for what connects.
	companies := len(entitySet(sideMs[0])) == 1 && entitySet(sideMs[0])[0] == 0 &&
		len(entitySet(sideMs[1])) == 1 && entitySet(sideMs[1])[0] == 0
	if companies && ownKind < 1 {
		return nil
	}
	if p.idx >= 0 {
		for k := range ar.titleKinds {
			if kindW[k] > 0 {
				kindW[k] += 1
			}
		}
	}
	// What the article is about breaks ties between the kinds the clause
	// supports, and decides when the clause says nothing of its kind.
	for k, v := range ar.prior {
		if bestW == 0 {
			kindW[k] += 0.6 * v
		} else if kindW[k] > 0 {
			kindW[k] += 0.4 * v
		}
	}
	kind, kw := bestKind(kindW)
	if kw <= 0 {
		kind = ""
	}
	// A clause with no word of its kind after one that has it, in the same
	// sentence, says more of the same: "天猫优品小程序现身微信，阿里再试水微信
	// 生态".
	if bestW == 0 && ar.last != nil && ar.last.watch == w && ar.lastPi == pi && ar.lastSi == si {
		kind = ar.last.kind
	}
	// Stage.
	if conn < 0.6 {
		return nil
	}
	stage := sources.Stage("")
	var best float32
	for st, v := range stageW {
		if v > best || (v == best && stagePriority[st] > stagePriority[stage]) {
			stage, best = st, v
		}
	}
	if stage == "" {
		stage = kLaunched
	}
	// A plan that starts small is a plan: "plan to let brands measure
	// campaigns …, starting with a small group of advertisers".
	if stage == kTesting && !testWord && stageW[kAnnounced] >= 2 {
		stage = kAnnounced
	}
	// A launch that deepens or widens something is an expansion: "can now
	// buy Channels ads …, deepening a partnership".
	if stage == kLaunched && stageW[kExpanded] >= 1.5 {
		stage = kExpanded
	}
	// A launch in the future tense is announced: "淘宝将于下周全面接入微信
	// 支付", "said it would accept WeChat Pay".
	if future && (stage == kLaunched || stage == kExpanded) && stageW[kLaunched] < 2 {
		stage = kAnnounced
	}
	// A clause that only continues the sentence's plan ("…正在筹备微信小
	// 程序，上线后或可使用微信支付") shares its stage.
	sameSentence := oneSided && ar.last != nil && ar.last.watch == w && ar.lastPi == pi && ar.lastSi == si
	if sameSentence && ar.last.stage == kAnnounced && best < 1.5 {
		plan, stage = true, kAnnounced
	}
	if hedge {
		if !plan {
			return nil
		}
		stage = kAnnounced
	}
	// Date and markers.
	// A date in a relative clause ("…, which went live in June, …")
	// belongs to the clause, not to the statement.
	date := sources.Date{}
	dateInferred := false
	var relDate sources.Date
	for _, span := range [][2]int{u.main, u.tail} {
		for _, dh := range p.dates {
			if !in([2]int{dh.start, dh.end}, span) || !date.IsZero() {
				continue
			}
			if inRelativeClause(s, dh.start, span[0]) {
				if relDate.IsZero() {
					relDate = dh.date
				}
				continue
			}
			date = dh.date
			dateInferred = dh.inferred
			recent = recent || dh.recent
		}
	}
	if date.IsZero() {
		date = relDate
	}
	// A plan's month without a year lies ahead: "from September", said in
	// August, is this September.
	if stage == kAnnounced && dateInferred && date.Year < ar.refYear() {
		date.Year++
	}
	if date.IsZero() {
		date = sentDate
	}
	if date.IsZero() && !recent {
		date = inherited // but "Now, …" starts from the present again
	}
	se := p.sents[si]
	evidence := trimSentence(p.text[p.f.orig[se.start]:p.f.orig[se.end]])
	mk := func(kind sources.Kind, ents [2][]int) *cand {
		c := &cand{watch: w, ents: ents, kind: kind, stage: stage, date: date, title: p.idx < 0, body: p.idx,
			evidence: evidence, bg: bg, bgWeak: bgWeak || u.context, recent: recent, also: also}
		for side := range sideMs {
			for i, m := range sideMs[side] {
				if bonus[side*1000+i] && info.anchors[side][m.entity].kind == kind {
					c.anchored = true
				}
			}
		}
		ar.upgradePayment(c)
		if kind == kPayment {
			dropIncumbent(info, &c.ents)
		}
		return c
	}
	if oneSided {
		// A clause naming one side only borrows the other side from the
		// statement just before it, when it says something of its own.
		if ar.last == nil || ar.last.watch != w || (!sameSentence && (best < 1 || conn < 1)) {
			return nil
		}
		// Across sentences only a stage word of its own carries ("have
		// applied for access", "to some users only"); "Taote was launched
		// in 2021" is about the app, not the connection.
		same := ar.lastPi == pi && ar.lastSi == si
		near := (ar.lastPi == pi && si-ar.lastSi == 1) || (ar.lastPi == pi-1 && si == 0)
		specific := false
		for _, side := range sideMs {
			for _, m := range side {
				specific = specific || m.entity != 0
			}
		}
		if !same && !(near && (stage != kLaunched || joinVerb) && specific) {
			return nil
		}
		var ents [2][]int
		for side := range sideMs {
			if len(sideMs[side]) == 0 {
				ents[side] = slices.Clone(ar.last.ents[side])
			} else {
				ents[side] = entitySet(sideMs[side])
			}
		}
		if ownKind < 0.5 || kind == "" {
			kind = ar.last.kind
		}
		return []*cand{mk(kind, ents)}
	}
	if kind == "" || len(sideMs[0]) == 0 || len(sideMs[1]) == 0 {
		return nil
	}
	lo, hi := p.mentionRange(p.sents[si].start, p.sents[si].end)
	if !mutual && !anyConnectedPair(s, sideMs, p.mentions[lo:hi]) {
		return nil
	}
	// Two payment tools side by side ("美团接入支付宝后，微信支付仍是主要方
	// 式") are not connected to each other unless the text says so.
	if kind == kPayment && !mutual && onlyProviders(info, sideMs, kPayment) {
		return nil
	}
	// A second kind with its own name and verb: "闲鱼上线微信小程序并支持微信支付".
	var out []*cand
	primary := [2][]mention{slices.Clone(sideMs[0]), slices.Clone(sideMs[1])}
	seen := map[sources.Kind]bool{kind: true}
	for side := range sideMs {
		for i, m := range sideMs[side] {
			an := info.anchors[side][m.entity]
			if an.kind == "" || seen[an.kind] || !bonus[side*1000+i] || kindW[an.kind] < 1.2 || !governed(s, m, mainCues, p.dates, sideMs, true) {
				continue
			}
			seen[an.kind] = true
			var ents [2][]int
			var own []mention
			for _, m2 := range sideMs[side] {
				if info.anchors[side][m2.entity].kind == an.kind {
					own = append(own, m2)
				}
			}
			ents[side] = entitySet(own)
			ents[1-side] = entitySet(sideMs[1-side])
			out = append(out, mk(an.kind, ents))
			rest := slices.DeleteFunc(slices.Clone(primary[side]), func(x mention) bool {
				return info.anchors[side][x.entity].kind == an.kind
			})
			if len(rest) > 0 {
				primary[side] = rest
			}
		}
	}
	out = append([]*cand{mk(kind, [2][]int{entitySet(primary[0]), entitySet(primary[1])})}, out...)
	return out
}

// inRelativeClause reports whether byte i sits in a comma-delimited
// relative clause (", which …,") that starts after from.
func inRelativeClause(s string, i, from int) bool {
	k := strings.LastIndexAny(s[from:i], ",")
	if k < 0 {
		return false
	}
	return isRelativeSeg(s[from+k+1 : i])
}

// isRelativeSeg reports whether a comma-delimited segment is a relative
// clause.
func isRelativeSeg(seg string) bool {
	seg = strings.TrimLeft(seg, " ")
	for _, w := range []string{"which ", "who ", "whose ", "where ", "that "} {
		if strings.HasPrefix(seg, w) {
			return true
		}
	}
	return false
}

// governed reports whether a verb or article sits right by a name, so the
// name is what the clause is about ("launched a WeChat mini program", "支持
// 微信支付", "小程序已经上线"), not where something happens.
//
// With before set, only a word before the name counts. A verb after an
// English plural ("mini-programs will be opened to Taobao") governs a place,
// not a thing, and does not count.
//
// A verb right after a name governs it only when no other name follows the
// verb: in "菜鸟裹裹上线微信小程序" the verb's object is the mini program.
func governed(s string, m mention, cues []cueHit, dates []dateHit, ms [2][]mention, before bool) bool {
	if locative(s[:m.start]) {
		return false // "在微信小程序投放广告", "ads in mini programs": a place
	}
	plural := isLatin(s[m.end-1]) && s[m.end-1] == 's'
	// Dates between the name and the verb do not count: 小程序于2024年1月上线.
	gap := func(a, b int) int {
		n := b - a
		for _, d := range dates {
			if d.start >= a && d.end <= b {
				n -= d.end - d.start
			}
		}
		return n
	}
	for _, c := range cues {
		if c.c.conn < 0.6 {
			continue
		}
		if c.end <= m.start && gap(c.end, m.start) <= 12 {
			return true
		}
		if !before && !plural && c.start >= m.end && gap(m.end, c.start) <= 12 {
			object := false
			for _, side := range ms {
				for _, o := range side {
					object = object || (o.start >= c.end && o.start-c.end <= 12)
				}
			}
			if !object {
				return true
			}
		}
	}
	prev := strings.TrimRight(s[:m.start], " ")
	for _, a := range []string{" a", " an", " its", " own", "一款", "一个"} {
		if strings.HasSuffix(prev, a) {
			return true
		}
	}
	return false
}

// restrictedStage is the stage a restriction ("some users", 部分用户) at
// byte i stands for: testing, or expanded when the words before it lift
// the restriction ("instead of only for some accounts", 不再仅限部分用户).
func restrictedStage(s string, i int) sources.Stage {
	before := s[max(0, i-28):i]
	for _, w := range []string{"instead of", "rather than", "no longer", "not just", "not only", "beyond", "不再仅", "不再只", "不仅", "不只", "不再局限于"} {
		if strings.Contains(before, w) {
			return kExpanded
		}
	}
	return kTesting
}

// extendsTo reports whether a widening verb ending at byte i reaches "to
// all", "to more", "to every" … within its clause: "extended WeChat Pay to
// all of its users".
func extendsTo(s string, i int) bool {
	rest := s[i:min(len(s), i+48)]
	if k := strings.IndexAny(rest, ",;:."); k >= 0 {
		rest = rest[:k]
	}
	for _, w := range []string{" to all", " to more", " to every", " to other", " to the rest", " to its other", " to group", "到全部", "至全部", "到所有", "至所有", "到更多", "至更多"} {
		if strings.Contains(rest, w) {
			return true
		}
	}
	return false
}

// attributive reports whether the history word before byte i only
// qualifies a name: "此前上线微信的“天猫优品”小程序已无法搜到" is news about
// the mini program, not history.
func attributive(s string, i int) bool {
	rest := s[i:min(len(s), i+30)]
	k := strings.Index(rest, "的")
	if k <= 0 || strings.ContainsAny(rest[:k], ",;:.!?") || strings.Contains(rest[:k], "。") {
		return false
	}
	return isHan(nextRune(rest, 0))
}

// locative reports whether the text before a name ends with a word that
// makes the name a place: "in", "on", 在.
func locative(before string) bool {
	b := strings.TrimRight(before, " ")
	for _, w := range []string{" in", " on", " inside", " within", " across", " via", " through", "在", "于", "从", "通过", "借助"} {
		if strings.HasSuffix(b, w) {
			return true
		}
	}
	return false
}

// anyConnectedPair reports whether some name of one side and some name of
// the other are more than a list of parallel subjects.
//
// Other names between the two (all of the sentence's, owners included:
// "Alibaba's DingTalk and Tencent's WeCom") do not break a list.
func anyConnectedPair(s string, sideMs [2][]mention, between []mention) bool {
	for _, a := range sideMs[0] {
		for _, b := range sideMs[1] {
			x, y := a, b
			if y.start < x.start {
				x, y = y, x
			}
			if x.end > y.start {
				return true
			}
			var gap strings.Builder
			at := x.end
			for _, m := range between {
				if m.start >= at && m.end <= y.start {
					gap.WriteString(s[at:m.start])
					gap.WriteString(" ")
					at = m.end
				}
			}
			gap.WriteString(s[at:y.start])
			if !coordinated(gap.String()) {
				return true
			}
		}
	}
	return false
}

func bestKind(m map[sources.Kind]float32) (sources.Kind, float32) {
	var best sources.Kind
	var bw float32
	for _, k := range sources.Kinds {
		if v := m[k]; v > bw {
			best, bw = k, v
		}
	}
	return best, bw
}

// onlyProviders reports whether every named entity other than the
// companies is itself a provider of the kind (a wallet for payments), on
// both sides: Alipay next to WeChat Pay. A company with the other side's
// wallet ("Alibaba opens its apps to WeChat Pay") is a connection.
func onlyProviders(info *watchInfo, sideMs [2][]mention, k sources.Kind) bool {
	for side := range sideMs {
		provider := false
		for _, m := range sideMs[side] {
			if m.entity != 0 && info.anchors[side][m.entity].kind != k {
				return false
			}
			provider = provider || m.entity != 0
		}
		if !provider {
			return false
		}
	}
	return true
}

// mergedStage is the stage of two statements of one development: the one
// naming the more specific entities gives it ("阿里试水微信小程序" defers to
// "天猫超市小程序现身微信"); between equals the stronger stage wins.
func mergedStage(a sources.Stage, ae [2][]int, b sources.Stage, be [2][]int) sources.Stage {
	sa, sb := specificity(ae), specificity(be)
	switch {
	case sa > sb:
		return a
	case sb > sa:
		return b
	case stagePriority[b] > stagePriority[a]:
		return b
	}
	return a
}

// sameDevelopment reports whether two statements name the same entities:
// on each side a shared entity, or only the company on one of them.
func sameDevelopment(a, b [2][]int) bool {
	for side := range a {
		if !overlapsSpecific(a[side], b[side]) && !isCompany(a[side]) && !isCompany(b[side]) {
			return false
		}
	}
	return true
}

func union(a, b []int) []int {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func entitySet(ms []mention) []int {
	var out []int
	for _, m := range ms {
		if !slices.Contains(out, m.entity) {
			out = append(out, m.entity)
		}
	}
	slices.Sort(out)
	return out
}

// upgradePayment reads "pay with WeChat" as WeChat Pay: in a payment event,
// a side that names none of its payment entity but names the app it belongs
// to ("WeChat" for "WeChat Pay") gains it.
func (ar *articleRun) upgradePayment(c *cand) {
	if c.kind != kPayment {
		return
	}
	info := &ar.d.watches[c.watch]
	for side := range c.ents {
		pe := info.payEnt[side]
		if pe < 0 || slices.Contains(c.ents[side], pe) {
			continue
		}
		for _, e := range c.ents[side] {
			if info.parentApp(side, e) {
				c.ents[side] = append(c.ents[side], pe)
				slices.Sort(c.ents[side])
				c.upgraded[side] = true
				break
			}
		}
	}
}

// parentApp reports whether entity e of a side is the app whose payment
// entity the side has ("WeChat" for "WeChat Pay").
func (info *watchInfo) parentApp(side, e int) bool {
	pe := info.payEnt[side]
	return pe >= 0 && e != 0 && e != pe && strings.HasPrefix(info.names[side][pe], info.names[side][e]+" ")
}

// dropIncumbent removes, from a payment statement naming both sides'
// payment entities, the one of the side whose app takes the other's: in
// "Taote adds WeChat Pay next to Alipay" Alipay is what was there before,
// not a participant.
func dropIncumbent(info *watchInfo, ents *[2][]int) {
	for side := range ents {
		pe, other := info.payEnt[side], info.payEnt[1-side]
		if pe < 0 || other < 0 || !slices.Contains(ents[side], pe) || !slices.Contains(ents[1-side], other) {
			continue
		}
		app := false
		for _, e := range ents[side] {
			app = app || (e != 0 && e != pe && info.anchors[side][e].kind != kPayment && !info.parentApp(side, e))
		}
		if app {
			ents[side] = slices.DeleteFunc(slices.Clone(ents[side]), func(e int) bool { return e == pe })
		}
	}
}
