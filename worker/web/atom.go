package web

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wallwatch/worker/store"
)

// An Atom feed (RFC 4287) of development steps: each step of each
// development is an entry, newest first by when it last gained an article.

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  atomText    `xml:"subtitle"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	h, err := s.history(r)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	instance, err := s.st.InstanceID(ctx)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	f := s.buildFeed(r, q, h, instance)
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		s.fail(w, r, fmt.Errorf("encode feed: %w", err), false)
		return
	}
	b.WriteByte('\n')
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// feedStep is one step with its development, before it becomes an entry.
type feedStep struct {
	d    *store.DevelopmentHistory
	step store.HistoryStep
	when time.Time
}

func (s *Server) buildFeed(r *http.Request, q query, h *store.History, instance string) atomFeed {
	base := baseURL(r)
	var all []feedStep
	for _, d := range h.SelectDevelopments(q.HistoryFilter, false) {
		for _, st := range d.Steps {
			if q.Stage == "" || st.Stage == q.Stage {
				all = append(all, feedStep{d: d, step: st, when: stepUpdated(st)})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b feedStep) int { return b.when.Compare(a.when) })
	all = all[:min(len(all), feedEntries)]

	ns := uuid5(urlNamespace, "wallwatch-worker:"+instance)
	f := atomFeed{
		Lang:      "en",
		ID:        "urn:uuid:" + uuidString(uuid5(ns, "feed")),
		Title:     atomText{Type: "text", Body: s.opts.Title},
		Subtitle:  atomText{Type: "text", Body: "Each step of each development, with the outlets that reported it."},
		Author:    atomPerson{Name: "wallwatch worker"},
		Generator: "wallwatch worker",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/feed.atom" + encode(q.values(1))},
			{Rel: "alternate", Type: "text/html", Href: base + "/" + encode(q.values(1))},
		},
	}
	var updated time.Time
	for _, fs := range all {
		f.Entries = append(f.Entries, entry(base, ns, fs))
		if fs.when.After(updated) {
			updated = fs.when
		}
	}
	if updated.IsZero() {
		updated = time.Now()
	}
	f.Updated = atomTime(updated)
	return f
}

func entry(base string, ns [16]byte, fs feedStep) atomEntry {
	d, st := fs.d, fs.step
	v := newDevelopmentView(d, false)
	var sv stepView
	for _, x := range v.Steps {
		if x.Stage == string(st.Stage) && x.N == st.N {
			sv = x
		}
	}
	e := atomEntry{
		ID:      "urn:uuid:" + uuidString(uuid5(ns, fmt.Sprintf("development/%d/step/%s/%d", d.ID, st.Stage, st.N))),
		Title:   atomText{Type: "text", Body: fmt.Sprintf("%s: %s ↔ %s (%s)", strings.ToUpper(string(st.Stage[:1]))+string(st.Stage[1:]), sides(d.A), sides(d.B), kindLabel(string(d.Kind)))},
		Updated: atomTime(fs.when),
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: base + v.Path + "#" + sv.Anchor}},
		Categories: []atomCategory{
			{Term: string(d.Kind), Scheme: base + "/?kind="},
			{Term: string(st.Stage), Scheme: base + "/?stage="},
		},
		Summary: atomText{Type: "text", Lang: evidenceLang(st.Evidence, ""), Body: st.Evidence},
	}
	if len(st.Articles) > 0 {
		if p := st.Articles[0].Published; !p.IsZero() {
			e.Published = p.Format(time.RFC3339) // in the page's own offset
		}
	}
	for _, a := range sv.Articles {
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: a.URL, HrefLang: a.Lang, Title: a.Title})
	}
	var content bytes.Buffer
	if err := templates().ExecuteTemplate(&content, "entry", sv); err == nil {
		e.Content = atomText{Type: "html", Body: content.String()}
	} else {
		e.Content = atomText{Type: "text", Body: st.Evidence}
	}
	return e
}

// stepUpdated is when a step last changed: when it last gained an article,
// else the start of its date.
func stepUpdated(st store.HistoryStep) time.Time {
	if !st.Recorded.IsZero() {
		return st.Recorded
	}
	return st.Date.Start(time.UTC)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// urlNamespace is RFC 9562's name space for URLs, the root of the feed's
// name-based IDs.
var urlNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuid5 is the name-based (SHA-1) UUID of name in namespace ns (RFC 9562
// §5.5): the same database, development and step always give the same ID,
// and two databases never share one.
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
