package article

import (
	"math/bits"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// marked is an element the date and title logic look at again after the
// walk: a heading, a <time>, a byline or date element, a datePublished.
type marked struct {
	n        *html.Node
	seq      int  // position in document order
	far      bool // inside comments, sidebars, related lists, navigation or footers
	comments bool // inside comments
	h        hint
}

// cand is an element that received content score from its paragraphs.
type cand struct {
	n          *html.Node
	score      float64 // final readability-style score
	seq, end   int     // document-order span of the element's descendants
	text, link int
}

// frame is an open element during the walk.
type frame struct {
	n       *html.Node
	score   float64
	seq     int32
	text    int32 // weighted text length of the subtree (unsuppressed)
	links   int32 // part of text inside links
	commas  int32
	inl     int32 // text directly owned by this block (not by a nested block)
	inlLnk  int32
	inlCom  int32
	raw     int32 // bytes of all text of the subtree, suppressed or not
	rawInl  int32 // bytes of text directly owned, suppressed or not
	rawPar  int32 // bytes of paragraph text of the subtree, suppressed or not
	a       atom.Atom
	h       hint
	block   bool
	supp    bool // text inside does not count: hidden, furniture or boilerplate
	far     bool // inside comments, sidebars, related lists, navigation or footers
	cmts    bool // inside comments
	link    bool // an <a> element
	scored  bool
	hsupp   bool // suppressed by its own class or id (or tag: see tagSupp)
	tagSupp bool
}

// maxMarked bounds how many elements of each kind are remembered.
const maxMarked = 200

// maxFarRoots bounds the outermost boilerplate elements remembered.
const maxFarRoots = 1000

// walker visits the whole document once, collecting metadata and scoring
// candidate containers.
type walker struct {
	p      *page
	frames []frame
	seq    int
	nLinks int // open <a> elements
	cands  []cand
	// allow holds elements whose boilerplate class or id is ignored: page
	// wrappers found to hold most of the text (#__next, .Page-ad-margins).
	allow map[*html.Node]bool
	// hinted are the elements suppressed by their class or id, with the
	// text they hold.
	hinted []hinted
	raw    int // all text of the document
	rawPar int // all paragraph text of the document
}

type hinted struct {
	n           *html.Node
	raw, rawPar int
	tag         bool // suppressed for its tag (header, footer …), not its class
}

func (w *walker) walk(n *html.Node) {
	switch n.Type {
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c)
		}
		return
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	a := n.DataAtom
	p := w.p
	switch a {
	case atom.Meta:
		p.addMeta(n)
		return
	case atom.Link:
		if p.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
			p.canonical = strings.TrimSpace(attr(n, "href"))
		}
		return
	case atom.Base:
		if p.baseHref == "" {
			p.baseHref = strings.TrimSpace(attr(n, "href"))
		}
		return
	case atom.Title:
		if p.titleTag == "" && n.Namespace == "" {
			p.titleTag = collapse(nodeText(n))
		}
		return
	case atom.Script:
		if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
			p.jsonLD = append(p.jsonLD, n.FirstChild.Data)
		} else if w.inlineWriter(n) && len(p.scripts) < maxMarked {
			far := len(w.frames) > 0 && w.frames[len(w.frames)-1].far
			p.scripts = append(p.scripts, marked{n: n, seq: w.seq, far: far})
		}
		return
	case atom.Html:
		if p.htmlLang == "" {
			p.htmlLang = attr(n, "lang")
			if p.htmlLang == "" {
				p.htmlLang = attr(n, "xml:lang")
			}
		}
	}
	if a != atom.Head && skipTag(a) {
		return
	}
	if n.Namespace != "" { // svg, math
		return
	}

	var parent *frame
	if len(w.frames) > 0 {
		parent = &w.frames[len(w.frames)-1]
	}
	f := frame{n: n, a: a, block: blockTag(a) || a == atom.Head, seq: int32(w.seq), link: a == atom.A}
	w.seq++
	var hidden, itemDate bool
	if len(n.Attr) > 0 {
		classify := a == atom.Time || !plainInline(a) && (parent == nil || !parent.supp)
		f.h, hidden, itemDate = w.p.hints.scan(n, classify)
	}
	if parent != nil {
		f.supp, f.far, f.cmts = parent.supp, parent.far, parent.cmts
	}
	if f.h&hComments != 0 {
		f.cmts = true
	}
	if a != atom.Html && a != atom.Body {
		bp := f.h.isFurniture() && !w.allow[n]
		if bp && (parent == nil || !parent.supp) {
			f.hsupp = true
		}
		if bp || a == atom.Aside || a == atom.Nav || a == atom.Footer || f.h&hComments != 0 {
			f.far = true
		}
		if bp || boilerTag(a) && !w.allow[n] || a == atom.Head || hidden {
			f.supp = true
		}
		if boilerTag(a) && !w.allow[n] && (parent == nil || !parent.supp) && !f.hsupp {
			f.hsupp, f.tagSupp = true, true // a <header> or <footer> may wrap the whole page
		}
	}
	// Footers are not remembered: a document's footer may state its date.
	footer := a == atom.Footer || f.h&hFooter != 0
	if f.far && !footer && (parent == nil || !parent.far) && len(p.farRoots) < maxFarRoots {
		p.farRoots = append(p.farRoots, n)
	}
	w.mark(n, &f, itemDate)
	if f.link {
		w.nLinks++
	}
	w.frames = append(w.frames, f)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	w.pop()
	if f.link {
		w.nLinks--
	}
}

// maxInlineScript is the longest inline script read for a date: scripts
// that write a byline ("showDate('2020/04/17 01:43')") are one short call.
const maxInlineScript = 200

// inlineWriter reports whether n is a short inline script in the body that
// may write visible text such as a byline's date.
func (w *walker) inlineWriter(n *html.Node) bool {
	c := n.FirstChild
	return attr(n, "src") == "" && c != nil && c.Type == html.TextNode && len(c.Data) <= maxInlineScript &&
		hasDigit(c.Data)
}

// mark remembers elements the title and date logic need.
func (w *walker) mark(n *html.Node, f *frame, itemDate bool) {
	p := w.p
	m := marked{n: n, seq: int(f.seq), far: f.far, comments: f.cmts, h: f.h}
	switch f.a {
	case atom.H1:
		if len(p.h1) < maxMarked {
			p.h1 = append(p.h1, m)
		}
	case atom.H2:
		if len(p.h2) < maxMarked {
			p.h2 = append(p.h2, m)
		}
	case atom.Time:
		if len(p.times) < maxMarked {
			p.times = append(p.times, m)
		}
	}
	if itemDate && len(p.itemDates) < maxMarked {
		p.itemDates = append(p.itemDates, m)
	}
	if f.h&(hDate|hMeta) != 0 && len(p.bylines) < maxMarked {
		p.bylines = append(p.bylines, m)
	}
	if f.h&hLead != 0 && !f.far && len(p.leads) < 20 {
		p.leads = append(p.leads, m)
	}
}

// text accounts for a text node.
func (w *walker) text(s string) {
	if len(w.frames) == 0 {
		return
	}
	top := &w.frames[len(w.frames)-1]
	if top.supp {
		// Only the amount matters here (wrapper detection): bytes will do.
		top.raw += int32(len(s))
		for i := len(w.frames) - 1; i >= 0; i-- {
			if w.frames[i].block {
				w.frames[i].rawInl += int32(len(s))
				break
			}
		}
		return
	}
	li, ci := measure(s)
	if li == 0 {
		return
	}
	l, c := int32(li), int32(ci)
	top.raw += int32(len(s))
	top.text += l
	top.commas += c
	if w.nLinks > 0 {
		top.links += l
	}
	// The nearest block owns the text as inline content.
	for i := len(w.frames) - 1; i >= 0; i-- {
		if w.frames[i].block {
			b := &w.frames[i]
			b.rawInl += int32(len(s))
			b.inl += l
			b.inlCom += c
			if w.nLinks > 0 {
				b.inlLnk += l
			}
			break
		}
	}
}

// minParagraph is the weighted length of text that counts as a paragraph.
const minParagraph = 25

// pop closes the top element: paragraphs score their ancestors, scored
// elements become candidates, totals move to the parent.
func (w *walker) pop() {
	i := len(w.frames) - 1
	f := w.frames[i]
	w.frames = w.frames[:i]
	if !f.supp && f.block && (isParagraphTag(f.a) || f.a == atom.Li && f.inl >= 3*minParagraph) && f.inl >= minParagraph && f.inlLnk*2 < f.inl {
		score := 1 + float64(f.inlCom) + min(float64(f.inl)/100, 3)
		for lvl := 0; lvl < 5 && i-1-lvl >= 0; lvl++ {
			anc := &w.frames[i-1-lvl]
			if anc.supp {
				break
			}
			div := 1.0
			switch {
			case lvl == 1:
				div = 2
			case lvl > 1:
				div = float64(lvl * 3)
			}
			anc.score += score / div
			anc.scored = true
		}
	}
	if f.scored && !f.supp {
		init := tagInit(f.a) + hintWeight(f.h)
		ld := 0.0
		if f.text > 0 {
			ld = float64(f.links) / float64(f.text)
		}
		w.cands = append(w.cands, cand{
			n: f.n, score: (init + f.score) * (1 - ld), seq: int(f.seq), end: w.seq,
			text: int(f.text), link: int(f.links),
		})
	}
	if f.block && isParagraphTag(f.a) && f.rawInl >= 80 {
		f.rawPar += f.rawInl
	}
	if f.hsupp {
		w.hinted = append(w.hinted, hinted{f.n, int(f.raw), int(f.rawPar), f.tagSupp})
	}
	if i > 0 {
		w.frames[i-1].raw += f.raw
		w.frames[i-1].rawPar += f.rawPar
	} else {
		w.raw += int(f.raw)
		w.rawPar += int(f.rawPar)
	}
	if i > 0 && !f.supp {
		pf := &w.frames[i-1]
		pf.text += f.text
		pf.links += f.links
		pf.commas += f.commas
	}
}

// wrappers returns the elements suppressed for their class or id that hold
// a third of the document's text or half its paragraphs: page wrappers and
// article bodies with an unlucky class or id, not furniture. Comments never
// count as the article.
func (w *walker) wrappers() []*html.Node {
	var out []*html.Node
	for _, h := range w.hinted {
		big := h.raw*3 >= w.raw && h.raw > 0 && !h.tag || h.rawPar*2 > w.rawPar && h.rawPar > 0
		if big && w.p.hints.of(h.n)&hComments == 0 {
			out = append(out, h.n)
		}
	}
	return out
}

// plainInline are inline elements whose class says too little to be worth
// reading during the walk (their block parents carry the meaning).
func plainInline(a atom.Atom) bool {
	switch a {
	case atom.A, atom.I, atom.B, atom.Em, atom.Strong, atom.Img, atom.Li, atom.Small, atom.Font,
		atom.Label, atom.Sup, atom.Sub, atom.Code, atom.U, atom.S, atom.Abbr, atom.Cite, atom.Br,
		atom.Hr, atom.Picture, atom.Source, atom.Wbr, atom.Mark, atom.Q:
		return true
	}
	return false
}

// isParagraphTag reports whether inline text directly inside the tag counts
// as a paragraph of content.
func isParagraphTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Pre, atom.Td, atom.Blockquote, atom.Dd, atom.Div, atom.Section,
		atom.Article, atom.Main, atom.Center, atom.Font, atom.Body:
		return true
	}
	return false
}

// tagInit is readability's starting score for a candidate's tag.
func tagInit(a atom.Atom) float64 {
	switch a {
	case atom.Div:
		return 5
	case atom.Pre, atom.Td, atom.Blockquote:
		return 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		return -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		return -5
	case atom.Article:
		return 8
	}
	return 0
}

// hintWeight is the class/id weight of an element.
func hintWeight(h hint) float64 {
	w := 0.0
	if h&hPos != 0 {
		w += 25
	}
	if h&(hNeg|hNegHard|hSoft) != 0 {
		w -= 25
	}
	if h&hNegHard != 0 {
		w -= 25
	}
	return w
}

// measure returns the weighted length of text (CJK characters count two,
// other characters one, each run of white space one) and its commas
// (including ， ； 、). It steps through UTF-8 by lead bytes: a lead byte of
// E3 or more starts a character from U+3000 up. The text is valid UTF-8.
func measure(s string) (n, commas int) {
	space := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 && i+8 <= len(s) {
			// Eight printable ASCII bytes at once (spaces included): each
			// counts one but a space after a space, and commas are counted.
			x := word(s, i)
			if x&hiBits == 0 && (x-lanes(0x20))&^x&hiBits == 0 {
				sp := zeroLanes(x ^ lanes(' '))
				prev := sp << 8
				if space {
					prev |= 0x80
				}
				n += 8 - bits.OnesCount64(sp&prev)
				commas += bits.OnesCount64(zeroLanes(x ^ lanes(',')))
				space = sp>>63 != 0
				i += 8
				continue
			}
		}
		if c >= 0xE4 && c <= 0xE9 { // the common Han block: neither space nor comma
			n += 2
			i += 3
			space = false
			continue
		}
		if c < 0x80 {
			i++
			if c > ' ' {
				if c == ',' {
					commas++
				}
				n++
				space = false
			} else if !space && (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
				n++
				space = true
			}
			continue
		}
		switch {
		case c < 0xC0: // stray continuation byte
			i++
			continue
		case c < 0xE0:
			if c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 { // no-break space
				if !space {
					n++
					space = true
				}
				i += 2
				continue
			}
			n++
			i += 2
		case c < 0xF0:
			if c >= 0xE3 {
				n += 2
				if i+2 < len(s) && (c == 0xEF && s[i+1] == 0xBC && (s[i+2] == 0x8C || s[i+2] == 0x9B) || c == 0xE3 && s[i+1] == 0x80 && s[i+2] == 0x81) {
					commas++ // ， ； 、
				}
			} else {
				n++
			}
			i += 3
		default:
			n += 2
			i += 4
		}
		space = false
	}
	if space && n > 0 {
		n--
	}
	return n, commas
}

const hiBits = 0x8080808080808080

// lanes repeats a byte in each of the eight bytes of a word.
func lanes(b byte) uint64 { return uint64(b) * 0x0101010101010101 }

// zeroLanes has the high bit of each byte of x that is zero set, and no
// other bit.
func zeroLanes(x uint64) uint64 {
	const low = 0x7f7f7f7f7f7f7f7f
	return ^((x&low + low) | x) & hiBits
}

// isCJK reports whether r is a Han, kana or Hangul character.
func isCJK(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0x3040 && r <= 0x30FF,
		r >= 0xAC00 && r <= 0xD7AF, r >= 0xF900 && r <= 0xFAFF, r >= 0x20000 && r <= 0x3134F:
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// hasToken reports whether a space-separated attribute value holds tok.
func hasToken(v, tok string) bool {
	for _, f := range strings.Fields(v) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// nodeText returns the text of a subtree, skipping scripts and styles.
func nodeText(n *html.Node) string {
	var sb strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				sb.WriteString(c.Data)
			case html.ElementNode:
				if c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Noscript {
					continue
				}
				if c.DataAtom == atom.Br || blockTag(c.DataAtom) {
					sb.WriteByte(' ')
				}
				rec(c)
				if blockTag(c.DataAtom) {
					sb.WriteByte(' ')
				}
			}
		}
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	rec(n)
	return sb.String()
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string {
	if tidy(s) {
		return s
	}
	var sb strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == 0xA0 || r == 0x200B || r == 0xFEFF {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// tidy reports whether s is ASCII-spaced already: no leading, trailing or
// doubled spaces and no other white space (non-ASCII text counts as untidy
// only where it may hold white space: the C2, E2, E3 and EF lead bytes).
func tidy(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if s[i+1] == ' ' {
				return false
			}
		case c < ' ', c == 0xC2, c == 0xE2, c == 0xE3, c == 0xEF, c == 0xE1:
			return false
		}
	}
	return true
}
