// Package article turns the bytes of an article page into a sources.Article:
// title, publication time, main text, language, site name and the page's
// own canonical URL.
//
// The page is decoded to UTF-8 once (package charset), parsed once with
// golang.org/x/net/html, and everything is read from that one tree: a
// single walk collects the metadata and scores candidate containers in the
// manner of Readability (paragraph text, commas, link density, class and id
// hints in English and Chinese markup); the main text is then written out
// from the chosen container, dropping navigation, comments, related-story
// lists, share bars, editor lines and the like on the way. Parsing is pure:
// no I/O and no clock.
package article

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/charset"
)

// Errors Parse returns for pages it cannot read.
var (
	// ErrEmpty is returned for a body with no bytes.
	ErrEmpty = errors.New("empty page")
	// ErrUnparsable is returned for a page the HTML parser refuses, such as
	// one nested deeper than 512 elements.
	ErrUnparsable = errors.New("unparsable page")
)

// Options tune parsing.
type Options struct {
	// Location is how dates without an offset are read (the config's
	// timezone); nil means UTC.
	Location *time.Location
}

// page is what one walk of the tree collects.
type page struct {
	doc       *goquery.Document
	loc       *time.Location
	pageURL   string
	dateFrom  string            // which part of the page gave the publication date
	meta      map[string]string // first content per lower-cased name/property/itemprop
	titleTag  string
	htmlLang  string
	canonical string
	baseHref  string
	jsonLD    []string
	h1, h2    []marked
	times     []marked
	itemDates []marked
	scripts   []marked     // short inline scripts that may write a byline
	farRoots  []*html.Node // outermost comments, sidebars, navigation and footers
	bylines   []marked
	leads     []marked
	ld        ldInfo
	article   *html.Node // the <article> element around the headline, if any
	hints     hinter
}

// reset clears what a walk collects.
func (p *page) reset() {
	clear(p.meta)
	p.titleTag, p.htmlLang, p.canonical, p.baseHref = "", "", "", ""
	p.jsonLD = p.jsonLD[:0]
	p.h1, p.h2, p.times, p.itemDates, p.bylines = p.h1[:0], p.h2[:0], p.times[:0], p.itemDates[:0], p.bylines[:0]
	p.leads, p.scripts = p.leads[:0], p.scripts[:0]
	clear(p.farRoots)
	p.farRoots = p.farRoots[:0]
}

// Parse decodes body (charset.DecodeHTML with contentType), parses it once
// with golang.org/x/net/html and extracts, from that one tree, the title,
// publication time, main text, language, site name and canonical URL.
// Article.URL is pageURL as given.
func Parse(body []byte, contentType, pageURL string, opts Options) (sources.Article, error) {
	art := sources.Article{URL: pageURL}
	name := pageURL
	if name == "" {
		name = "page"
	}
	if len(body) == 0 {
		return art, fmt.Errorf("parse %s: %w", name, ErrEmpty)
	}
	utf, _, err := charset.DecodeHTML(body, contentType)
	if err != nil {
		return art, fmt.Errorf("parse %s: %w", name, err)
	}
	root, err := html.Parse(bytes.NewReader(utf))
	if err != nil {
		return art, fmt.Errorf("parse %s: %w: %w", name, ErrUnparsable, err)
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	p := &page{doc: goquery.NewDocumentFromNode(root), loc: loc, pageURL: pageURL, meta: map[string]string{}}
	return p.extract(art), nil
}

// extract reads everything from the parsed document.
func (p *page) extract(art sources.Article) sources.Article {
	var w *walker
	var allow map[*html.Node]bool
	frames := framePool.Get().(*[]frame)
	defer func() {
		clear((*frames)[:cap(*frames)]) // drop the node pointers
		framePool.Put(frames)
	}()
	for attempt := 0; ; attempt++ {
		p.reset()
		w = &walker{p: p, frames: (*frames)[:0], allow: allow}
		w.walk(p.doc.Nodes[0])
		*frames = w.frames[:0] // keep a grown stack for the next page
		big := w.wrappers()
		if len(big) == 0 || attempt == 2 {
			break
		}
		// A class or id such as "ad-margins" or "__next" on a wrapper of the
		// whole page: walk again without suppressing it.
		if allow == nil {
			allow = map[*html.Node]bool{}
		}
		for _, n := range big {
			allow[n] = true
		}
	}
	p.ld = parseJSONLD(p.jsonLD)

	art.SiteName = p.siteName()
	art.Canonical = p.canonicalURL()
	top := p.chooseContent(w.cands)
	tc := p.titleCandidates(art.SiteName, top)
	h1 := tc.h1
	art.Title = tc.title()
	if art.SiteName == "" {
		art.SiteName = p.siteFromTitle(art.Title)
	}
	buf := bufPool.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	e := &emitter{hints: &p.hints, buf: (*buf)[:0]}
	if h1 != nil {
		e.h1 = h1.n
	}
	e.total = top.text
	for _, n := range top.nodes {
		e.emit(n, true, false, false)
		e.newline()
	}
	art.Text = e.text()
	*buf = e.buf[:0]
	art.Published = p.published(h1, top, art.Canonical, art.Text)
	art.Lang = p.lang(art.Title, e.script)
	return art
}

// Pools for the walk's element stack and the text buffer: a worker parses
// many pages, and these are the largest short-lived allocations.
var (
	framePool = sync.Pool{New: func() any { s := make([]frame, 0, 32); return &s }}
	bufPool   = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
)

// content is the chosen main container and the siblings joined to it.
type content struct {
	nodes    []*html.Node
	seq, end int // document-order span covered
	text     int // weighted text length of the nodes
}

// chooseContent picks the top-scoring container, moves up where
// Readability would, and joins siblings that belong to the article.
func (p *page) chooseContent(cands []cand) content {
	body := findBody(p.doc.Nodes[0])
	if len(cands) == 0 {
		text, _ := textAndLinks(body)
		return content{nodes: []*html.Node{body}, seq: 0, end: 1 << 30, text: text}
	}
	scores := make(map[*html.Node]*cand, len(cands))
	for i := range cands {
		scores[cands[i].n] = &cands[i]
	}
	sorted := make([]*cand, 0, len(cands))
	for i := range cands {
		sorted = append(sorted, &cands[i])
	}
	slices.SortStableFunc(sorted, func(a, b *cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	top := sorted[0].n
	topScore := sorted[0].score

	// Several near-best candidates under one ancestor: the article is split
	// into sections and the ancestor holds it all.
	var alts [][]*html.Node
	for _, c := range sorted[1:min(len(sorted), 5)] {
		if c.score >= topScore*0.75 {
			alts = append(alts, ancestors(c.n))
		}
	}
	if len(alts) >= 3 {
		for anc := top.Parent; anc != nil && anc != body && anc.Type == html.ElementNode; anc = anc.Parent {
			n := 0
			for _, list := range alts {
				if slices.Contains(list, anc) {
					n++
				}
			}
			if n >= 3 {
				top = anc
				break
			}
		}
	}
	// Move up while the parent scores better.
	if c, ok := scores[top]; ok {
		last := c.score
		threshold := last / 3
		for anc := top.Parent; anc != nil && anc != body && anc.Type == html.ElementNode; anc = anc.Parent {
			pc, ok := scores[anc]
			if !ok {
				continue
			}
			if pc.score < threshold {
				break
			}
			if pc.score > last {
				top = anc
				break
			}
			last = pc.score
		}
	}
	// An only child says no more than its parent.
	for top.Parent != nil && top.Parent != body && top.Parent.Type == html.ElementNode && elementChildren(top.Parent) == 1 {
		top = top.Parent
	}

	topCand := scores[top]
	if topCand != nil {
		topScore = topCand.score
	}
	res := content{seq: 1 << 30}
	threshold := max(10, topScore*0.2)
	parent := top.Parent
	if parent == nil || top == body {
		return spanOf(content{nodes: []*html.Node{top}}, scores, top)
	}
	topClass := attr(top, "class")
	for s := parent.FirstChild; s != nil; s = s.NextSibling {
		if s.Type != html.ElementNode {
			continue
		}
		if s == top {
			res.nodes = append(res.nodes, s)
			continue
		}
		if s.DataAtom == atom.H1 || skipTag(s.DataAtom) || boilerTag(s.DataAtom) {
			continue
		}
		h := hint(0)
		if len(s.Attr) > 0 {
			if isHidden(s) {
				continue
			}
			h = p.hints.of(s)
		}
		if h.isBoilerplate() {
			continue
		}
		bonus := 0.0
		if topClass != "" && attr(s, "class") == topClass {
			bonus = topScore * 0.2
		}
		if c, ok := scores[s]; ok && c.score+bonus >= threshold {
			res.nodes = append(res.nodes, s)
			continue
		}
		if h&hMeta != 0 && h&hLead == 0 {
			continue
		}
		if s.DataAtom == atom.P || h&hLead != 0 {
			l, links := textAndLinks(s)
			ld := 0.0
			if l > 0 {
				ld = float64(links) / float64(l)
			}
			switch {
			case h&hLead != 0 && l > 20 && ld < 0.25:
				res.nodes = append(res.nodes, s)
			case l > 80 && ld < 0.25:
				res.nodes = append(res.nodes, s)
			case l > 0 && l <= 80 && ld == 0 && endsSentence(s):
				res.nodes = append(res.nodes, s)
			}
		}
	}
	return p.withLead(spanOf(res, scores, top), top)
}

// withLead adds the lead paragraph (standfirst, dek, summary) that sits in
// the article's header just before the body, outside the chosen container.
func (p *page) withLead(c content, top *html.Node) content {
	for i := len(p.leads) - 1; i >= 0; i-- {
		l := p.leads[i]
		if l.seq >= c.seq || c.seq-l.seq > 100 || isAncestor(l.n, top) || l.n == top {
			continue
		}
		inside := false
		for _, n := range c.nodes {
			if n == l.n || isAncestor(n, l.n) {
				inside = true
				break
			}
		}
		if inside || !nearRelative(l.n, top, 4) {
			continue
		}
		text, links := textAndLinks(l.n)
		if text < 30 || links*3 > text {
			continue
		}
		c.nodes = append([]*html.Node{l.n}, c.nodes...)
		c.text += text
		break
	}
	return c
}

// nearRelative reports whether a shares an ancestor with b at most up
// levels above b.
func nearRelative(a, b *html.Node, up int) bool {
	anc := b.Parent
	for i := 0; i < up && anc != nil; i++ {
		if isAncestor(anc, a) {
			return true
		}
		anc = anc.Parent
	}
	return false
}

// spanOf fills in the document-order span of the chosen nodes from the
// candidates they are or contain.
func spanOf(c content, scores map[*html.Node]*cand, top *html.Node) content {
	c.seq, c.end = 1<<30, 0
	for n, sc := range scores {
		for _, root := range c.nodes {
			if n == root || isAncestor(root, n) {
				c.seq = min(c.seq, sc.seq)
				c.end = max(c.end, sc.end)
				break
			}
		}
	}
	if c.end == 0 {
		c.seq, c.end = 0, 1<<30
	}
	for _, n := range c.nodes {
		if sc, ok := scores[n]; ok {
			c.text += sc.text
		} else {
			t, _ := textAndLinks(n)
			c.text += t
		}
	}
	return c
}

func isAncestor(anc, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == anc {
			return true
		}
	}
	return false
}

func findBody(root *html.Node) *html.Node {
	var body *html.Node
	for c := root.FirstChild; c != nil && body == nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			for b := c.FirstChild; b != nil; b = b.NextSibling {
				if b.Type == html.ElementNode && b.DataAtom == atom.Body {
					body = b
					break
				}
			}
		}
	}
	if body == nil {
		return root
	}
	return body
}

func ancestors(n *html.Node) []*html.Node {
	var out []*html.Node
	for a := n.Parent; a != nil; a = a.Parent {
		out = append(out, a)
	}
	return out
}

func elementChildren(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		} else if c.Type == html.TextNode && !isBlank(c.Data) {
			return 2 // text beside the child: not an only child
		}
	}
	return k
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\n' && r != '\t' && r != '\r' && r != 0xA0 {
			return false
		}
	}
	return true
}

// textAndLinks measures a small subtree's text and link text.
func textAndLinks(n *html.Node) (text, links int) {
	var rec func(*html.Node, bool)
	rec = func(n *html.Node, inLink bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				l, _ := measure(c.Data)
				text += l
				if inLink {
					links += l
				}
			case html.ElementNode:
				if skipTag(c.DataAtom) {
					continue
				}
				rec(c, inLink || c.DataAtom == atom.A)
			}
		}
	}
	rec(n, false)
	return text, links
}

// endsSentence reports whether an element's text ends like a sentence.
func endsSentence(n *html.Node) bool {
	s := collapse(nodeText(n))
	for _, end := range []string{".", "。", "!", "?", "！", "？", "”", "\"", "」"} {
		if len(s) > len(end) && s[len(s)-len(end):] == end {
			return true
		}
	}
	return false
}
