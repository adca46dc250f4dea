package web

import (
	"encoding/json"
	"net/http"
	"time"
)

// object is a JSON object that keeps its keys in order, so the pair's side
// keys ("alibaba", "tencent") can name the entity lists as in extract's
// output.
type object []field

type field struct {
	Key   string
	Value any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) { return o.appendJSON(nil) }

// appendJSON appends the object to b. Pages of objects are assembled with
// it directly: encoding/json would check and compact each object's output
// once more.
func (o object) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// writePage answers a page of objects under key, then the page's fields.
func writePage(w http.ResponseWriter, key string, items []object, info pageInfo) {
	b := append([]byte(`{"`+key+`":[`), make([]byte, 0, 2048*len(items))...)
	var err error
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = it.appendJSON(b); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
	}
	rest, err := json.Marshal(info)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	b = append(append(b, "],"...), rest[1:]...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(b, '\n'))
}

// orNull is nil for "", so it is written as null.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func list(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// articleJSON, stepJSON and pageInfo have fixed keys: plain structs.
type articleJSON struct {
	URL       string  `json:"url"`
	Title     string  `json:"title"`
	Outlet    string  `json:"outlet"`
	Source    string  `json:"source"`
	Lang      string  `json:"lang"`
	Published *string `json:"published"`
}

type stepJSON struct {
	Stage    string   `json:"stage"`
	Date     any      `json:"date"`
	Evidence string   `json:"evidence"`
	Retold   bool     `json:"retold"`
	Slack    any      `json:"slack"`
	Articles []string `json:"articles"`
}

type pageInfo struct {
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Next    any `json:"next"`
	Prev    any `json:"prev"`
}

func newArticleJSON(a articleView) articleJSON {
	j := articleJSON{URL: a.URL, Title: a.Title, Outlet: a.Outlet, Source: a.Source, Lang: a.Lang}
	if !a.published.IsZero() {
		p := a.published.Format(time.RFC3339)
		j.Published = &p
	}
	return j
}

func developmentJSON(base string, d developmentView) object {
	steps := make([]stepJSON, 0, len(d.Steps))
	for _, s := range d.Steps {
		urls := make([]string, 0, len(s.Articles))
		for _, a := range s.Articles {
			urls = append(urls, a.URL)
		}
		steps = append(steps, stepJSON{
			Stage: s.Stage, Date: orNull(s.Date), Evidence: s.Evidence, Retold: s.Retold, Slack: orNull(s.Slack), Articles: urls,
		})
	}
	arts := make([]articleJSON, 0, len(d.Articles))
	for _, a := range d.Articles {
		arts = append(arts, newArticleJSON(a))
	}
	return object{
		{"id", d.ID}, {"url", base + d.Path},
		{d.SideA, list(d.A)}, {d.SideB, list(d.B)},
		{"kind", d.Kind}, {"stage", d.Stage}, {"date", orNull(d.Date)}, {"updated", orNull(d.Updated)},
		{"evidence", d.Evidence}, {"slack", orNull(d.Slack)}, {"steps", steps}, {"articles", arts},
	}
}

type developmentRef struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

func eventJSON(base string, e eventView) object {
	var dev *developmentRef
	if e.Development != 0 {
		dev = &developmentRef{ID: e.Development, URL: base + developmentPath(e.Development)}
	}
	return object{
		{"id", e.ID}, {e.SideA, list(e.A)}, {e.SideB, list(e.B)},
		{"kind", e.Kind}, {"stage", e.Stage}, {"date", orNull(e.Date)}, {"headline", e.Headline},
		{"evidence", e.Evidence}, {"development", dev}, {"article", newArticleJSON(e.Article)},
	}
}

// newPageInfo describes the page of total results, with the links to the
// next and previous pages under the same filters.
func newPageInfo(r *http.Request, q query, total int) pageInfo {
	base := baseURL(r) + r.URL.Path
	p := pageInfo{Total: total, Page: q.Page, PerPage: q.PerPage}
	pages := q.pages(total)
	if q.Page < pages {
		p.Next = base + encode(q.values(q.Page+1))
	}
	if q.Page > 1 {
		p.Prev = base + encode(q.values(min(q.Page-1, pages)))
	}
	return p
}

func (s *Server) apiDevelopments(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err, true)
		return
	}
	h, err := s.history(r)
	if err != nil {
		s.fail(w, r, err, true)
		return
	}
	devs := h.SelectDevelopments(q.HistoryFilter, q.Oldest)
	lo, hi := q.pageOf(len(devs))
	base := baseURL(r)
	items := make([]object, 0, hi-lo)
	for _, d := range devs[lo:hi] {
		items = append(items, developmentJSON(base, newDevelopmentView(d, false)))
	}
	writePage(w, "developments", items, newPageInfo(r, q, len(devs)))
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err, true)
		return
	}
	h, err := s.history(r)
	if err != nil {
		s.fail(w, r, err, true)
		return
	}
	evs := h.SelectEvents(q.HistoryFilter, q.Oldest)
	lo, hi := q.pageOf(len(evs))
	base := baseURL(r)
	items := make([]object, 0, hi-lo)
	for _, e := range evs[lo:hi] {
		items = append(items, eventJSON(base, newEventView(e)))
	}
	writePage(w, "events", items, newPageInfo(r, q, len(evs)))
}
