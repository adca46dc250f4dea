package detect

import (
	"slices"
	"time"

	"github.com/wallwatch/worker/sources"
)

// Where the headline may be read without a recency marker: the title and
// the opening paragraphs.
const openingParagraphs = 3

// Dates further than this before the publication date are history.
const (
	oldDays    = 31
	recentDays = 10
)

// ageDays is how many days the end of d lies before ref (0 when d reaches
// ref or later).
func ageDays(d, ref sources.Date) int {
	if d.IsZero() || ref.IsZero() {
		return 0
	}
	end := d.Start(time.UTC)
	switch {
	case d.Month == 0:
		end = end.AddDate(1, 0, -1)
	case d.Day == 0:
		end = end.AddDate(0, 1, -1)
	}
	days := int(ref.Start(time.UTC).Sub(end).Hours() / 24)
	return max(days, 0)
}

// group is one development an article reports or retells.
type group struct {
	watch   int
	ents    [2][]int
	kind    sources.Kind
	stage   sources.Stage
	members []*frame
	near    []int // paragraphs of statements that joined it silently
}

// nearBody reports whether paragraph body holds, or is next to, a
// statement of the group: an "also" statement adds its entities only there
// ("…群聊中的淘宝链接同样可以直接打开。闲鱼…的商品链接也能…直接访问"), not
// pages later, where it is another development.
func (g *group) nearBody(body int) bool {
	for _, m := range g.members {
		if body-m.body <= 1 && m.body-body <= 1 {
			return true
		}
	}
	for _, b := range g.near {
		if body-b <= 1 && b-body <= 1 {
			return true
		}
	}
	return false
}

func (g *group) first() *frame { return g.members[0] }

// live reports whether the group's stage says the connection works.
func (g *group) live() bool { return g.stage == kLaunched || g.stage == kExpanded }

// events turns an article's frames into its events: headline events (the
// news, merged per development) first, then background ones (history it
// retells). A frame is background when it is dated more than a month
// before the news or marked as history ("since", 此前, "11 years ago");
// headline when it sits in the title or the opening paragraphs, or is
// marked as recent further down while the opening reports nothing.
func (d *Detector) events(frames []*frame, published, now, ref time.Time, titleDoubt bool) []sources.Event {
	ageRef := sources.DateOf(published)
	if published.IsZero() {
		// Without a publication date, the latest date the frames give
		// that is not in the future stands in.
		ageRef = sources.Date{}
		for _, c := range frames {
			if !c.date.IsZero() && c.date.Start(time.UTC).Before(now) && dateAfter(c.date, ageRef) {
				ageRef = c.date
			}
		}
		if ageRef.IsZero() {
			ageRef = sources.DateOf(now)
		}
	}
	pubKnown, refDate := !published.IsZero(), sources.DateOf(ref)
	anchors, floating, history := sortFrames(frames, ageRef, titleDoubt)
	anchors, history = dropEarlyAnchors(anchors, history, ageRef)
	heads := d.headGroups(anchors)
	heads, history = absorb(d, heads, floating, history, ageRef)
	hist := historyGroups(history)
	widenLaunches(heads, hist, refDate, ageRef)
	out := make([]sources.Event, 0, len(heads)+len(hist))
	for _, g := range heads {
		out = append(out, d.event(g, true, pubKnown, refDate, ageRef))
	}
	headlineDates(out, pubKnown, refDate)
	for _, g := range hist {
		out = append(out, d.event(g, false, pubKnown, refDate, ageRef))
	}
	return out
}

// sortFrames sorts the frames into the headline's anchors, frames that may
// join a headline development, and history.
func sortFrames(frames []*frame, ageRef sources.Date, titleDoubt bool) (anchors, floating, history []*frame) {
	// When the title reports a development, the opening paragraphs'
	// statements of other kinds are its background or asides, not further
	// news — unless the kind comes from a name of the statement itself
	// ("上线后可使用微信支付").
	titleKinds := map[sources.Kind]bool{}
	for _, c := range frames {
		if c.title && !c.bg() && ageDays(c.date, ageRef) <= oldDays {
			titleKinds[c.kind] = true
		}
	}
	var later []*frame
	for _, c := range frames {
		old := ageDays(c.date, ageRef) > oldDays
		opening := c.title || c.body < openingParagraphs
		switch {
		case old || c.bg():
			history = append(history, c)
		case opening && c.bgWeak() && !c.title && !c.recent():
			history = append(history, c) // "… could already point to Alibaba's sites"
		case opening && (c.title || len(titleKinds) == 0 || titleKinds[c.kind] || c.anchored):
			anchors = append(anchors, c)
		case opening:
			floating = append(floating, c)
		case c.recent() && !c.bgWeak() && (c.date.IsZero() || ageDays(c.date, ageRef) <= recentDays):
			later = append(later, c)
		case c.bgWeak():
			history = append(history, c)
		default:
			floating = append(floating, c)
		}
	}
	return placeLater(anchors, floating, history, later, titleDoubt)
}

// placeLater places the recent news further down: it is the headline only
// when the title and the opening paragraphs report none; after opening
// paragraphs that do, or under a title that asks or says what does not
// work (an explainer), it is an aside.
func placeLater(anchors, floating, history, later []*frame, titleDoubt bool) ([]*frame, []*frame, []*frame) {
	if len(anchors) == 0 && !titleDoubt {
		return later, floating, history
	}
	floating = append(floating, later...)
	slices.SortFunc(floating, func(x, y *frame) int { return x.order - y.order })
	return anchors, floating, history
}

// dropEarlyAnchors moves to history the opening statements dated well
// before the news itself (the first headline statement's date, or the
// publication date when it gives none): "after Taobao opened its checkout
// to WeChat Pay in September", "Last month Xianyu launched …".
func dropEarlyAnchors(anchors, history []*frame, ageRef sources.Date) ([]*frame, []*frame) {
	if len(anchors) == 0 {
		return anchors, history
	}
	newsDate := anchors[0].date
	if newsDate.IsZero() {
		newsDate = ageRef
	}
	kept := anchors[:0]
	for _, c := range anchors {
		if !c.date.IsZero() && ageDays(c.date, newsDate) > recentDays {
			history = append(history, c)
			continue
		}
		kept = append(kept, c)
	}
	return kept, history
}

// headGroups merges the anchors into headline developments: statements
// with the same pair, kind and stage are one; statements of different
// stages are one when they name compatible entities (a title's "launches"
// and the text's "some users").
func (d *Detector) headGroups(anchors []*frame) []*group {
	var heads []*group
	for _, c := range anchors {
		i := slices.IndexFunc(heads, func(g *group) bool { return g.watch == c.watch && g.kind == c.kind && g.stage == c.stage })
		if i >= 0 {
			heads[i].add(c)
			continue
		}
		heads = append(heads, &group{watch: c.watch, ents: cloneEnts(c.ents), kind: c.kind, stage: c.stage, members: []*frame{c}})
	}
	for i := 0; i < len(heads); i++ {
		for j := i + 1; j < len(heads); j++ {
			a, b := heads[i], heads[j]
			if a.watch != b.watch || a.kind != b.kind || !d.compatible(a.ents, b.ents) {
				continue
			}
			a.stage = d.headStage(a, b)
			for _, m := range b.members {
				a.add(m)
			}
			heads = slices.Delete(heads, j, j+1)
			j = i
		}
	}
	for _, g := range heads {
		slices.SortFunc(g.members, func(x, y *frame) int { return x.order - y.order })
	}
	slices.SortFunc(heads, func(x, y *group) int { return x.first().order - y.first().order })
	return heads
}

// absorb lets the other statements of a headline development join it
// silently and returns the rest with the history. A statement that the
// connection now reaches more widens a launch; one that says the same of
// another entity with "also" adds it; "the arrangement is a trial for now"
// makes the launch a test.
func absorb(d *Detector, heads []*group, floating, history []*frame, ageRef sources.Date) ([]*group, []*frame) {
	var extra []*group
	for _, c := range floating {
		absorbed := false
		for _, g := range heads {
			if g.watch != c.watch || g.kind != c.kind {
				continue
			}
			if ng, ok := d.join(g, c, ageRef); ok {
				if ng != nil {
					extra = append(extra, ng)
				}
				absorbed = true
				break
			}
		}
		if !absorbed {
			history = append(history, c)
		}
	}
	slices.SortFunc(history, func(x, y *frame) int { return x.order - y.order })
	return append(heads, extra...), history
}

// join lets a statement join a headline development of its kind, if it
// is about the news itself (undated, or dated as it is): silently when it
// names compatible entities, as a widening or a narrowing of its stage,
// or, with "also", adding its entities — or as a development of its own
// beside the news when its stage differs ("Xianyu and Freshippo had also
// applied to add WeChat Pay"), returned as a new group.
func (d *Detector) join(g *group, c *frame, ageRef sources.Date) (*group, bool) {
	gd := groupDate(g, ageRef)
	same := c.date.IsZero() || slices.ContainsFunc(g.members, func(m *frame) bool { return m.date == c.date }) ||
		ageDays(c.date, gd) <= recentDays && !after(c.date, gd)
	widens := same && c.stage == kExpanded && g.live()
	narrows := same && c.stage == kTesting && g.stage == kLaunched
	near := c.also() && same && g.nearBody(c.body) &&
		(overlapsSpecific(g.ents[0], c.ents[0]) || overlapsSpecific(g.ents[1], c.ents[1]))
	switch {
	case d.compatible(g.ents, c.ents):
		g.near = append(g.near, c.body)
	case near && (c.stage == g.stage || widens || c.live() && g.live()):
		g.add(c)
	case near:
		return &group{watch: c.watch, ents: cloneEnts(c.ents), kind: c.kind, stage: c.stage, members: []*frame{c}}, true
	default:
		return nil, false
	}
	if widens {
		g.stage = kExpanded
	}
	if narrows {
		g.stage = kTesting
	}
	return nil, true
}

// headStage is the stage of two headline groups of one development: a
// title's plan or halt stays; otherwise mergedStage decides.
func (d *Detector) headStage(a, b *group) sources.Stage {
	at, bt := a.hasTitle(), b.hasTitle()
	switch {
	case at && !bt && slices.Contains(d.v.titleWins, a.stage):
		return a.stage
	case bt && !at && slices.Contains(d.v.titleWins, b.stage):
		return b.stage
	}
	for _, pair := range [][2]*group{{a, b}, {b, a}} {
		launch, test := pair[0], pair[1]
		// The first full launch after a trial is a launch.
		if launch.stage == kLaunched && test.stage == kTesting && launch.has(d.v.fullWins) {
			return kLaunched
		}
	}
	return d.mergedStage(a.stage, a.ents, b.stage, b.ents)
}

// has reports whether a statement of the group has one of the features.
func (g *group) has(f class) bool {
	return slices.ContainsFunc(g.members, func(m *frame) bool { return m.feat&f != 0 })
}

// hasTitle reports whether the title is one of the group's statements.
func (g *group) hasTitle() bool {
	return slices.ContainsFunc(g.members, func(m *frame) bool { return m.title })
}

// historyGroups merges background statements of one development.
func historyGroups(history []*frame) []*group {
	var hist []*group
	for _, c := range history {
		i := slices.IndexFunc(hist, func(g *group) bool {
			return g.watch == c.watch && g.kind == c.kind && g.stage == c.stage && g.first().date == c.date &&
				sameDevelopment(g.ents, c.ents)
		})
		if i >= 0 {
			hist[i].add(c)
			continue
		}
		hist = append(hist, &group{watch: c.watch, ents: cloneEnts(c.ents), kind: c.kind, stage: c.stage, members: []*frame{c}})
	}
	return hist
}

// widenLaunches makes a launch that connects what the article says was
// connected before (at a stated earlier date, live at least in part) an
// expansion of that connection. A mini program is a product of its own:
// another one is a launch. The first full launch after a trial is a
// launch: a trial is not live.
func widenLaunches(heads, hist []*group, ref, ageRef sources.Date) {
	for _, g := range heads {
		if g.stage != kLaunched || g.kind == kMiniProgram {
			continue
		}
		when := ref
		for _, m := range g.members {
			if !m.date.IsZero() && ageDays(m.date, ageRef) <= oldDays {
				when = m.date
				break
			}
		}
		for _, h := range hist {
			hd := h.first().date
			if h.watch == g.watch && h.kind == g.kind && h.first().live() &&
				!hd.IsZero() && earlier(hd, when) &&
				within(h.ents[0], g.ents[0]) && within(h.ents[1], g.ents[1]) {
				g.stage = kExpanded
				break
			}
		}
	}
}

// groupDate is the date of a development's news: its first dated
// statement's, or ref.
func groupDate(g *group, ref sources.Date) sources.Date {
	for _, m := range g.members {
		if !m.date.IsZero() {
			return m.date
		}
	}
	return ref
}

func (g *group) add(c *frame) {
	g.members = append(g.members, c)
	for side := range g.ents {
		for _, e := range c.ents[side] {
			if !slices.Contains(g.ents[side], e) {
				g.ents[side] = append(g.ents[side], e)
			}
		}
		slices.Sort(g.ents[side])
	}
}

// after reports whether d lies after ref at d's precision.
func after(d, ref sources.Date) bool {
	switch {
	case d.IsZero():
		return false
	case d.Month == 0:
		return d.Year > ref.Year
	case d.Day == 0:
		return monthsBefore(d, ref) > 0
	}
	return d.Start(time.UTC).After(ref.Start(time.UTC))
}

// earlier reports whether a lies in a month (or, for a bare year, a year)
// before b.
func earlier(a, b sources.Date) bool {
	if a.Month == 0 || b.Month == 0 {
		return a.Year < b.Year
	}
	return monthsBefore(b, a) >= 1
}

func cloneEnts(e [2][]int) [2][]int { return [2][]int{slices.Clone(e[0]), slices.Clone(e[1])} }

// overlapsSpecific is overlaps ignoring the company itself (entity 0).
func overlapsSpecific(a, b []int) bool {
	for _, x := range a {
		if x != 0 && slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// within reports whether a names some entity other than the company and
// all such entities are in b.
func within(a, b []int) bool {
	n := 0
	for _, x := range a {
		if x == 0 {
			continue
		}
		if !slices.Contains(b, x) {
			return false
		}
		n++
	}
	return n > 0
}

// specificity counts the sides that name more than the company.
func specificity(e [2][]int) int {
	n := 0
	for _, s := range e {
		if !isCompany(s) {
			n++
		}
	}
	return n
}

func isCompany(e []int) bool { return len(e) == 1 && e[0] == 0 }

// compatible reports whether two statements can be about one development.
// On each side they share an entity or one names only the company; or they
// share nothing at all (an ad deal's platforms and its destinations). Two
// statements that share one side but not the other are parallel
// developments: Ele.me taking WeChat Pay, Xianyu applying for it.
func (d *Detector) compatible(a, b [2][]int) bool {
	var ov [2]bool
	for side := range a {
		ov[side] = overlapsSpecific(a[side], b[side]) || isCompany(a[side]) || isCompany(b[side])
	}
	return ov[0] == ov[1]
}

// event builds the output event of a group.
func (d *Detector) event(g *group, headline, pubKnown bool, ref, ageRef sources.Date) sources.Event {
	info := &d.watches[g.watch]
	e := sources.Event{Pair: info.pair, Kind: g.kind, Stage: g.stage, Headline: headline}
	for side := range g.ents {
		ents := g.ents[side]
		if len(ents) > 1 {
			ents = slices.DeleteFunc(slices.Clone(ents), func(x int) bool { return x == 0 })
		}
		// A payment named as such somewhere in the statements makes "pay
		// with WeChat" the same thing: the app is not a participant of its
		// own.
		if g.kind == kPayment && len(ents) > 1 && explicitPayment(info, g.members, side) {
			ents = slices.DeleteFunc(slices.Clone(ents), func(x int) bool { return info.parentApp(side, x) })
		}
		var names []string
		for _, x := range ents {
			names = append(names, info.names[side][x])
		}
		if side == 0 {
			e.A = names
		} else {
			e.B = names
		}
	}
	// Evidence: the opening sentence, else the title, else the first.
	ev := g.members[0]
	found := false
	for _, m := range g.members {
		if !m.title && m.body < 2 {
			ev, found = m, true
			break
		}
	}
	if !found {
		for _, m := range g.members {
			if m.title {
				ev = m
				break
			}
		}
	}
	e.Evidence = ev.evidence
	// Date: the most precise date the statements give, near the news for a
	// headline; the publication month when they give none.
	for _, m := range g.members {
		if m.date.IsZero() || (headline && ageDays(m.date, ageRef) > oldDays) {
			continue
		}
		if e.Date.IsZero() || precision(m.date) > precision(e.Date) {
			e.Date = m.date
		}
	}
	// A development dated after its own report ("will support WeChat Pay
	// starting Sept 12") has been announced, not launched.
	if headline && pubKnown && (e.Stage == kLaunched || e.Stage == kExpanded) && after(e.Date, ref) {
		e.Stage = kAnnounced
	}
	return e
}

// headlineDates dates the headline events the text gives no date of their
// own: they are the same news as the article's main headline development,
// and take the date of the first headline event that has one; failing
// that, the publication month.
func headlineDates(heads []sources.Event, pubKnown bool, ref sources.Date) {
	date := sources.Date{}
	for _, e := range heads {
		if !e.Date.IsZero() {
			date = e.Date
			break
		}
	}
	if date.IsZero() && pubKnown {
		date = sources.Date{Year: ref.Year, Month: ref.Month}
	}
	for i := range heads {
		if heads[i].Date.IsZero() {
			heads[i].Date = date
		}
	}
}

func precision(d sources.Date) int {
	switch {
	case d.IsZero():
		return 0
	case d.Month == 0:
		return 1
	case d.Day == 0:
		return 2
	}
	return 3
}

// explicitPayment reports whether a statement of the group names the side's
// payment entity itself, not only its app.
func explicitPayment(info *watchInfo, members []*frame, side int) bool {
	pe := info.payEnt[side]
	for _, m := range members {
		if pe >= 0 && slices.Contains(m.ents[side], pe) && !m.upgraded[side] {
			return true
		}
	}
	return false
}

// mergedStage is the stage of two statements of one development: the one
// naming the more specific entities gives it ("阿里试水微信小程序" defers to
// "天猫超市小程序现身微信"); between equals the merge order of cues.yaml
// decides.
func (d *Detector) mergedStage(a sources.Stage, ae [2][]int, b sources.Stage, be [2][]int) sources.Stage {
	sa, sb := specificity(ae), specificity(be)
	switch {
	case sa > sb:
		return a
	case sb > sa:
		return b
	case d.v.merge[b] < d.v.merge[a]:
		return b
	}
	return a
}

// dateAfter reports whether a is later than b (b may be zero).
func dateAfter(a, b sources.Date) bool {
	if b.IsZero() {
		return true
	}
	return a.Start(time.UTC).After(b.Start(time.UTC))
}

// monthsBefore is how many months b lies before a.
func monthsBefore(a, b sources.Date) int { return (a.Year*12 + a.Month) - (b.Year*12 + b.Month) }
