package article

import (
	"time"

	htmldate "github.com/markusmobius/go-htmldate"
	"golang.org/x/net/html"
)

// libraryDate asks go-htmldate, in its fast mode, for a page on which none
// of our own readings found a date. Measured on the extraction suites
// (README, "Dates"), it finds dates there that ours misses ("Date:
// 2016/11/18" lines, days written 30.10.23 in running text), while ours is
// right more often wherever both find one, and its extensive mode mostly
// adds dates from markup (class names, image file names, copyright lines)
// to pages that state none.
func (p *page) libraryDate() (time.Time, bool) {
	// The library reads the page without the comments, sidebars,
	// navigation and footers, where our own readings never look for the
	// publication date either.
	restore := detach(p.farRoots)
	r, err := htmldate.FromDocument(p.doc.Nodes[0], htmldate.Options{
		URL: p.pageURL, UseOriginalDate: true, SkipExtensiveSearch: true,
	})
	restore()
	// An update is not the publication, for the library as for our own
	// readings.
	if err != nil || r.IsZero() || updatedLabel(r.SrcString) {
		return time.Time{}, false
	}
	t := r.DateTime
	// A month or a year alone comes back as its first day, which the page
	// does not state.
	if t.Day() == 1 {
		if d, ok := firstDay(r.SrcString, p.loc); !ok || d.Day() != 1 {
			return time.Time{}, false
		}
	}
	if !r.HasTimezone {
		// A time without a zone comes back as a UTC wall clock: read it in
		// the configured zone, as our own readings do.
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, p.loc)
	}
	return t, true
}

// detach takes nodes out of their tree and returns the function that puts
// them back where they were.
func detach(nodes []*html.Node) (restore func()) {
	type place struct{ n, parent, next *html.Node }
	places := make([]place, 0, len(nodes))
	for _, n := range nodes {
		if n.Parent != nil {
			places = append(places, place{n, n.Parent, n.NextSibling})
			n.Parent.RemoveChild(n)
		}
	}
	return func() {
		for i := len(places) - 1; i >= 0; i-- {
			pl := places[i]
			pl.parent.InsertBefore(pl.n, pl.next)
		}
	}
}
