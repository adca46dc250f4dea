package article

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// addMeta records a <meta> element's content under its lower-cased name,
// property, itemprop or http-equiv (the first value wins).
func (p *page) addMeta(n *html.Node) {
	var key, content string
	hasContent := false
	for _, a := range n.Attr {
		switch a.Key {
		case "property", "name", "itemprop", "http-equiv":
			if key == "" || a.Key == "property" {
				key = a.Val
			}
		case "content":
			content, hasContent = a.Val, true
		}
	}
	if key == "" || !hasContent {
		return
	}
	content = strings.TrimSpace(content)
	if content == "" {
		return
	}
	if !strings.ContainsAny(key, " \t\n") {
		p.setMeta(key, content)
		return
	}
	// Space-separated properties: property="og:title twitter:title".
	for _, k := range strings.Fields(key) {
		p.setMeta(k, content)
	}
}

func (p *page) setMeta(k, v string) {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'A' && c <= 'Z' {
			k = strings.ToLower(k)
			break
		}
	}
	if _, ok := p.meta[k]; !ok {
		p.meta[k] = v
	}
}

// metaFirst returns the first non-empty meta value among keys.
func (p *page) metaFirst(keys ...string) string {
	for _, k := range keys {
		if v := p.meta[k]; v != "" {
			return v
		}
	}
	return ""
}

// base returns the URL relative references resolve against.
func (p *page) base() *url.URL {
	pu, err := url.Parse(p.pageURL)
	if err != nil {
		pu = &url.URL{}
	}
	if p.baseHref != "" {
		if b, err := pu.Parse(p.baseHref); err == nil {
			return b
		}
	}
	return pu
}

// canonicalURL is <link rel=canonical>, else og:url, absolute; "" when
// neither exists or neither resolves to an http(s) URL.
func (p *page) canonicalURL() string {
	for _, raw := range []string{p.canonical, p.meta["og:url"]} {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var u *url.URL
		var err error
		if p.baseHref == "" && (hasPrefixFold(raw, "https://") || hasPrefixFold(raw, "http://")) {
			u, err = url.Parse(raw) // absolute already: no need to parse the page URL
		} else {
			u, err = p.base().Parse(raw)
		}
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		u.Fragment = ""
		return u.String()
	}
	return ""
}

// siteName is og:site_name, else the JSON-LD publisher, else
// application-name.
func (p *page) siteName() string {
	if s := collapse(p.metaFirst("og:site_name", "og:sitename")); s != "" {
		return s
	}
	if p.ld.publisher != "" {
		return collapse(p.ld.publisher)
	}
	return collapse(p.metaFirst("application-name", "apple-mobile-web-app-title"))
}

// titles holds the title candidates of a page.
type titles struct {
	hints   *hinter
	meta    string  // og:title, twitter:title, JSON-LD headline, dc.title; site name removed
	docHead string  // <title> without the site name
	docSite string  // the site part of <title>
	site    string  // the site name known from metadata or <title>
	h1      *marked // the heading that carries the headline, nil when none
	h1Text  string
	// nearContent tells that the heading sits just above or inside the
	// article's text.
	nearContent bool
	memo        normMemo
}

// normMemo remembers a few normalised strings.
type normMemo struct {
	keys, vals [8]string
	n          int
}

func (m *normMemo) norm(s string) string {
	for i := 0; i < m.n; i++ {
		if m.keys[i] == s {
			return m.vals[i]
		}
	}
	v := norm(s)
	if m.n < len(m.keys) {
		m.keys[m.n], m.vals[m.n] = s, v
		m.n++
	}
	return v
}

// similar reports whether two titles say the same (similarNorm after
// normalising both, memoised).
func (t *titles) similar(a, b string) bool {
	return similarNorm(t.memo.norm(a), t.memo.norm(b))
}

// titleCandidates gathers the title candidates and the headline heading.
func (p *page) titleCandidates(site string, top content) *titles {
	t := &titles{hints: &p.hints, site: site, meta: p.metaTitle()}
	t.docHead, t.docSite = splitTitle(p.titleTag, site, "")
	t.h1, t.h1Text = p.headline(t)
	if t.h1 != nil {
		t.nearContent = t.h1.seq >= top.seq-60 && t.h1.seq <= top.end
	}
	if t.h1Text != "" && t.h1Text != t.docHead && strings.Contains(p.titleTag, t.h1Text) {
		// The headline shows exactly where <title> splits.
		t.docHead, t.docSite = splitTitle(p.titleTag, site, t.h1Text)
	}
	if t.site == "" {
		t.site = t.docSite
	}
	for _, s := range []string{t.site, t.docSite} {
		if s != "" && t.meta != "" && !strings.EqualFold(t.meta, s) {
			t.meta = stripSite(t.meta, s)
		}
	}
	if t.meta != "" && t.similar(t.meta, t.site) && len(t.memo.norm(t.meta)) <= len(t.memo.norm(t.site))+2 {
		t.meta = "" // og:title is just the site name
	}
	return t
}

// headline returns the heading that carries the headline: an h1 that
// agrees with the metadata or <title>, else such an h2 (the h1 may name a
// section), else the first h1 that does not just name the site.
func (p *page) headline(t *titles) (*marked, string) {
	nMeta, nDoc := t.memo.norm(t.meta), t.memo.norm(t.docHead)
	agrees := func(text string) bool {
		nt := norm(text)
		return similarNorm(nt, nMeta) || similarNorm(nt, nDoc)
	}
	var first *marked
	var firstText string
	for i := range p.h1 {
		m := &p.h1[i]
		if m.far {
			continue
		}
		text := headingText(t.hints, m.n)
		if text == "" {
			continue
		}
		if agrees(text) && !t.siteLike(m.n, text) {
			return m, text
		}
		if first == nil && !t.siteLike(m.n, text) {
			first, firstText = m, text
		}
	}
	for i := range p.h2[:min(len(p.h2), 30)] {
		m := &p.h2[i]
		if m.far {
			continue
		}
		text := headingText(t.hints, m.n)
		if utf8.RuneCountInString(text) < 8 {
			continue
		}
		if agrees(text) && !t.siteLike(m.n, text) {
			return m, text
		}
	}
	return first, firstText
}

// siteLike reports whether a heading names the site rather than the
// article: it matches the site name, is classed as a logo, or links to the
// home page.
func (t *titles) siteLike(n *html.Node, text string) bool {
	if t.site != "" && t.similar(text, t.site) || t.docSite != "" && t.similar(text, t.docSite) {
		return true
	}
	if h := t.hints.of(n); h&hNeg != 0 && h&hPos == 0 {
		return true // class logo, site-title …
	}
	home := func(a *html.Node) bool {
		href := strings.TrimSpace(attr(a, "href"))
		if href == "/" || href == "./" || href == "index.html" {
			return true
		}
		u, err := url.Parse(href)
		return err == nil && u.IsAbs() && (u.Path == "" || u.Path == "/") && u.RawQuery == ""
	}
	if n.Parent != nil && n.Parent.DataAtom == atom.A && home(n.Parent) {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.A && home(c) {
			return true
		}
	}
	return false
}

// headingText is a heading's text without kicker labels and hidden parts.
func headingText(hints *hinter, n *html.Node) string {
	var sb strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				sb.WriteString(c.Data)
			case html.ElementNode:
				if skipTag(c.DataAtom) {
					continue
				}
				if len(c.Attr) > 0 {
					if isHidden(c) {
						continue
					}
					if h := hints.of(c); h&(hKicker|hNegHard) != 0 {
						continue
					}
				}
				if c.DataAtom == atom.Br || blockTag(c.DataAtom) {
					sb.WriteByte(' ')
				}
				rec(c)
			}
		}
	}
	rec(n)
	s := collapse(sb.String())
	if s == "" {
		s = collapse(nodeText(n))
	}
	// Permalink marks after the heading text.
	return strings.TrimSpace(strings.TrimRight(s, "¶#§🔗 "))
}

// title picks the headline from the candidates: the visible headline (h1)
// and the metadata or <title> that agree with it, the shorter where one
// holds the other plus a kicker or site name; without an agreeing h1, the
// metadata title, then <title> stripped of the site name.
func (t *titles) title() string {
	if t.h1Text != "" {
		for _, other := range []string{t.meta, t.docHead} {
			if other != "" && t.similar(other, t.h1Text) {
				return t.shorterOf(other, t.h1Text)
			}
		}
		if t.meta == "" && t.docHead == "" {
			return t.h1Text
		}
		if !shortTitle(t.h1Text) && t.nearContent {
			// The headline over the article says something else than the
			// metadata: readers see the headline.
			return t.h1Text
		}
	}
	switch {
	case t.meta != "":
		return t.meta
	case t.docHead != "":
		return t.docHead
	}
	return t.h1Text
}

// shorterOf returns the shorter title when one contains the other (a kicker
// or site name around the headline), else b.
func (t *titles) shorterOf(a, b string) string {
	na, nb := t.memo.norm(a), t.memo.norm(b)
	if strings.Contains(nb, na) && na != nb {
		return a
	}
	return b
}

// metaTitle is the headline the metadata gives.
func (p *page) metaTitle() string {
	if t := collapse(p.metaFirst("og:title", "twitter:title")); t != "" {
		return t
	}
	if p.ld.headline != "" {
		return collapse(p.ld.headline)
	}
	return collapse(p.metaFirst("dc.title", "dcterms.title", "headline", "title", "sailthru.title", "parsely-title"))
}

// siteFromTitle is the part of <title> that is not the headline.
func (p *page) siteFromTitle(headline string) string {
	_, site := splitTitle(p.titleTag, "", headline)
	return site
}

// titleSeps split a <title> into headline and site parts.
var titleSeps = []string{" | ", " - ", " – ", " — ", " :: ", " » ", " › ", " · ", " • ", " ~ ", " / ", "｜", "|", "_", " -- ", " > ", " : "}

// cjkTitleSeps also split Chinese titles, which often go without spaces.
var cjkTitleSeps = append(append([]string{}, titleSeps...), "-", "－", "—", "–", "丨")

// hasCJK reports whether s has a CJK character.
func hasCJK(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 && isCJK(r) {
			return true
		}
	}
	return false
}

// splitTitle cuts a <title> into headline and site name. The known site
// name or the known headline (the h1) guide the cut; otherwise the longest
// part is the headline.
func splitTitle(t, site, headline string) (string, string) {
	if t == "" {
		return "", ""
	}
	if headline != "" {
		if i := strings.Index(t, headline); i >= 0 {
			before, after := cleanSitePart(t[:i]), cleanSitePart(t[i+len(headline):])
			// "headline_channel_site": the site is the last part.
			if after != "" {
				return headline, lastPart(after)
			}
			return headline, firstPart(before)
		}
	}
	if site != "" {
		if s := stripSite(t, site); s != t {
			return s, site
		}
	}
	seps := titleSeps
	if hasCJK(t) {
		seps = cjkTitleSeps
	}
	for _, sep := range seps {
		if !strings.Contains(t, sep) {
			continue
		}
		parts := strings.Split(t, sep)
		best := 0
		for i, part := range parts {
			if utf8.RuneCountInString(strings.TrimSpace(part)) > utf8.RuneCountInString(strings.TrimSpace(parts[best])) {
				best = i
			}
		}
		// "Headline - Site" is the common order: the first part wins unless
		// it is much shorter than the longest.
		if first := utf8.RuneCountInString(strings.TrimSpace(parts[0])); best != 0 && first*2 >= utf8.RuneCountInString(strings.TrimSpace(parts[best])) {
			best = 0
		}
		head := strings.TrimSpace(parts[best])
		if utf8.RuneCountInString(head)*3 < utf8.RuneCountInString(t) {
			continue // no dominant part: the separator is part of the headline
		}
		var siteParts []string
		if best == 0 {
			siteParts = parts[len(parts)-1:]
		} else {
			siteParts = parts[:1]
		}
		if best == 0 && len(parts) == 1 {
			siteParts = nil
		}
		return head, cleanSitePart(strings.Join(siteParts, sep))
	}
	return t, ""
}

func cleanSitePart(s string) string {
	s = strings.Trim(s, " |-–—_:»›·•~/>｜－丨")
	return strings.TrimSpace(s)
}

// stripSite removes a leading or trailing site name and its separator.
func stripSite(t, site string) string {
	if len(t) <= len(site) || site == "" {
		return t
	}
	if strings.EqualFold(t[len(t)-len(site):], site) {
		head := strings.TrimRight(t[:len(t)-len(site)], " |-–—_:»›·•~/>｜－丨")
		if head != "" && len(head) < len(t)-len(site) {
			return strings.TrimSpace(head)
		}
	}
	if strings.EqualFold(t[:len(site)], site) {
		head := strings.TrimLeft(t[len(site):], " |-–—_:»›·•~/>｜－丨")
		if head != "" && len(head) < len(t)-len(site) {
			return strings.TrimSpace(head)
		}
	}
	return t
}

// shortTitle reports whether a title is too short to be a headline.
func shortTitle(s string) bool {
	cjk, words := 0, len(strings.Fields(s))
	for _, r := range s {
		if isCJK(r) {
			cjk++
		}
	}
	return cjk < 5 && words < 3
}

// norm lower-cases s and keeps only letters and digits, for comparisons.
func norm(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				b = append(b, c)
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if isCJK(r) {
			b = append(b, s[i-size:i]...)
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return string(b)
}

// lastPart and firstPart pick one part of a title split on separators.
func lastPart(s string) string {
	for _, sep := range cjkTitleSeps {
		if i := strings.LastIndex(s, sep); i >= 0 {
			return cleanSitePart(s[i+len(sep):])
		}
	}
	return s
}

func firstPart(s string) string {
	for _, sep := range cjkTitleSeps {
		if i := strings.Index(s, sep); i >= 0 {
			return cleanSitePart(s[:i])
		}
	}
	return s
}

// similarNorm reports whether two normalised titles say the same: equal,
// one containing most of the other, or close in edit distance.
func similarNorm(na, nb string) bool {
	if na == "" || nb == "" {
		return false
	}
	if na == nb {
		return true
	}
	if strings.Contains(na, nb) || strings.Contains(nb, na) {
		short, long := len(na), len(nb)
		if short > long {
			short, long = long, short
		}
		return short*10 >= long*6
	}
	// Edit distance within 20 % needs lengths within 20 %.
	if la, lb := len(na), len(nb); la*10 < lb*7 || lb*10 < la*7 {
		return false
	}
	ra, rb := []rune(na), []rune(nb)
	long := rb
	if len(ra) > len(rb) {
		long = ra
	}
	if len(long) > 400 {
		return false
	}
	d := levenshtein(ra, rb)
	return float64(d) <= 0.2*float64(len(long))
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lang is the ISO 639-1 code from the script of title and text: zh for
// mostly Han, ja and ko where kana or Hangul show, else the <html lang>,
// else en. sc holds the text's counts.
func (p *page) lang(title string, sc scriptCount) string {
	sc.add(title)
	// A CJK character carries about as much as a word of four letters.
	cjk := sc.han + sc.kana + sc.hangul
	if cjk > 0 && cjk*4 >= sc.letters {
		switch {
		case sc.hangul > sc.han && sc.hangul >= sc.kana:
			return "ko"
		case sc.kana*10 >= cjk:
			return "ja"
		}
		return "zh"
	}
	declared := strings.ToLower(strings.TrimSpace(p.htmlLang))
	if i := strings.IndexAny(declared, "-_"); i >= 0 {
		declared = declared[:i]
	}
	if declared == "" {
		declared = strings.ToLower(p.metaFirst("og:locale", "content-language", "language", "dc.language"))
		if i := strings.IndexAny(declared, "-_"); i >= 0 {
			declared = declared[:i]
		}
	}
	if len(declared) == 2 && declared != "zh" && declared != "ja" && declared != "ko" {
		return declared
	}
	return "en"
}

// ldInfo is what the page's JSON-LD says about the article.
type ldInfo struct {
	headline  string
	published string
	created   string
	modified  string
	publisher string
}

// articleTypes are the schema.org types of an article itself.
var articleTypes = map[string]int{
	"newsarticle": 3, "article": 3, "blogposting": 3, "reportagenewsarticle": 3, "analysisnewsarticle": 3,
	"opinionnewsarticle": 3, "reviewnewsarticle": 3, "backgroundnewsarticle": 3, "liveblogposting": 3,
	"techarticle": 3, "scholarlyarticle": 3, "socialmediaposting": 2, "report": 2, "posting": 2,
	"webpage": 1, "itempage": 1, "videoobject": 1, "creativework": 1,
}

// parseJSONLD reads headline, dates and publisher from JSON-LD blocks,
// preferring article objects, including those inside @graph and arrays.
func parseJSONLD(blocks []string) ldInfo {
	var info ldInfo
	bestRank := map[string]int{}
	set := func(field *string, key string, v string, rank int) {
		if v = strings.TrimSpace(v); v == "" {
			return
		}
		if r, ok := bestRank[key]; !ok || rank > r {
			*field = v
			bestRank[key] = rank
		}
	}
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			rank := 0
			switch t := x["@type"].(type) {
			case string:
				rank = articleTypes[strings.ToLower(t)]
			case []any:
				for _, e := range t {
					if s, ok := e.(string); ok {
						rank = max(rank, articleTypes[strings.ToLower(s)])
					}
				}
			}
			if rank > 0 || depth <= 1 {
				set(&info.headline, "headline", str(x["headline"]), rank)
				set(&info.published, "published", str(x["datePublished"]), rank)
				set(&info.created, "created", str(x["dateCreated"]), rank)
				set(&info.modified, "modified", str(x["dateModified"]), rank)
				if pub, ok := x["publisher"].(map[string]any); ok {
					set(&info.publisher, "publisher", str(pub["name"]), rank)
				}
			}
			for k, e := range x {
				switch k {
				case "@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement":
					visit(e, depth+1)
				}
			}
		}
	}
	for _, b := range blocks {
		if !strings.Contains(b, "date") && !strings.Contains(b, "headline") && !strings.Contains(b, "publisher") {
			continue // nothing this reads (a breadcrumb list, a search box)
		}
		var v any
		if err := json.Unmarshal([]byte(strings.TrimSpace(b)), &v); err != nil {
			// Broken JSON is common (trailing commas, raw newlines): read
			// the fields by hand.
			set(&info.published, "published", rawField(b, "datePublished"), 0)
			set(&info.headline, "headline", rawField(b, "headline"), 0)
			set(&info.modified, "modified", rawField(b, "dateModified"), 0)
			continue
		}
		visit(v, 0)
	}
	return info
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	case map[string]any:
		return str(x["@value"])
	}
	return ""
}

// rawField finds "key": "value" in text that is not valid JSON.
func rawField(s, key string) string {
	i := strings.Index(s, `"`+key+`"`)
	if i < 0 {
		return ""
	}
	s = strings.TrimLeft(s[i+len(key)+2:], " \t\r\n")
	if !strings.HasPrefix(s, ":") {
		return ""
	}
	s = strings.TrimLeft(s[1:], " \t\r\n")
	if !strings.HasPrefix(s, `"`) {
		return ""
	}
	s = s[1:]
	j := strings.IndexByte(s, '"')
	if j < 0 || j > 300 {
		return ""
	}
	return s[:j]
}
