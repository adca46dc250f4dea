package article

import (
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Date labels: words that, right before a date, say what it is. They are
// read only as the last resort, when nothing else on the page dates it.
var (
	publishedLabels = []string{
		"date", "published", "posted", "datum", "veröffentlicht", "publié", "publicado", "pubblicato",
		"发布", "發布", "發佈", "日期", "时间", "時間",
	}
	updatedLabels = []string{"updated", "update:", "modified", "更新", "修改", "aktualisiert", "mis à jour", "actualizado", "edited"}
)

// maxLabelled is the longest element text read for a labelled date: a
// byline or a footer line, not a paragraph of prose.
const maxLabelled = 200

// labelledDate is the last resort: the first short element outside
// comments, sidebars and navigation whose text labels a date ("Date:
// 23.05.2011", "发布日期：2020-04-17"), a publication label before an update
// label. An update bounds the article's age where nothing else dates it,
// as modification metadata does.
func (p *page) labelledDate() (time.Time, bool) {
	far := make(map[*html.Node]bool, len(p.farRoots))
	for _, n := range p.farRoots {
		far[n] = true
	}
	var updated time.Time
	for n := p.doc.Nodes[0]; n != nil; {
		if n.Type == html.ElementNode && (far[n] || n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Head) {
			n = nextSkipping(n)
			continue
		}
		if n.Type == html.ElementNode && blockTag(n.DataAtom) && !hasBlockChild(n) {
			if t, upd, ok := p.labelIn(collapse(nodeText(n))); ok {
				if !upd {
					return t, true
				}
				if updated.IsZero() {
					updated = t
				}
			}
		}
		n = next(n)
	}
	return updated, !updated.IsZero()
}

// labelIn reads a labelled day in a short text, and whether its label is an
// update.
func (p *page) labelIn(text string) (t time.Time, updated, ok bool) {
	if len(text) > maxLabelled || !hasDigit(text) {
		return time.Time{}, false, false
	}
	for _, m := range dayMatches(text, p.loc) {
		before := strings.ToLower(text[max(0, m.Start-24):m.Start])
		if containsAny(before, updatedLabels) {
			return m.Time, true, true
		}
		if containsAny(before, publishedLabels) {
			return m.Time, false, true
		}
	}
	return time.Time{}, false, false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// hasBlockChild reports whether n holds a block element: only the innermost
// blocks are read, so that each text is read once.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && blockTag(c.DataAtom) {
			return true
		}
	}
	return false
}
