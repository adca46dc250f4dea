package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wallwatch/worker/store"
)

type apiArticle struct {
	URL       string  `json:"url"`
	Title     string  `json:"title"`
	Outlet    string  `json:"outlet"`
	Source    string  `json:"source"`
	Lang      string  `json:"lang"`
	Published *string `json:"published"`
}

type apiDevelopment struct {
	ID       int64    `json:"id"`
	URL      string   `json:"url"`
	Alibaba  []string `json:"alibaba"`
	Tencent  []string `json:"tencent"`
	Kind     string   `json:"kind"`
	Stage    string   `json:"stage"`
	Date     *string  `json:"date"`
	Updated  *string  `json:"updated"`
	Evidence string   `json:"evidence"`
	Slack    *string  `json:"slack"`
	Steps    []struct {
		Stage    string   `json:"stage"`
		Date     *string  `json:"date"`
		Evidence string   `json:"evidence"`
		Retold   bool     `json:"retold"`
		Slack    *string  `json:"slack"`
		Articles []string `json:"articles"`
	} `json:"steps"`
	Articles []apiArticle `json:"articles"`
}

type apiEvent struct {
	ID          int64    `json:"id"`
	Alibaba     []string `json:"alibaba"`
	Tencent     []string `json:"tencent"`
	Kind        string   `json:"kind"`
	Stage       string   `json:"stage"`
	Date        *string  `json:"date"`
	Headline    bool     `json:"headline"`
	Evidence    string   `json:"evidence"`
	Development *struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	} `json:"development"`
	Article apiArticle `json:"article"`
}

type apiPage struct {
	Developments []apiDevelopment `json:"developments"`
	Events       []apiEvent       `json:"events"`
	Total        int              `json:"total"`
	Page         int              `json:"page"`
	PerPage      int              `json:"per_page"`
	Next         *string          `json:"next"`
	Prev         *string          `json:"prev"`
}

func (f *fixture) api(t *testing.T, target string) apiPage {
	t.Helper()
	code, body, hdr := f.get(t, target)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET %s = %d %s: %s", target, code, hdr.Get("Content-Type"), body)
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields() // the README documents every field
	var p apiPage
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return p
}

func TestAPIDevelopments(t *testing.T) {
	f := newFixture(t)
	p := f.api(t, "/api/developments")
	want := f.h.SelectDevelopments(store.HistoryFilter{}, false)
	if p.Total != len(want) || len(p.Developments) != len(want) || p.Page != 1 || p.PerPage != 50 || p.Next != nil || p.Prev != nil {
		t.Fatalf("total %d, %d listed, page %d/%d, next %v; want %d", p.Total, len(p.Developments), p.Page, p.PerPage, p.Next, len(want))
	}
	for i, d := range p.Developments {
		w := want[i]
		if d.ID != w.ID || d.Kind != string(w.Kind) || d.Stage != string(w.Stage) || !slices.Equal(d.Alibaba, w.A) ||
			!slices.Equal(d.Tencent, w.B) || d.Date == nil || *d.Date != w.Date.String() || len(d.Steps) != len(w.Steps) ||
			len(d.Articles) != len(w.Articles) || d.URL != fmt.Sprintf("http://example.com/developments/%d", w.ID) {
			t.Errorf("development %d: %+v", w.ID, d)
		}
		for _, st := range d.Steps {
			for _, u := range st.Articles {
				if !slices.ContainsFunc(d.Articles, func(a apiArticle) bool { return a.URL == u }) {
					t.Errorf("development %d: step %s names article %s it does not list", d.ID, st.Stage, u)
				}
			}
		}
	}
	pay := f.payment(t)
	i := slices.IndexFunc(p.Developments, func(d apiDevelopment) bool { return d.ID == pay.ID })
	if d := p.Developments[i]; d.Slack == nil || !strings.HasPrefix(*d.Slack, "https://slack.com/archives/") ||
		d.Steps[0].Stage != "announced" || d.Steps[len(d.Steps)-1].Stage != "launched" {
		t.Errorf("payment development: %+v", d)
	}

	// Page by page with the same filters, until next is null.
	var got []int64
	next := "/api/developments?per_page=1&order=oldest"
	for n := 0; next != ""; n++ {
		if n > 20 {
			t.Fatal("pages do not end")
		}
		p := f.api(t, strings.TrimPrefix(next, "http://example.com"))
		if p.PerPage != 1 || p.Total != len(want) || (n > 0) != (p.Prev != nil) {
			t.Errorf("page %d: per_page %d, total %d, prev %v", p.Page, p.PerPage, p.Total, p.Prev)
		}
		for _, d := range p.Developments {
			got = append(got, d.ID)
		}
		next = ""
		if p.Next != nil {
			next = *p.Next
		}
	}
	var oldest []int64
	for _, d := range f.h.SelectDevelopments(store.HistoryFilter{}, true) {
		oldest = append(oldest, d.ID)
	}
	if !slices.Equal(got, oldest) {
		t.Errorf("pages gave %v, want %v", got, oldest)
	}

	if p := f.api(t, "/api/developments?kind=workplace"); p.Total != 1 || p.Developments[0].Kind != "workplace" {
		t.Errorf("kind=workplace: %+v", p)
	}
	if p := f.api(t, "/api/developments?page=9"); p.Total != len(want) || len(p.Developments) != 0 || p.Next != nil {
		t.Errorf("past the last page: %+v", p)
	}
	code, body, hdr := f.get(t, "/api/developments?stage=rumoured")
	var e struct{ Error string }
	if code != http.StatusBadRequest || hdr.Get("Content-Type") != "application/json; charset=utf-8" ||
		json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "stage") {
		t.Errorf("a bad stage: %d %s", code, body)
	}
}

func TestAPIEvents(t *testing.T) {
	f := newFixture(t)
	p := f.api(t, "/api/events?per_page=1000")
	if p.Total != len(f.h.Events) || len(p.Events) != len(f.h.Events) {
		t.Fatalf("%d events listed of %d, want every stored event", len(p.Events), len(f.h.Events))
	}
	for _, e := range p.Events {
		if e.Article.URL == "" || e.Evidence == "" || e.Kind == "" {
			t.Errorf("event %d: %+v", e.ID, e)
		}
		if e.Headline && e.Development == nil {
			t.Errorf("headline event %d has no development", e.ID)
		}
		if e.Development != nil {
			if _, ok := f.h.Development(e.Development.ID); !ok || !strings.HasSuffix(e.Development.URL, fmt.Sprintf("/developments/%d", e.Development.ID)) {
				t.Errorf("event %d names development %+v", e.ID, e.Development)
			}
		}
	}
	if !slices.ContainsFunc(p.Events, func(e apiEvent) bool { return !e.Headline && e.Development == nil }) {
		t.Error("no background event of its own")
	}
	zh := f.api(t, "/api/events?lang=zh")
	if zh.Total == 0 {
		t.Fatal("no Chinese event")
	}
	for _, e := range zh.Events {
		if e.Article.Lang != "zh" {
			t.Errorf("lang=zh listed an event of a %s article", e.Article.Lang)
		}
	}
	newest := f.api(t, "/api/events")
	for i := 1; i < len(newest.Events); i++ {
		a, b := newest.Events[i-1].Date, newest.Events[i].Date
		if a != nil && b != nil && *a < *b {
			t.Errorf("events not newest first: %s before %s", *a, *b)
		}
	}
	if code, _, _ := f.get(t, "/api/events?per_page=abc"); code != http.StatusBadRequest {
		t.Errorf("per_page=abc gave %d", code)
	}
}
