package article

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tstats describes the text an element emitted, for the cleaning rules.
type tstats struct {
	text, link, commas int // runes of text, of link text, commas
	p, img, li, input  int
	embed              int
	heading            int // runes inside h2–h6
	list               int // runes inside ul/ol
	lead               bool
}

func (s *tstats) add(o tstats) {
	s.text += o.text
	s.link += o.link
	s.commas += o.commas
	s.p += o.p
	s.img += o.img
	s.li += o.li
	s.input += o.input
	s.embed += o.embed
	s.heading += o.heading
	s.list += o.list
	s.lead = s.lead || o.lead
}

// emitter writes the text of the chosen containers, one paragraph a line,
// dropping boilerplate as it goes.
type emitter struct {
	script scriptCount // letters of the text by script, for the language
	hints  *hinter
	total  int // weighted text of the chosen containers
	buf    []byte
	space  bool       // a space is pending
	h1     *html.Node // the headline element, left out of the text
}

// state is a rewind point of the emitter.
type state struct {
	n      int
	space  bool
	script scriptCount
}

func (e *emitter) save() state { return state{len(e.buf), e.space, e.script} }
func (e *emitter) restore(s state) {
	e.buf, e.space, e.script = e.buf[:s.n], s.space, s.script
}

// since returns up to 160 bytes of what was written after a rewind point.
func (e *emitter) since(s state) string {
	b := e.buf[s.n:]
	if len(b) > 160 {
		b = b[:160]
	}
	return string(b)
}

func (e *emitter) atLineStart() bool { return len(e.buf) == 0 || e.buf[len(e.buf)-1] == '\n' }

func (e *emitter) newline() {
	e.space = false
	if !e.atLineStart() {
		e.buf = append(e.buf, '\n')
	}
}

// write appends text with white space collapsed and returns its weighted
// length (CJK characters count two, as in measure) and commas. Runs of
// ordinary characters are copied whole; it steps through UTF-8 by lead
// bytes (the text is valid UTF-8).
func (e *emitter) write(s string) (n, commas int) {
	i := 0
	for i < len(s) {
		// A run of characters that are neither white space nor to be dropped.
		j := i
	run:
		for j < len(s) {
			c := s[j]
			if c < 0x80 && j+8 <= len(s) {
				if k := asciiRun(s, j, j == i); k > 0 {
					l, cm := asciiCounts(s[j : j+k])
					e.script.letters += l
					commas += cm
					n += k
					j += k
					continue
				}
			}
			switch {
			case c < 0x80:
				if c <= ' ' {
					// One space between two ordinary ASCII characters is
					// kept as it is: copied with the run.
					if c != ' ' || j == i || j+1 >= len(s) || s[j+1] <= ' ' || s[j+1] >= 0x80 {
						break run
					}
					n++
					j++
					continue
				}
				if c == ',' {
					commas++
				} else if c|0x20 >= 'a' && c|0x20 <= 'z' {
					e.script.letters++
				}
				n++
				j++
				continue
			case c < 0xC0:
				break run // stray continuation byte: dropped below
			case c >= 0xE4 && c <= 0xE9 && j+2 < len(s):
				// The common Han block (U+4000–U+9FFF): never white space
				// or a comma.
				e.script.han++
				n += 2
				j += 3
				continue
			}
			if (c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF || c == 0xE1) && specialAt(s, j) {
				break
			}
			if j+1 < len(s) {
				e.script.count(c, s[j+1])
			}
			switch {
			case c < 0xE0:
				n++
				j += 2
			case c < 0xF0:
				if c >= 0xE3 {
					n += 2
					if j+2 < len(s) && (c == 0xEF && s[j+1] == 0xBC && (s[j+2] == 0x8C || s[j+2] == 0x9B) || c == 0xE3 && s[j+1] == 0x80 && s[j+2] == 0x81) {
						commas++
					}
				} else {
					n++
				}
				j += 3
			default:
				n += 2
				j += 4
			}
		}
		if j > len(s) {
			j = len(s) // a truncated sequence at the end
		}
		if j > i {
			if e.space {
				e.buf = append(e.buf, ' ')
				e.space = false
				n++
			}
			e.buf = append(e.buf, s[i:j]...)
			i = j
			continue
		}
		// s[i] is white space, a control byte or a character to drop.
		c := s[i]
		size := 1
		isSpace := c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
		if c >= 0x80 {
			r, sz := utf8.DecodeRuneInString(s[i:])
			size = sz
			isSpace = unicode.IsSpace(r) || r == 0xA0
		}
		if isSpace && !e.atLineStart() {
			e.space = true
		}
		i += size
	}
	return n, commas
}

// asciiRun returns 8 when the eight bytes of s from j are printable ASCII
// that a run copies as they are: no two spaces together, no space first at
// the start of a run, and a space last only before another printable
// character. It returns 0 otherwise.
func asciiRun(s string, j int, start bool) int {
	x := word(s, j)
	if x&hiBits != 0 || (x-lanes(0x20))&^x&hiBits != 0 {
		return 0
	}
	sp := zeroLanes(x ^ lanes(' '))
	switch {
	case sp == 0:
		return 8
	case sp&(sp<<8) != 0, start && sp&0x80 != 0:
		return 0
	case sp>>63 != 0 && (j+8 >= len(s) || s[j+8] <= ' ' || s[j+8] >= 0x80):
		return 0
	}
	return 8
}

// asciiCounts returns the ASCII letters and commas of eight ASCII bytes.
func asciiCounts(s string) (letters, commas int) {
	x := word(s, 0)
	y := x | lanes(0x20)
	ge := (y + lanes(0x80-'a')) & hiBits
	over := (y + lanes(0x80-'z'-1)) & hiBits
	return bits.OnesCount64(ge &^ over), bits.OnesCount64(zeroLanes(x ^ lanes(',')))
}

// word reads the eight bytes of s from i, the first in the lowest byte.
func word(s string, i int) uint64 {
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// specialAt reports whether the character at s[i] (a lead byte C2, E1, E2,
// E3 or EF) is white space or an invisible character to drop: no-break
// space, soft hyphen, Unicode spaces, zero-width characters, the BOM.
func specialAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return true
	}
	switch r {
	case 0xA0, 0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x3000, 0x2028, 0x2029, 0x1680:
		return true
	}
	return r >= 0x2000 && r <= 0x200A || r == 0x202F || r == 0x205F
}

// emit writes the text of n. root marks a chosen container, which is never
// dropped itself; inLink tells whether n is inside an <a>.
func (e *emitter) emit(n *html.Node, root, inLink, leadOnly bool) tstats {
	var st tstats
	switch n.Type {
	case html.TextNode:
		if leadOnly {
			return st
		}
		l, c := e.write(n.Data)
		st.text, st.commas = l, c
		if inLink {
			st.link = l
		}
		return st
	case html.ElementNode, html.DocumentNode:
	default:
		return st
	}
	a := n.DataAtom
	if n.Type == html.ElementNode {
		if skipTag(a) || n.Namespace != "" {
			switch a {
			case atom.Input, atom.Select, atom.Textarea, atom.Button:
				st.input++
			case atom.Iframe, atom.Object, atom.Embed, atom.Video, atom.Audio:
				st.embed++
			}
			return st
		}
		switch a {
		case atom.Img, atom.Picture:
			st.img++
			return st
		case atom.Br, atom.Hr:
			e.newline()
			return st
		}
	}
	var h hint
	if len(n.Attr) > 0 {
		if isHidden(n) && !root {
			return st
		}
		h = e.hints.of(n)
	}
	hinted := false
	if !root {
		if a == atom.Nav || a == atom.Aside || a == atom.Footer || a == atom.Form && h&hPos == 0 || h&hComments != 0 {
			return st
		}
		// Other boilerplate words are dropped unless the element turns out
		// to hold most of the article (a wrapper with an unlucky class).
		hinted = h.isBoilerplate()
		if n == e.h1 {
			return st // the headline is the title, not text
		}
	}
	if h&hLead != 0 {
		leadOnly = false
		st.lead = true
	} else if a == atom.Header && !root {
		leadOnly = true
	}
	block := blockTag(a) && a != atom.Td && a != atom.Th
	if block {
		e.newline()
	} else if a == atom.Td || a == atom.Th {
		e.space = !e.atLineStart()
	}
	mark := e.save()
	childLink := inLink || (a == atom.A && attr(n, "href") != "")
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		st.add(e.emit(c, false, childLink, leadOnly))
	}
	switch a {
	case atom.P:
		st.p++
	case atom.Li:
		st.li++
	case atom.Ul, atom.Ol:
		st.list = st.text
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		st.heading = st.text
	}
	if hinted && st.text*2 < e.total || !root && !hinted && e.drop(n, a, h, st, mark) {
		e.restore(mark)
		return tstats{}
	}
	if block {
		e.newline()
	}
	return st
}

// drop decides whether an element's emitted text is boilerplate after all.
func (e *emitter) drop(n *html.Node, a atom.Atom, h hint, st tstats, mark state) bool {
	if st.text == 0 {
		return false
	}
	if h&hMeta != 0 && h&hLead == 0 && st.text < 200 {
		return true
	}
	switch a {
	case atom.P, atom.Span, atom.Strong, atom.B, atom.Em, atom.Font:
		// "SEE ALSO: <a>…</a>", "Read more: <a>…</a>"
		if st.link*2 > st.text && st.text-st.link < 40 {
			return true
		}
		return a == atom.P && st.text < 120 && boilerLine(e.since(mark))
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dt, atom.Li:
		if st.text < 40 && boilerLine(e.since(mark)) {
			return true
		}
		return a != atom.Li && st.link*2 > st.text && st.text < 80 && boilerHeading(e.since(mark))
	case atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Table, atom.Fieldset, atom.Dl,
		atom.Figure, atom.Center, atom.Header, atom.Article, atom.Main:
	default:
		return false
	}
	if st.lead && st.link*4 < st.text {
		return false
	}
	if st.text < 120 && boilerLine(e.since(mark)) {
		return true
	}
	weight := 0
	if h&hPos != 0 {
		weight = 25
	}
	isList := a == atom.Ul || a == atom.Ol || st.list*10 > st.text*9
	ld := float64(st.link) / float64(st.text)
	if isList && ld > 0.5 {
		return true // a list of links: navigation, related stories
	}
	if st.commas >= 10 {
		return false
	}
	headingDensity := float64(st.heading) / float64(st.text)
	switch {
	case st.img > 1 && float64(st.p)/float64(st.img) < 0.5 && a != atom.Figure:
		return true
	case st.input > st.p/3:
		return true
	case !isList && headingDensity < 0.9 && st.text < 25 && (st.img == 0 || st.img > 2) && ld > 0:
		return true
	case !isList && weight < 25 && ld > 0.2:
		return true
	case weight >= 25 && ld > 0.5:
		return true
	case st.embed == 1 && st.text < 75 || st.embed > 1:
		return true
	}
	return false
}

// boilerPrefixes start lines that are page furniture, not article text.
var boilerPrefixes = []string{
	"see also", "read more", "read also", "also read", "related:", "related articles", "related stories",
	"related posts", "related news", "more from", "more on this", "recommended", "you may also like",
	"you might also like", "editor:", "editor/", "editors:", "editing by", "copyright", "©", "all rights reserved",
	"share this", "share on", "follow us", "sign up", "subscribe", "click here", "advertisement",
	"相关阅读", "相关新闻", "相关文章", "相关推荐", "延伸阅读", "推荐阅读", "更多阅读", "热门推荐", "猜你喜欢",
	"责任编辑", "（责任编辑", "(责任编辑", "【责任编辑", "责编", "编辑：", "编辑:", "本文来源", "文章来源",
	"来源：", "来源:", "版权声明", "免责声明", "声明：", "分享到", "扫码", "扫一扫", "点击查看", "点击进入",
	"上一篇", "下一篇", "返回首页", "打印本页", "关闭窗口", "网友评论",
	// German, French, Spanish, Italian, Portuguese.
	"mehr zum thema", "mehr themen", "mehr dazu", "lesen sie auch", "lesen sie mehr", "lies auch",
	"das könnte dich", "das könnte sie", "auch interessant", "weitere artikel", "weitere beiträge",
	"verwandte artikel", "ähnliche beiträge", "empfohlene beiträge", "teilen:", "foto:", "fotos:", "bild:",
	"bildquelle", "quelle:", "anzeige", "werbung", "crédits photos", "crédit photo", "à lire aussi",
	"lire aussi", "voir aussi", "lea también", "te puede interesar", "leggi anche", "leia também",
	"photo credit", "image credit", "credit:", "loading...", "loading…", "精彩推荐", "精彩视频", "正在加载", "您认为这篇文章",
	"本文为", "转载请注明", "关注我们",
}

// boilerInfixes mark short lines as furniture wherever they occur in them.
var boilerInfixes = []string{"未经授权", "不得转载", "版权所有", "all rights reserved", "转载请注明出处"}

// boilerByFirst indexes boilerPrefixes by their first byte (lower case).
var boilerByFirst = func() map[byte][]string {
	m := map[byte][]string{}
	for _, p := range boilerPrefixes {
		c := p[0]
		m[c] = append(m[c], p)
		if c >= 'a' && c <= 'z' {
			m[c-'a'+'A'] = append(m[c-'a'+'A'], p)
		}
	}
	return m
}()

// boilerLine reports whether a short line starts like page furniture.
func boilerLine(s string) bool {
	s = strings.TrimLeft(s, " \n*•·-–—>»|[【(（")
	if s == "" {
		return false
	}
	for _, p := range boilerByFirst[s[0]] {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	for _, w := range boilerInfixes {
		if strings.Contains(s, w) || w[0] < utf8.RuneSelf && containsFold(s, w) {
			return true
		}
	}
	return false
}

// boilerHeading reports whether a heading introduces a boilerplate block.
func boilerHeading(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, w := range []string{"related", "more", "popular", "trending", "latest", "recommended", "comments", "share",
		"推荐", "相关", "热门", "排行", "评论", "更多", "mehr", "empfohlen", "ähnliche", "könnte", "weitere",
		"aussi", "similaires", "también", "relacionad", "anche", "correlati"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// text returns the emitted text, one paragraph a line.
func (e *emitter) text() string {
	b := e.buf
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return string(b)
}

// scriptCount counts the characters of text by script.
type scriptCount struct {
	letters, han, kana, hangul int
}

// count classifies one non-ASCII character by its first two UTF-8 bytes.
func (sc *scriptCount) count(lead, next byte) {
	switch {
	case lead >= 0xC3 && lead <= 0xDF:
		sc.letters++ // Latin, Greek, Cyrillic, Arabic …
	case lead == 0xE3 && next >= 0x81 && next <= 0x83:
		sc.kana++
	case lead == 0xE3 && next >= 0x90, lead >= 0xE4 && lead <= 0xE9, lead == 0xEF && next >= 0xA4 && next <= 0xAB,
		lead == 0xF0 && next >= 0xA0 && next <= 0xB3:
		sc.han++
	case lead == 0xEA && next >= 0xB0, lead == 0xEB, lead == 0xEC, lead == 0xED && next < 0x9F:
		sc.hangul++
	}
}

// add counts a string.
func (sc *scriptCount) add(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				sc.letters++
			}
		case c >= 0xC0 && i+1 < len(s):
			sc.count(c, s[i+1])
		}
	}
}
