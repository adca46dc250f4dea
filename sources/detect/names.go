package detect

import (
	"slices"
	"strings"
)

// exclusions marks the mentions of a sentence that are not participants of
// what it reports: names set aside (除支付宝外, "besides Alipay", "instead
// of Alipay"), owners ("Alibaba's Taobao", 淘宝旗下的淘特) and channels (a
// product announced through a company's WeChat official account).
func (r *reader) exclusions(p *para, se sentence, ms []int) map[int]bool {
	s := p.f.lower
	out := map[int]bool{}
	excludeSpan := func(a, b int) {
		for _, i := range ms {
			if m := p.mentions[i]; m.start >= a && m.end <= b {
				out[i] = true
			}
		}
	}
	for _, br := range r.v.words["exclude_brackets"] {
		open, closing, ok := strings.Cut(br, "\x00")
		if !ok || open == "" || closing == "" {
			continue
		}
		for at := se.start; at < se.end; {
			k := strings.Index(s[at:se.end], open)
			if k < 0 {
				break
			}
			a := at + k + len(open)
			e := segEnd(s, a, se.end)
			if j := strings.Index(s[a:e], closing); j >= 0 {
				excludeSpan(a, a+j)
			}
			at = a
		}
	}
	r.owners(p, se, ms, out)
	for _, c := range p.cuesIn(se.start, se.end) {
		switch {
		case c.c.cls&cExclude != 0:
			r.excludeAfter(p, c, se, ms, out)
		case c.c.cls&cChannel != 0:
			// The name right before a channel word is where it was said.
			for _, i := range ms {
				if m := p.mentions[i]; m.end <= c.start && c.start-m.end <= 4 {
					out[i] = true
				}
			}
		}
	}
	return out
}

// segEnd returns where the comma-delimited segment holding byte i ends.
func segEnd(s string, i, end int) int {
	if k := strings.IndexAny(s[i:end], ",;:"); k >= 0 {
		return i + k
	}
	return end
}

// excludeAfter marks the first name after an exclusion word ("next to
// Alipay", 除了) and the names listed with it.
func (r *reader) excludeAfter(p *para, c cueHit, se sentence, ms []int, out map[int]bool) {
	s := p.f.lower
	e := segEnd(s, c.end, se.end)
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
		} else if !r.v.coordinated(s[prevEnd:m.start]) {
			break
		}
		out[i] = true
		prevEnd = m.end
	}
}

// coordinated reports whether the text between two names only lists them
// ("Alipay and WeChat Pay", 支付宝、微信支付).
func (v *vocab) coordinated(gap string) bool {
	g := strings.TrimSpace(gap)
	if g == "" {
		return false // 闲鱼小程序: one name qualifies the other
	}
	for g != "" {
		trimmed := false
		for _, t := range v.words["coordinators"] {
			if t == "" || !strings.HasPrefix(g, t) {
				continue
			}
			rest := g[len(t):]
			if isLatin(t[0]) && rest != "" && isAlnum(rest[0]) {
				continue
			}
			g = strings.TrimSpace(rest)
			trimmed = true
			break
		}
		if !trimmed {
			return false
		}
	}
	return true
}

// anyConnectedPair reports whether some name of one side and some name of
// the other are more than a list of parallel subjects. Other names between
// the two (owners included: "Alibaba's DingTalk and Tencent's WeCom") do
// not break a list.
func anyConnectedPair(v *vocab, s string, sideMs [2][]mention, between []mention) bool {
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
			if !v.coordinated(gap.String()) {
				return true
			}
		}
	}
	return false
}

// upgradePayment reads "pay with WeChat" as WeChat Pay, and "a storefront
// inside WeChat" as WeChat Mini Programs: in a frame of a kind, a side
// that names none of its entity of that kind but names the app it belongs
// to ("WeChat" for "WeChat Pay") gains it.
func (d *Detector) upgradePayment(f *frame) {
	info := &d.watches[f.watch]
	for side := range f.ents {
		ke, ok := info.kindEnt[side][f.kind]
		if !ok || slices.Contains(f.ents[side], ke) {
			continue
		}
		for _, e := range f.ents[side] {
			if info.appOf(side, e, ke) {
				f.ents[side] = append(f.ents[side], ke)
				slices.Sort(f.ents[side])
				f.upgraded[side] = true
				break
			}
		}
	}
}

// appOf reports whether entity e of a side is the app entity k belongs to
// ("WeChat" for "WeChat Mini Programs").
func (info *watchInfo) appOf(side, e, k int) bool {
	return e != 0 && e != k && strings.HasPrefix(info.names[side][k], info.names[side][e]+" ")
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
