package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
)

// templates are parsed on first use, so a process that never serves the
// views never parses them. They are part of the binary: an error is a
// build mistake.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"sides": sides,
		"kind":  kindLabel,
	}).ParseFS(assets, "templates/*.html"))
})

// timelinePage is what templates/timeline.html shows.
type timelinePage struct {
	Site      string
	Q         query
	From, To  string
	Kinds     []sources.Kind
	Stages    []sources.Stage
	Platforms []string
	Langs     []string
	Empty     bool
	Total     int
	Page      int
	Pages     int
	Prev      string
	Next      string
	Feed      string
	Filtered  bool
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
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
	items := h.Timeline(q.HistoryFilter, q.Oldest)
	p := timelinePage{
		Site: s.opts.Title, Q: q, From: q.From.String(), To: q.To.String(),
		Kinds: sources.Kinds, Stages: sources.Stages, Platforms: h.Platforms(), Langs: h.Languages(),
		Total: len(items), Page: q.Page, Pages: q.pages(len(items)),
		Feed:     "/feed.atom" + encode(q.values(1)),
		Filtered: q.HistoryFilter != store.HistoryFilter{},
	}
	lo, hi := q.pageOf(len(items))
	entries := make([]template.HTML, 0, hi-lo)
	for _, it := range items[lo:hi] {
		html, err := s.frags.item(h, it)
		if err != nil {
			s.fail(w, r, fmt.Errorf("render timeline entry: %w", err), false)
			return
		}
		entries = append(entries, html)
	}
	p.Empty = len(entries) == 0
	if q.Page > 1 {
		p.Prev = "/" + encode(q.values(min(q.Page-1, p.Pages)))
	}
	if q.Page < p.Pages {
		p.Next = "/" + encode(q.values(q.Page+1))
	}
	s.renderParts(w, r, p, entries)
}

// developmentPage is what templates/development.html shows.
type developmentPage struct {
	Site string
	D    developmentView
}

func (s *Server) development(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(w, r, fmt.Errorf("%w: no development %q", errNotFound, r.PathValue("id")), false)
		return
	}
	h, err := s.history(r)
	if err != nil {
		s.fail(w, r, err, false)
		return
	}
	d, ok := h.Development(id)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: no development %d", errNotFound, id), false)
		return
	}
	s.render(w, r, http.StatusOK, "development.html", developmentPage{Site: s.opts.Title, D: newDevelopmentView(&d, true)})
}

// encode is "?"+v.Encode(), or "" for no parameters.
func encode(v url.Values) string {
	if e := v.Encode(); e != "" {
		return "?" + e
	}
	return ""
}

// renderParts writes the timeline page: its top, the entries' fragments
// (html/template's own output, escaped for the HTML text they are placed
// in) and its bottom.
func (s *Server) renderParts(w http.ResponseWriter, r *http.Request, p timelinePage, entries []template.HTML) {
	var b bytes.Buffer
	n := 16 << 10
	for _, e := range entries {
		n += len(e) + 1
	}
	b.Grow(n)
	err := templates().ExecuteTemplate(&b, "timeline-top", p)
	for _, e := range entries {
		if err != nil {
			break
		}
		b.WriteString(string(e))
		b.WriteByte('\n')
	}
	if err == nil {
		err = templates().ExecuteTemplate(&b, "timeline-bottom", p)
	}
	if err != nil {
		s.opts.Logger.Error("web render", "path", r.URL.Path, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
