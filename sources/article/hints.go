package article

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hint is what an element's class and id say about it, as a bit set.
type hint uint16

const (
	hPos      hint = 1 << iota // article body: content, entry, artibody, post_text …
	hNeg                       // boilerplate that a positive word outweighs: sidebar, nav, widget …
	hNegHard                   // boilerplate whatever else it says: comments, related, share, ads …
	hMeta                      // byline, date, source, author: not text, but where dates live
	hLead                      // lead paragraph, standfirst, summary
	hUpdated                   // updated / modified
	hDate                      // date, time, pubtime: a date is likely inside
	hComments                  // comments specifically
	hSoft                      // boilerplate inside an article, but also seen on page wrappers (#__next, .pages)
	hKicker                    // a label inside a headline: kicker, topic, Dachzeile
	hFooter                    // the page's footer, where a document may state its date
)

// Words in class and id values, after splitting on punctuation and camel
// case and lower-casing. English and the pinyin Chinese sites use.
var hintWords = map[string]hint{
	// Positive.
	"article": hPos, "articles": hPos, "body": hPos, "content": hPos, "contents": hPos, "entry": hPos,
	"main": hPos, "post": hPos, "text": hPos, "blog": hPos, "story": hPos, "artibody": hPos,
	"txt": hPos, "zw": hPos, "zhengwen": hPos, "detail": hPos, "details": hPos, "cont": hPos,
	"con": hPos, "trs": hPos, "articlebody": hPos, "postbody": hPos, "storybody": hPos,
	"entrycontent": hPos, "maincontent": hPos, "newstext": hPos, "artical": hPos, "wenzhang": hPos,
	"prose": hPos, "rte": hPos, "richtext": hPos, "page": hPos, "single": hPos, "hentry": hPos,

	// Boilerplate, outweighed by a positive word on the same element.
	"sidebar": hNeg, "side": hSoft, "widget": hSoft, "widgets": hSoft, "nav": hNeg, "navbar": hNeg,
	"navigation": hNeg, "menu": hNeg, "submenu": hNeg, "header": hSoft, "masthead": hSoft, "banner": hSoft,
	"tag": hNeg, "tags": hNeg, "tagcloud": hNeg, "toolbar": hNeg, "tools": hSoft, "print": hSoft,
	"modal": hNeg, "popup": hNeg, "login": hNeg, "cookie": hNeg, "cookies": hNeg, "consent": hNeg,
	"skip": hSoft, "aside": hNeg, "rail": hNeg, "extra": hSoft, "links": hSoft, "sitemap": hNeg,
	"topbar": hSoft, "logo": hNeg, "search": hNeg, "hidden": hSoft, "sronly": hNegHard, "visuallyhidden": hNegHard, "screenreader": hNegHard,
	"screen": hNeg, "offscreen": hNeg, "dialog": hNeg, "overlay": hNeg, "slogan": hNeg,
	"catalog": hNeg, "subscribe": hNeg,

	// Boilerplate whatever else the element says.
	"comment": hNegHard | hComments, "comments": hNegHard | hComments, "commentlist": hNegHard | hComments,
	"respond": hNegHard | hComments, "reply": hNegHard | hComments, "replies": hNegHard | hComments,
	"discuss": hNegHard | hComments, "discussion": hNegHard | hComments, "disqus": hNegHard | hComments,
	"pinglun": hNegHard | hComments, "review": hSoft, "reviews": hSoft,
	"related": hNegHard, "relate": hNegHard, "relatedposts": hNegHard, "relevant": hNegHard,
	"recommend": hNegHard, "recommended": hNegHard, "recommendation": hNegHard, "recommendations": hNegHard,
	"recomm": hNegHard, "rec": hSoft, "empfehlung": hNegHard, "empfehlungen": hNegHard, "tuijian": hNegHard, "xiangguan": hNegHard,
	"hot": hNegHard, "hotnews": hNegHard, "rank": hNegHard, "ranking": hNegHard, "paihang": hNegHard,
	"popular": hNegHard, "trending": hNegHard, "mostread": hNegHard, "mostpopular": hNegHard,
	"more": hSoft, "readmore": hNegHard, "seealso": hNegHard, "also": hNegHard, "latest": hSoft,
	"share": hNegHard, "sharing": hNegHard, "sharebar": hNegHard, "social": hNegHard, "sns": hNegHard,
	"bshare": hNegHard, "jiathis": hNegHard, "fenxiang": hNegHard,
	"footer": hNegHard | hFooter, "foot": hNegHard | hFooter, "copyright": hNegHard, "disclaimer": hNegHard,
	"statement": hNegHard, "shengming": hNegHard, "colophon": hNegHard,
	"breadcrumb": hNegHard, "breadcrumbs": hNegHard, "crumb": hNegHard, "crumbs": hNegHard,
	"pagination": hNegHard, "pager": hNegHard, "paging": hNegHard, "pages": hSoft, "prevnext": hNegHard,
	"prev": hSoft, "previous": hSoft, "next": hSoft, "postnav": hNegHard,
	"newsletter": hNegHard, "signup": hNegHard, "subscription": hNegHard, "cta": hNegHard,
	"promo": hNegHard, "promotion": hNegHard, "sponsor": hNegHard, "sponsored": hNegHard,
	"ad": hNegHard, "ads": hNegHard, "advert": hNegHard, "advertisement": hNegHard, "adv": hNegHard,
	"advertising": hNegHard, "adsense": hNegHard, "adbox": hNegHard, "guanggao": hNegHard, "gg": hNegHard,
	"outbrain": hNegHard, "taboola": hNegHard, "qrcode": hNegHard, "erweima": hNegHard, "ewm": hNegHard,
	"editor": hSoft, "zebian": hNegHard, "bianji": hNegHard, "fontsize": hNegHard,
	"bio": hNegHard, "donate": hNegHard, "donation": hNegHard, "download": hSoft,
	"feedback": hNegHard, "keywords": hNegHard, "keyword": hNegHard,

	// Words that only look like boilerplate stems.
	"commentary": 0, "commented": 0, "shared": 0, "shareholder": 0, "shareholders": 0,

	// Byline and dates: not text, but where publication dates are written.
	"meta": hMeta, "byline": hMeta, "dateline": hMeta | hDate, "date": hMeta | hDate,
	"time": hMeta | hDate, "pubtime": hMeta | hDate, "pubdate": hMeta | hDate, "published": hMeta | hDate,
	"publish": hMeta | hDate, "publishdate": hMeta | hDate, "posted": hMeta | hDate, "postedon": hMeta | hDate,
	"timestamp": hMeta | hDate, "datetime": hMeta | hDate, "fbsj": hMeta | hDate, "shijian": hMeta | hDate,
	"author": hMeta, "authors": hMeta, "source": hMeta, "info": hMeta, "writer": hMeta, "laiyuan": hMeta,
	"updated": hMeta | hUpdated, "modified": hMeta | hUpdated, "update": hMeta | hUpdated,

	// Labels inside headlines.
	"kicker": hKicker, "dachzeile": hKicker, "topline": hKicker, "roofline": hKicker, "spitzmarke": hKicker,
	"eyebrow": hKicker, "label": hKicker, "topic": hKicker, "rubric": hKicker, "flag": hKicker,

	// Lead paragraphs.
	"dek": hLead, "deck": hLead, "lead": hLead, "lede": hLead, "standfirst": hLead, "summary": hLead,
	"intro": hLead, "introduction": hLead, "subtitle": hLead, "subhead": hLead, "subheadline": hLead,
	"excerpt": hLead, "abstract": hLead, "strapline": hLead, "daoyu": hLead,
	"zhaiyao": hLead, "digest": hLead, "sapo": hLead, "chapo": hLead,
}

// hintStems catch words glued together (commentlist, relatednews, sidebar1).
var hintStems = []struct {
	stem string
	h    hint
}{
	{"comment", hNegHard | hComments}, {"related", hNegHard}, {"recommend", hNegHard}, {"sidebar", hNeg},
	{"share", hNegHard}, {"social", hNegHard}, {"footer", hNegHard | hFooter}, {"breadcrumb", hNegHard},
	{"pagination", hNegHard}, {"newsletter", hNegHard}, {"advert", hNegHard}, {"sponsor", hNegHard},
	{"popular", hNegHard}, {"trending", hNegHard}, {"hotnews", hNegHard}, {"navbar", hNeg},
	{"widget", hSoft}, {"disqus", hNegHard | hComments}, {"outbrain", hNegHard}, {"taboola", hNegHard},
	{"articlebody", hPos}, {"articlecontent", hPos}, {"postcontent", hPos}, {"entrycontent", hPos},
	{"storytext", hPos}, {"bodytext", hPos}, {"maincontent", hPos}, {"pubtime", hMeta | hDate},
	{"pubdate", hMeta | hDate}, {"publishdate", hMeta | hDate}, {"publishtime", hMeta | hDate},
}

// hinter classifies elements by class and id, remembering class values
// (pages repeat them) for the life of one parse.
type hinter struct {
	classes map[string]hint
}

// scan reads an element's attributes in one pass: the class and id hints
// (when classify is set), whether it is hidden, and whether its itemprop
// says datePublished or dateCreated.
func (c *hinter) scan(n *html.Node, classify bool) (h hint, hidden, itemDate bool) {
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "class":
			if classify && a.Val != "" {
				h |= c.class(a.Val)
			}
		case "id":
			if classify && a.Val != "" {
				h |= classifyValue(a.Val)
			}
		case "hidden":
			hidden = true
		case "aria-hidden":
			hidden = hidden || a.Val == "true"
		case "style":
			hidden = hidden || hiddenStyle(a.Val)
		case "itemprop":
			itemDate = containsFold(a.Val, "datepublished") || containsFold(a.Val, "datecreated")
		}
	}
	return h, hidden, itemDate
}

// class classifies a class value, remembering the answer.
func (c *hinter) class(v string) hint {
	if c == nil {
		return classifyValue(v)
	}
	h, ok := c.classes[v]
	if !ok {
		if c.classes == nil {
			c.classes = make(map[string]hint)
		}
		h = classifyValue(v)
		c.classes[v] = h
	}
	return h
}

// of reads the class and id of an element.
func (c *hinter) of(n *html.Node) hint {
	h, _, _ := c.scan(n, true)
	return h
}

// classifyValue splits a class or id value into words and looks them up.
func classifyValue(v string) hint {
	var h hint
	var buf [48]byte
	var prev wordMark // what the previous word of the same item was
	skipNext := false
	for i := 0; i < len(v); {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\n' {
			skipNext, prev = false, 0
			i++
			continue
		}
		if (i == 0 || v[i-1] == ' ') && taxonomyClass(v[i:]) {
			// WordPress's category-<slug>, tag-<slug>: the slug is free text.
			for i < len(v) && v[i] != ' ' {
				i++
			}
			continue
		}
		if !isAlnum(c) {
			i++
			continue
		}
		// One word: letters then digits split (sidebar1), camelCase splits.
		j := i + 1
		for j < len(v) && isAlnum(v[j]) {
			d, p := v[j], v[j-1]
			if d >= 'A' && d <= 'Z' && p >= 'a' && p <= 'z' || d >= '0' && d <= '9' && !(p >= '0' && p <= '9') {
				break
			}
			j++
		}
		w := v[i:j]
		i = j
		if len(w) > len(buf) {
			prev = 0
			continue
		}
		lw := buf[:len(w)]
		for k := 0; k < len(w); k++ {
			b := w[k]
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			lw[k] = b
		}
		if skipNext {
			skipNext, prev = false, 0
			continue
		}
		x, mark := lookupHint(lw, prev)
		switch {
		case mark == markNeutralizer:
			skipNext = true
		case x != 0:
			h |= x
		}
		prev = mark
	}
	return h
}

// wordMark remembers a word whose meaning depends on the next one.
type wordMark uint8

const (
	markNeutralizer wordMark = iota + 1 // has-, no-, with- …
	markTRS                             // TRS_Editor
	markScreen                          // screen-reader
	markSR                              // sr-only
	markVisually                        // visually-hidden
)

// lookupHint returns the hint of one lower-case word given the word before.
func lookupHint(lw []byte, prev wordMark) (hint, wordMark) {
	s := string(lw) // no allocation: only compared and used as a map key
	switch s {
	case "has", "no", "with", "without", "show", "hide", "is", "not":
		return 0, markNeutralizer
	case "trs":
		return hPos, markTRS
	case "screen":
		return hNeg, markScreen
	case "sr":
		return hNeg, markSR
	case "visually":
		return 0, markVisually
	case "reader":
		if prev == markScreen {
			return hNegHard, 0
		}
	case "only":
		if prev == markSR {
			return hNegHard, 0
		}
	case "hidden":
		if prev == markVisually {
			return hNegHard, 0
		}
	case "editor":
		if prev == markTRS {
			return hPos, 0
		}
	}
	if x, ok := hintWords[s]; ok {
		return x, 0
	}
	if len(lw) < 6 {
		return 0, 0
	}
	var h hint
	first := lw[0]
	for _, st := range hintStems {
		if st.stem[0] == first && len(lw) >= len(st.stem) && string(lw[:len(st.stem)]) == st.stem {
			h |= st.h
		}
	}
	if h == 0 && len(lw) >= 10 {
		for _, st := range hintInfixes {
			if strings.Contains(s, st.stem) {
				h |= st.h
			}
		}
	}
	return h, 0
}

// hintInfixes are stems looked for inside long glued words (postcomments,
// articlerelated).
var hintInfixes = []struct {
	stem string
	h    hint
}{
	{"comment", hNegHard | hComments}, {"related", hNegHard}, {"sidebar", hNeg}, {"footer", hNegHard | hFooter},
	{"advert", hNegHard}, {"recommend", hNegHard}, {"content", hPos}, {"article", hPos},
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isBoilerplate reports whether the hints make an element boilerplate
// inside the article.
func (h hint) isBoilerplate() bool {
	return h&hNegHard != 0 || (h&(hNeg|hSoft) != 0 && h&hPos == 0)
}

// isFurniture reports whether the hints make an element page furniture for
// the whole-page walk: words also found on page wrappers do not count.
func (h hint) isFurniture() bool {
	return h&hNegHard != 0 || (h&hNeg != 0 && h&hPos == 0)
}

// skipTags never hold article text.
func skipTag(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math, atom.Iframe,
		atom.Object, atom.Embed, atom.Canvas, atom.Video, atom.Audio, atom.Map, atom.Select,
		atom.Option, atom.Button, atom.Input, atom.Textarea, atom.Head, atom.Link, atom.Meta,
		atom.Title, atom.Base, atom.Dialog, atom.Menu:
		return true
	}
	return false
}

// boilerTag holds page furniture rather than the article.
func boilerTag(a atom.Atom) bool {
	switch a {
	case atom.Nav, atom.Aside, atom.Footer, atom.Header:
		return true
	}
	return false
}

// isHidden reports whether an element is hidden from readers.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		}
	}
	return false
}

// attr returns an attribute's value.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// blockTag reports whether an element starts a new line of text.
func blockTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.Blockquote, atom.Pre,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Li, atom.Dl,
		atom.Dt, atom.Dd, atom.Table, atom.Tbody, atom.Thead, atom.Tfoot, atom.Tr, atom.Td, atom.Th,
		atom.Caption, atom.Figure, atom.Figcaption, atom.Header, atom.Footer, atom.Aside, atom.Nav,
		atom.Address, atom.Hr, atom.Form, atom.Fieldset, atom.Center, atom.Body, atom.Html,
		atom.Details, atom.Summary, atom.Hgroup, atom.Legend:
		return true
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word w in any
// letter case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i]|0x20 == w[0] && strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// taxonomyClass reports whether a class item names a taxonomy term rather
// than describing the element.
func taxonomyClass(s string) bool {
	var prefixes []string
	switch s[0] | 0x20 {
	case 'c':
		prefixes = taxonomyC
	case 't':
		prefixes = taxonomyT
	case 's':
		prefixes = taxonomyS
	case 'a':
		prefixes = taxonomyA
	case 'p':
		prefixes = taxonomyP
	case 'f':
		prefixes = taxonomyF
	case 'e':
		prefixes = taxonomyE
	default:
		return false
	}
	for _, p := range prefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) && (p != "post-" && p != "elementor-" && p != "section-" || taxonomyTail(s[len(p):])) {
			return true
		}
	}
	return false
}

var (
	taxonomyC = []string{"category-", "channel-"}
	taxonomyT = []string{"tag-", "tags-", "topic-", "type-"}
	taxonomyS = []string{"section-", "status-"}
	taxonomyA = []string{"author-"}
	taxonomyP = []string{"postid-", "post-"}
	taxonomyF = []string{"format-"}
	taxonomyE = []string{"elementor-"}
)

// taxonomyTail reports whether the rest of post-…, elementor-… or section-…
// is an id or slug (digits, or several hyphenated words) rather than a role.
func taxonomyTail(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c >= '0' && c <= '9' {
		return true
	}
	return false
}

// hiddenStyle reports whether an inline style hides the element.
func hiddenStyle(v string) bool {
	if !strings.Contains(v, "none") && !strings.Contains(v, "hidden") {
		return false
	}
	s := strings.ToLower(strings.ReplaceAll(v, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}
