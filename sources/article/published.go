package article

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wallwatch/worker/sources/dates"
)

// publishedKeys are meta names and properties that carry the original
// publication date, most specific first.
var publishedKeys = []string{
	"article:published_time", "og:published_time", "og:article:published_time", "article:published",
	"datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "publishdatetime",
	"publication_date", "publication-date", "sailthru.date", "parsely-pub-date", "article.published",
	"article_date_original", "original-publish-date", "cxenseparse:recs:publishtime", "date.published",
	"dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
	"citation_publication_date", "citation_date", "prism.publicationdate", "article:post_date",
	"publishtime", "publish_time", "pubtime", "ptime", "pdate", "created", "datecreated",
	"creation_date", "release_date", "date", "dc.created", "displaydate", "originalpublicationdate",
	"og:pubdate", "bt:pubdate", "weibo: article:create_at", "article.created", "shareaholic:article_published_time",
}

// modifiedKeys are the modification dates, used only when nothing gives the
// publication date.
var modifiedKeys = []string{
	"article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "dcterms.modified",
	"last-modified", "lastmod", "article.updated", "revised", "dateupdate", "dateupdated",
}

// published finds the publication time: JSON-LD, meta tags, microdata, the
// byline's <time>, the URL, and finally the byline text. It prefers the
// original publication over the modification date and keeps the offset the
// page states; zero when the page gives no date.
func (p *page) published(h1 *marked, top content, canonical, text string) time.Time {
	anchor := top.seq
	p.article = nil // the <article> around the headline or the text
	if h1 != nil && !h1.far {
		anchor = h1.seq
		p.article = enclosing(h1.n, atom.Article)
	}
	if p.article == nil && len(top.nodes) > 0 {
		p.article = enclosing(top.nodes[0], atom.Article)
	}
	lo, hi := anchor-40, max(top.end, anchor+40)

	if t, ok := p.metadataDate(); ok {
		if t.Location() != time.UTC {
			p.dateFrom = "metadata"
			return t
		}
		// Metadata in UTC, byline in local time: the page states the day
		// in its own offset, which the byline shows.
		for _, local := range []func(int, int, int) (time.Time, bool){p.timeElement, p.bylineDate} {
			if l, ok := local(anchor, lo, hi); ok {
				if off, ok := sameInstant(t, l); ok {
					p.dateFrom = "metadata+byline"
					return t.In(fixedZone(off))
				}
			}
		}
		p.dateFrom = "metadata-utc"
		return t
	}
	if t, ok := p.timeElement(anchor, lo, hi); ok {
		p.dateFrom = "time"
		return t
	}
	for _, u := range []string{p.pageURL, canonical} {
		if t, ok := urlDate(u, p.loc); ok {
			p.dateFrom = "url"
			return t
		}
	}
	if t, ok := p.bylineDate(anchor, lo, hi); ok {
		p.dateFrom = "byline"
		return t
	}
	if t, ok := p.scriptDate(anchor, lo, hi); ok {
		p.dateFrom = "script"
		return t
	}
	var from *html.Node
	if h1 != nil && !h1.far {
		from = h1.n
	} else if len(top.nodes) > 0 {
		from = top.nodes[0]
	}
	if from != nil {
		if t, ok := p.nearbyTextDate(from, h1 != nil && !h1.far); ok {
			p.dateFrom = "nearby"
			return t
		}
	}
	if t, ok := signatureDate(text, p.loc); ok {
		p.dateFrom = "signature"
		return t
	}
	if t, ok := dates.Parse(p.ld.modified, p.loc); ok {
		p.dateFrom = "modified"
		return t
	}
	for _, k := range modifiedKeys {
		if v := p.meta[k]; v != "" {
			if t, ok := dates.Parse(v, p.loc); ok {
				p.dateFrom = "modified"
				return t
			}
		}
	}
	if t, ok := p.labelledDate(); ok {
		p.dateFrom = "labelled"
		return t
	}
	p.dateFrom = "none"
	return time.Time{}
}

// scriptDate reads the date a short inline script writes into the byline
// (forum and portal pages: showDate("2020/04/17 01:43")): the one nearest
// the headline, or the page's only one when none is near.
func (p *page) scriptDate(anchor, lo, hi int) (time.Time, bool) {
	var best, only time.Time
	bestDist, n := 1<<30, 0
	for i := range p.scripts {
		m := &p.scripts[i]
		js := m.n.FirstChild.Data
		if m.far || !hasClock(js) {
			continue
		}
		t, ok := firstDay(js, p.loc)
		if !ok {
			continue
		}
		n, only = n+1, t
		if dist := abs(m.seq - anchor); m.seq >= lo && m.seq <= hi && dist < bestDist {
			best, bestDist = t, dist
		}
	}
	if best.IsZero() && n == 1 {
		best = only
	}
	return best, !best.IsZero()
}

// metadataDate reads the publication date from JSON-LD, meta tags and
// microdata.
func (p *page) metadataDate() (time.Time, bool) {
	if t, ok := dates.Parse(p.ld.published, p.loc); ok {
		return t, true
	}
	for _, k := range publishedKeys {
		if v := p.meta[k]; v != "" {
			if t, ok := dates.Parse(v, p.loc); ok {
				return t, true
			}
		}
	}
	if t, ok := dates.Parse(p.ld.created, p.loc); ok {
		return t, true
	}
	for _, m := range p.itemDates {
		if m.far {
			continue
		}
		for _, v := range []string{attr(m.n, "content"), attr(m.n, "datetime"), collapse(nodeText(m.n))} {
			if t, ok := dates.Parse(v, p.loc); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// sameInstant reports whether local, a byline time of day, is the UTC
// instant t written in some offset, and which: either local carries that
// offset itself, or its wall clock differs from t's by a whole number of
// quarter hours within ±14 h.
func sameInstant(t, local time.Time) (int, bool) {
	if _, off := local.Zone(); local.Location() != time.UTC && off != 0 && local.Equal(t) {
		return off, true
	}
	y, mo, d := local.Date()
	wall := time.Date(y, mo, d, local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
	diff := wall.Sub(t.Truncate(time.Second))
	if diff == 0 || diff%(15*time.Minute) != 0 || diff > 14*time.Hour || diff < -14*time.Hour {
		return 0, false
	}
	if local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 {
		return 0, false // a date without a time of day says nothing about the offset
	}
	return int(diff / time.Second), true
}

func fixedZone(off int) *time.Location { return time.FixedZone("", off) }

// bylineRegion reports whether a marked element may carry the article's
// own date: outside page furniture, or in a side column inside the
// article's own <article> element; never in comments.
func (p *page) bylineRegion(m *marked) bool {
	if m.comments {
		return false
	}
	return !m.far || p.article != nil && isAncestor(p.article, m.n)
}

// enclosing returns the nearest ancestor of n with tag a, or nil.
func enclosing(n *html.Node, a atom.Atom) *html.Node {
	for e := n.Parent; e != nil; e = e.Parent {
		if e.Type == html.ElementNode && e.DataAtom == a {
			return e
		}
	}
	return nil
}

// timeElement reads the <time> of the byline: one marked as the publication
// (pubdate, class published) nearest the headline, else the first after the
// headline, else the nearest before it; never one in comments or sidebars.
func (p *page) timeElement(anchor, lo, hi int) (time.Time, bool) {
	var best *marked
	bestDist := 1 << 30
	for i := range p.times {
		m := &p.times[i]
		if !p.bylineRegion(m) || m.seq < lo || m.seq > hi || m.h&hUpdated != 0 {
			continue
		}
		if ip := attr(m.n, "itemprop"); containsFold(ip, "datemodified") {
			continue
		}
		dist := m.seq - anchor
		if dist < 0 {
			dist = -dist * 4 // before the headline: less likely the byline
		}
		// Marked as the publication date: a little further away still wins.
		if hasAttr(m.n, "pubdate") || m.h&hDate != 0 || containsFold(attr(m.n, "class"), "entry-date") || containsFold(attr(m.n, "itemprop"), "datepublished") {
			dist /= 3
		}
		if dist < bestDist {
			best, bestDist = m, dist
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	if t, ok := dates.Parse(attr(best.n, "datetime"), p.loc); ok {
		return t, true
	}
	return dates.Parse(collapse(nodeText(best.n)), p.loc)
}

// bylineDate reads dates from elements whose class or id says date, time,
// byline or meta, nearest the headline first.
func (p *page) bylineDate(anchor, lo, hi int) (time.Time, bool) {
	var best time.Time
	bestDist := 1 << 30
	for i := range p.bylines {
		m := &p.bylines[i]
		if !p.bylineRegion(m) || m.seq < lo || m.seq > hi || m.h&hUpdated != 0 {
			continue
		}
		dist := m.seq - anchor
		if dist < 0 {
			dist = -dist * 4
		}
		if dist >= bestDist {
			continue
		}
		for _, k := range []string{"datetime", "content", "data-time", "data-date", "title"} {
			if v := attr(m.n, k); v != "" {
				if t, ok := dates.Parse(v, p.loc); ok {
					best, bestDist = t, dist
					break
				}
			}
		}
		if bestDist == dist {
			continue
		}
		text := collapse(nodeText(m.n))
		if len(text) > 400 {
			text = text[:400]
		}
		if !hasDigit(text) {
			continue
		}
		if t, ok := firstDay(text, p.loc); ok {
			best, bestDist = t, dist
		}
	}
	return best, !best.IsZero()
}

// nearbyTextDate reads the first full date in the text that follows the
// headline (or starts the content), up to where the article's paragraphs
// begin, then in the text just before it.
func (p *page) nearbyTextDate(from *html.Node, isHeading bool) (time.Time, bool) {
	var sb strings.Builder
	limit := 600
	if !isHeading {
		limit = 300
	}
	// Forward from the node, in document order.
	n := from
	if isHeading {
		n = nextSkipping(from)
	}
	for n != nil && sb.Len() < limit {
		switch n.Type {
		case html.TextNode:
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
		case html.ElementNode:
			if skipTag(n.DataAtom) {
				n = nextSkipping(n)
				continue
			}
			if n.DataAtom == atom.P {
				if l, _ := measure(nodeText(n)); l > 120 {
					n = nil // the article's text starts here
					continue
				}
			}
			if len(n.Attr) > 0 {
				if h := p.hints.of(n); h.isBoilerplate() || h&hUpdated != 0 {
					n = nextSkipping(n)
					continue
				}
			}
		}
		n = next(n)
	}
	if t, ok := firstDay(collapse(sb.String()), p.loc); ok {
		return t, true
	}
	// Backward: the siblings just before the headline and its parent.
	sb.Reset()
	for _, start := range []*html.Node{from, from.Parent} {
		if start == nil {
			continue
		}
		k := 0
		for s := start.PrevSibling; s != nil && k < 3 && sb.Len() < 300; s = s.PrevSibling {
			if s.Type == html.ElementNode {
				k++
				if skipTag(s.DataAtom) || s.DataAtom == atom.Nav || s.DataAtom == atom.Header && !isHeading {
					continue
				}
				if len(s.Attr) > 0 && p.hints.of(s).isBoilerplate() {
					continue
				}
			}
			sb.WriteString(nodeText(s))
			sb.WriteByte(' ')
		}
	}
	text := collapse(sb.String())
	if len(text) > 300 {
		text = text[:300]
	}
	return firstDay(text, p.loc)
}

// signatureDate reads a date that closes the text on a short line of its
// own, as blog posts sign off ("Benni / 10. September 2017").
func signatureDate(text string, loc *time.Location) (time.Time, bool) {
	for k := 0; k < 2 && text != ""; k++ {
		line := text
		if i := strings.LastIndexByte(text, '\n'); i >= 0 {
			line, text = text[i+1:], text[:i]
		} else {
			text = ""
		}
		if utf8.RuneCountInString(line) > 60 {
			return time.Time{}, false
		}
		for _, m := range dates.FindAll(line, loc) {
			if m.Precision == dates.Day && (m.End-m.Start)*10 >= len(line)*4 && !updatedLabel(line[:m.Start]) {
				return m.Time, true
			}
		}
	}
	return time.Time{}, false
}

// firstDay returns the first date with a day in text that is not labelled as
// an update.
func firstDay(text string, loc *time.Location) (time.Time, bool) {
	for _, m := range dayMatches(text, loc) {
		if !updatedLabel(text[max(0, m.Start-24):m.Start]) {
			return m.Time, true
		}
	}
	return time.Time{}, false
}

// dayMatches are the dates in text that name a day.
func dayMatches(text string, loc *time.Location) []dates.Match {
	ms := dates.FindAll(text, loc)
	days := ms[:0]
	for _, m := range ms {
		if m.Precision == dates.Day {
			days = append(days, m)
		}
	}
	return days
}

// updatedLabel reports whether text before a date labels it as an update.
func updatedLabel(s string) bool { return containsAny(strings.ToLower(s), updatedLabels) }

// next returns the node after n in document order.
func next(n *html.Node) *html.Node {
	if n.FirstChild != nil {
		return n.FirstChild
	}
	return nextSkipping(n)
}

// nextSkipping returns the node after n's subtree in document order.
func nextSkipping(n *html.Node) *html.Node {
	for ; n != nil; n = n.Parent {
		if n.NextSibling != nil {
			return n.NextSibling
		}
	}
	return nil
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// urlDate reads a publication day from a URL path: /2024/09/04/,
// /2024-09-04-, /20240904/, t20240904_123, /202409/04/, /2024/0904/.
func urlDate(raw string, loc *time.Location) (time.Time, bool) {
	if raw == "" {
		return time.Time{}, false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return time.Time{}, false
	}
	path := u.EscapedPath()
	// Digit runs and the separators between them.
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(path); {
		if path[i] < '0' || path[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(path) && path[j] >= '0' && path[j] <= '9' {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	num := func(r run) int { return atoiDigits(path[r.start:r.end]) }
	sepOK := func(a, b run) bool {
		if b.start-a.end != 1 {
			return false
		}
		switch path[a.end] {
		case '/', '-', '_', '.':
			return true
		}
		return false
	}
	day := func(y, m, d int) (time.Time, bool) {
		if y < dates.MinYear || y > dates.MaxYear || m < 1 || m > 12 || d < 1 || d > 31 {
			return time.Time{}, false
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
		if t.Day() != d {
			return time.Time{}, false
		}
		return t, true
	}
	for i, r := range runs {
		l := r.end - r.start
		switch {
		case l == 4 && i+2 < len(runs) && sepOK(r, runs[i+1]) && sepOK(runs[i+1], runs[i+2]) &&
			runs[i+1].end-runs[i+1].start <= 2 && runs[i+2].end-runs[i+2].start <= 2:
			if t, ok := day(num(r), num(runs[i+1]), num(runs[i+2])); ok {
				return t, true
			}
		case l == 8:
			v := path[r.start:r.end]
			if t, ok := day(atoiDigits(v[:4]), atoiDigits(v[4:6]), atoiDigits(v[6:])); ok {
				return t, true
			}
		case l == 6 && i+1 < len(runs) && sepOK(r, runs[i+1]) && runs[i+1].end-runs[i+1].start == 2:
			v := path[r.start:r.end]
			if t, ok := day(atoiDigits(v[:4]), atoiDigits(v[4:]), num(runs[i+1])); ok {
				return t, true
			}
		case l == 4 && i+1 < len(runs) && sepOK(r, runs[i+1]) && runs[i+1].end-runs[i+1].start == 4:
			v := path[runs[i+1].start:runs[i+1].end]
			if t, ok := day(num(r), atoiDigits(v[:2]), atoiDigits(v[2:])); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' || s[i] == 0xEF { // ０–９ are EF BC 90–99
			return true
		}
	}
	return false
}

// hasClock reports whether s holds a time of day ("01:43").
func hasClock(s string) bool {
	for i := 1; i+2 < len(s); i++ {
		if s[i] == ':' && isDigit(s[i-1]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
