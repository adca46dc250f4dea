package web_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/wallwatch/worker/store"
)

const atomNS = "http://www.w3.org/2005/Atom"

// node is a generic XML element, so the feed is checked as a reader would
// read it, not through the types that wrote it.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func (n node) children(local string) []node {
	var out []node
	for _, c := range n.Children {
		if c.XMLName.Space == atomNS && c.XMLName.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// validateAtom checks a document against RFC 4287's rules for feeds and
// entries: the root, the elements each must have once, text constructs,
// dates, links, absolute and unique IDs. It returns the problems found.
func validateAtom(doc []byte) (feed node, problems []string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if err := xml.Unmarshal(doc, &feed); err != nil {
		return feed, []string{"not well-formed XML: " + err.Error()}
	}
	if feed.XMLName.Space != atomNS || feed.XMLName.Local != "feed" {
		bad("root is %v, want atom:feed", feed.XMLName)
	}
	ids := map[string]bool{}
	checkID := func(where string, n node) {
		id := strings.TrimSpace(n.Text)
		u, err := url.Parse(id)
		if err != nil || u.Scheme == "" {
			bad("%s: id %q is not an absolute IRI (§4.2.6)", where, id)
		}
		if ids[id] {
			bad("%s: id %q is not unique", where, id)
		}
		ids[id] = true
	}
	checkDate := func(where string, n node) time.Time {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(n.Text))
		if err != nil {
			bad("%s: %s %q is not an RFC 3339 date (§3.3)", where, n.XMLName.Local, n.Text)
		}
		return t
	}
	checkText := func(where string, n node) {
		switch n.attr("type") {
		case "", "text", "html", "xhtml":
		default:
			bad("%s: %s type %q (§3.1.1)", where, n.XMLName.Local, n.attr("type"))
		}
	}
	checkLinks := func(where string, links []node) {
		alternates := map[string]bool{}
		for _, l := range links {
			u, err := url.Parse(l.attr("href"))
			if err != nil || u.Scheme == "" {
				bad("%s: link href %q is not an absolute IRI", where, l.attr("href"))
			}
			if rel := l.attr("rel"); rel == "" || rel == "alternate" {
				key := l.attr("type") + " " + l.attr("hreflang")
				if alternates[key] {
					bad("%s: two alternate links of type and language %q (§4.1.1)", where, key)
				}
				alternates[key] = true
			}
		}
	}
	once := func(where string, n node, locals ...string) {
		for _, l := range locals {
			if c := len(n.children(l)); c != 1 {
				bad("%s: %d atom:%s, want exactly one", where, c, l)
			}
		}
	}
	atMostOnce := func(where string, n node, locals ...string) {
		for _, l := range locals {
			if c := len(n.children(l)); c > 1 {
				bad("%s: %d atom:%s, want at most one", where, c, l)
			}
		}
	}

	once("feed", feed, "id", "title", "updated")
	atMostOnce("feed", feed, "subtitle", "generator", "icon", "logo", "rights")
	if len(problems) > 0 {
		return feed, problems
	}
	checkID("feed", feed.children("id")[0])
	checkText("feed", feed.children("title")[0])
	feedUpdated := checkDate("feed", feed.children("updated")[0])
	checkLinks("feed", feed.children("link"))
	feedAuthor := len(feed.children("author")) > 0
	selfLink := false
	for _, l := range feed.children("link") {
		selfLink = selfLink || l.attr("rel") == "self"
	}
	if !selfLink {
		bad("feed: no rel=self link (§4.2.7.2 SHOULD)")
	}
	for i, e := range feed.children("entry") {
		where := fmt.Sprintf("entry %d", i+1)
		once(where, e, "id", "title", "updated")
		atMostOnce(where, e, "summary", "content", "published", "rights", "source")
		if len(e.children("id")) != 1 || len(e.children("title")) != 1 || len(e.children("updated")) != 1 {
			continue
		}
		checkID(where, e.children("id")[0])
		checkText(where, e.children("title")[0])
		if strings.TrimSpace(e.children("title")[0].Text) == "" {
			bad("%s: empty title", where)
		}
		updated := checkDate(where, e.children("updated")[0])
		if updated.After(feedUpdated) {
			bad("%s: updated %s after the feed's %s", where, updated, feedUpdated)
		}
		for _, p := range e.children("published") {
			checkDate(where, p)
		}
		for _, t := range append(e.children("summary"), e.children("content")...) {
			checkText(where, t)
		}
		if !feedAuthor && len(e.children("author")) == 0 {
			bad("%s: no author, and the feed has none (§4.1.1)", where)
		}
		hasAlternate := false
		for _, l := range e.children("link") {
			hasAlternate = hasAlternate || l.attr("rel") == "" || l.attr("rel") == "alternate"
		}
		if len(e.children("content")) == 0 && !hasAlternate {
			bad("%s: neither content nor an alternate link (§4.1.2)", where)
		}
		checkLinks(where, e.children("link"))
	}
	return feed, problems
}

func TestAtomFeedIsValid(t *testing.T) {
	f := newFixture(t)
	code, body, hdr := f.get(t, "/feed.atom")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("GET /feed.atom = %d %s", code, hdr.Get("Content-Type"))
	}
	feed, problems := validateAtom([]byte(body))
	for _, p := range problems {
		t.Error(p)
	}
	steps := 0
	for _, d := range f.h.Developments {
		steps += len(d.Steps)
	}
	entries := feed.children("entry")
	if len(entries) != steps {
		t.Errorf("%d entries, want one per step: %d", len(entries), steps)
	}
	pay := f.payment(t)
	for _, st := range pay.Steps {
		anchor := fmt.Sprintf("/developments/%d#step-%s-%d", pay.ID, st.Stage, st.N)
		if !strings.Contains(body, anchor) {
			t.Errorf("no entry links %s", anchor)
		}
	}

	if strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;img src=x") {
		t.Error("the hostile headline is not escaped")
	}

	// A feed reader reads it back: same entries, same links.
	parsed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.FeedType != "atom" || len(parsed.Items) != steps || parsed.UpdatedParsed == nil {
		t.Errorf("gofeed read %s with %d items", parsed.FeedType, len(parsed.Items))
	}

	// The same database gives the same IDs; a filter narrows the entries.
	_, again, _ := f.get(t, "/feed.atom")
	if again != body {
		t.Error("the feed changed between two reads of the same database")
	}
	_, filtered, _ := f.get(t, "/feed.atom?stage=launched")
	ff, problems := validateAtom([]byte(filtered))
	if len(problems) > 0 {
		t.Errorf("filtered feed: %v", problems)
	}
	launched := 0
	for _, d := range f.h.SelectDevelopments(store.HistoryFilter{Stage: "launched"}, false) {
		for _, st := range d.Steps {
			if st.Stage == "launched" {
				launched++
			}
		}
	}
	if n := len(ff.children("entry")); n != launched || n == 0 {
		t.Errorf("stage=launched: %d entries, want %d", n, launched)
	}
	if code, _, _ := f.get(t, "/feed.atom?kind=games"); code != http.StatusBadRequest {
		t.Errorf("a bad filter gave %d", code)
	}
}

func TestAtomValidatorFindsProblems(t *testing.T) {
	for name, doc := range map[string]string{
		"not atom":        `<rss version="2.0"><channel/></rss>`,
		"no updated":      `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><author><name>a</name></author></feed>`,
		"duplicate ids":   `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/><entry><id>urn:x:1</id><title>e</title><updated>2024-09-04T00:00:00Z</updated><content>c</content></entry></feed>`,
		"bad date":        `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>4 Sep 2024</updated><author><name>a</name></author><link rel="self" href="http://x/f"/></feed>`,
		"relative id":     `<feed xmlns="http://www.w3.org/2005/Atom"><id>feed-1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/></feed>`,
		"no author":       `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><link rel="self" href="http://x/f"/><entry><id>urn:x:2</id><title>e</title><updated>2024-09-04T00:00:00Z</updated><content>c</content></entry></feed>`,
		"entry too new":   `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/><entry><id>urn:x:2</id><title>e</title><updated>2024-09-05T00:00:00Z</updated><content>c</content></entry></feed>`,
		"no content":      `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/><entry><id>urn:x:2</id><title>e</title><updated>2024-09-04T00:00:00Z</updated></entry></feed>`,
		"two summaries":   `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/><entry><id>urn:x:2</id><title>e</title><updated>2024-09-04T00:00:00Z</updated><content>c</content><summary>a</summary><summary>b</summary></entry></feed>`,
		"not well-formed": `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id>`,
	} {
		if _, problems := validateAtom([]byte(doc)); len(problems) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	valid := `<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title>t</title><updated>2024-09-04T00:00:00Z</updated><author><name>a</name></author><link rel="self" href="http://x/f"/><entry><id>urn:x:2</id><title>e</title><updated>2024-09-04T00:00:00Z</updated><content>c</content></entry></feed>`
	if _, problems := validateAtom([]byte(valid)); len(problems) > 0 {
		t.Errorf("a valid feed: %v", problems)
	}
}
