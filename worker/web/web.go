// Package web serves the stored history read-only over HTTP: the timeline
// page (/), one development (/developments/{id}), an Atom feed of
// development steps (/feed.atom) and a JSON API (/api/developments,
// /api/events), all with the same filters. Pages are rendered on the server
// with html/template and need no JavaScript; everything that came from the
// web is escaped for where it is written.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Paging limits.
const (
	DefaultPerPage = 50
	MaxPerPage     = 1000
	maxQueryRunes  = 200
	maxParamRunes  = 100
	// feedEntries is how many steps the Atom feed carries.
	feedEntries = 50
	// readTimeout bounds the database read behind one request.
	readTimeout = 10 * time.Second
)

// Options configure the handler.
type Options struct {
	// Title names the site in pages and the feed.
	Title  string
	Logger *slog.Logger
}

// Server renders the views from a store.
type Server struct {
	st     *store.Store
	reader *store.HistoryReader
	frags  fragments
	opts   Options
	mux    *http.ServeMux
}

// New returns the read-only handler for the views of st.
func New(st *store.Store, opts Options) *Server {
	if opts.Title == "" {
		opts.Title = "Alibaba ↔ Tencent: the timeline"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	templates() // parsed now: a bad template fails at start, not at the first request
	s := &Server{st: st, reader: st.NewHistoryReader(), opts: opts, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.timeline)
	s.mux.HandleFunc("GET /developments/{id}", s.development)
	s.mux.HandleFunc("GET /feed.atom", s.feed)
	s.mux.HandleFunc("GET /api/developments", s.apiDevelopments)
	s.mux.HandleFunc("GET /api/events", s.apiEvents)
	s.mux.Handle("GET /static/", http.FileServerFS(assets))
	return s
}

// ServeHTTP serves the views with headers that keep a browser from running
// or framing anything: the pages have no script at all.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// query is a request's filters, order and page.
type query struct {
	store.HistoryFilter
	Oldest  bool
	Page    int
	PerPage int
}

// badRequest is an error in a request's parameters.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func badParam(name, format string, args ...any) error {
	return badRequest{fmt.Sprintf("parameter %s: %s", name, fmt.Sprintf(format, args...))}
}

// parseQuery reads the filters of a request; empty values are unset.
func parseQuery(v url.Values) (query, error) {
	q := query{Page: 1, PerPage: DefaultPerPage}
	for _, name := range []string{"kind", "stage", "platform", "lang", "q", "from", "to", "order", "page", "per_page"} {
		val := strings.TrimSpace(v.Get(name))
		if val == "" {
			continue
		}
		limit := maxParamRunes
		if name == "q" {
			limit = maxQueryRunes
		}
		if !utf8.ValidString(val) {
			return q, badParam(name, "not valid UTF-8")
		}
		if n := utf8.RuneCountInString(val); n > limit {
			return q, badParam(name, "%d characters, at most %d", n, limit)
		}
		if err := q.set(name, val); err != nil {
			return q, err
		}
	}
	if err := q.Validate(); err != nil {
		return q, badRequest{strings.TrimPrefix(err.Error(), store.ErrBadFilter.Error()+": ")}
	}
	return q, nil
}

func (q *query) set(name, val string) error {
	switch name {
	case "kind":
		q.Kind = sources.Kind(val)
	case "stage":
		q.Stage = sources.Stage(val)
	case "platform":
		q.Platform = val
	case "lang":
		q.Lang = val
	case "q":
		q.Query = val
	case "from", "to":
		d, err := sources.ParseDate(val)
		if err != nil {
			return badParam(name, "%q: want YYYY, YYYY-MM or YYYY-MM-DD", val)
		}
		if name == "from" {
			q.From = d
		} else {
			q.To = d
		}
	case "order":
		switch val {
		case "newest":
		case "oldest":
			q.Oldest = true
		default:
			return badParam(name, "%q: want newest or oldest", val)
		}
	case "page", "per_page":
		n, err := strconv.Atoi(val)
		switch {
		case err != nil || n < 1:
			return badParam(name, "%q: want a whole number from 1", val)
		case name == "page":
			q.Page = n
		case n > MaxPerPage:
			return badParam(name, "%d: at most %d", n, MaxPerPage)
		default:
			q.PerPage = n
		}
	}
	return nil
}

// values writes the query back as URL parameters (page included when not
// the first), in a fixed order.
func (q query) values(page int) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("kind", string(q.Kind))
	set("stage", string(q.Stage))
	set("platform", q.Platform)
	set("lang", q.Lang)
	set("q", q.Query)
	set("from", q.From.String())
	set("to", q.To.String())
	if q.Oldest {
		v.Set("order", "oldest")
	}
	if q.PerPage != DefaultPerPage {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// pageOf returns the bounds of the query's page in n items.
func (q query) pageOf(n int) (lo, hi int) {
	lo = min((q.Page-1)*q.PerPage, n)
	return lo, min(lo+q.PerPage, n)
}

// pages is how many pages n items fill (at least one).
func (q query) pages(n int) int { return max(1, (n+q.PerPage-1)/q.PerPage) }

// history reads the store's snapshot for a request: the last one until the
// database changes.
func (s *Server) history(r *http.Request) (*store.History, error) {
	ctx, cancel := context.WithTimeout(r.Context(), readTimeout)
	defer cancel()
	return s.reader.Read(ctx)
}

// Close releases the database connection the handler reads through.
func (s *Server) Close() error { return s.reader.Close() }

// fail answers an error: 400 with the reason for bad parameters, 404, or
// 500 with the details logged, not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, asJSON bool) {
	status, msg := http.StatusInternalServerError, "internal error"
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, bad.msg
	case errors.Is(err, errNotFound):
		status, msg = http.StatusNotFound, err.Error()
	default:
		s.opts.Logger.Error("web view", "path", r.URL.Path, "error", err)
	}
	if asJSON {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	s.render(w, r, status, "error.html", errorPage{Title: http.StatusText(status), Message: msg, Site: s.opts.Title})
}

var errNotFound = errors.New("not found")

type errorPage struct {
	Site, Title, Message string
}

// render executes a template into a buffer first, so a failure half-way
// is a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b bytes.Buffer
	b.Grow(64 << 10)
	if err := templates().ExecuteTemplate(&b, name, data); err != nil {
		s.opts.Logger.Error("web render", "path", r.URL.Path, "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// baseURL is the scheme and host the request reached, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
