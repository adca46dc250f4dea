package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/internal/testsite"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker/web"
)

// fixture is a database filled by one run-once over the generated site,
// alerting through the Slack stand-in, and the views over it.
type fixture struct {
	st      *store.Store
	h       *store.History
	handler http.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "worker.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	slack := slackfake.New(t)
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := testsite.New(t).RunOnce(t, st, bot)
	if rep.Delivery.Posted == 0 {
		t.Fatalf("the run posted no alert: %+v", rep.Delivery)
	}
	h, err := st.History(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, h: h, handler: web.New(st, web.Options{})}
}

// get serves one request and returns the status, the body and the headers.
func (f *fixture) get(t *testing.T, target string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, string(b), rec.Result().Header
}

// payment is the development of Taobao and WeChat Pay, in two steps.
func (f *fixture) payment(t *testing.T) store.DevelopmentHistory {
	t.Helper()
	for _, d := range f.h.Developments {
		if d.Kind == "payment" && slices.Contains(d.B, "WeChat Pay") {
			return d
		}
	}
	t.Fatalf("no payment development in %+v", f.h.Developments)
	return store.DevelopmentHistory{}
}

var devLink = regexp.MustCompile(`<h2><a href="/developments/(\d+)">`)

// listed returns the development IDs a timeline page lists, in order.
func listed(body string) []string {
	var out []string
	for _, m := range devLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids(ds []*store.DevelopmentHistory) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprint(d.ID))
	}
	return out
}

func TestTimelineListsEveryDevelopmentNewestFirst(t *testing.T) {
	f := newFixture(t)
	code, body, hdr := f.get(t, "/")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", code, hdr.Get("Content-Type"))
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	want := ids(f.h.SelectDevelopments(store.HistoryFilter{}, false))
	if len(want) < 3 {
		t.Fatalf("the generated site gave %d developments, want at least 3", len(want))
	}
	if got := listed(body); !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v newest first", got, want)
	}
	_, oldest, _ := f.get(t, "/?order=oldest")
	if got, want := listed(oldest), ids(f.h.SelectDevelopments(store.HistoryFilter{}, true)); !slices.Equal(got, want) {
		t.Errorf("oldest first: listed %v, want %v", got, want)
	}

	pay := f.payment(t)
	for _, step := range pay.Steps {
		if !strings.Contains(body, `<span class="stage">`+string(step.Stage)+`</span> <time datetime="`+step.Date.String()+`">`) {
			t.Errorf("the %s step of %s is not shown", step.Stage, step.Date)
		}
	}
	for _, a := range pay.Articles {
		if !strings.Contains(body, `<a href="`+a.URL+`"`) {
			t.Errorf("article %s is not linked", a.URL)
		}
	}
	if !regexp.MustCompile(`<a href="[^"]+" rel="noopener noreferrer nofollow" lang="zh">淘宝正式接入微信支付`).MatchString(body) {
		t.Error("the Chinese title is not marked lang=zh")
	}
	if !strings.Contains(body, `<a class="slack" href="https://slack.com/archives/`+slackfake.DefaultChannelID+`/p`) {
		t.Error("no link to the Slack alert")
	}
	if !strings.Contains(body, `<li class="background">`) || !strings.Contains(body, "Since November, WeChat has let users open Taobao links") {
		t.Error("background history no development covers is not shown on its own date")
	}
	if strings.Contains(body, "quarterly results") {
		t.Error("an article without events is on the timeline")
	}
}

func TestEverythingFromTheWebIsEscaped(t *testing.T) {
	f := newFixture(t)
	hostile := "<img src=x onerror=alert(1)>"
	escaped := "&lt;img src=x onerror=alert(1)&gt; &amp; more"
	var workplace string
	for _, d := range f.h.Developments {
		if d.Kind == "workplace" {
			workplace = fmt.Sprint(d.ID)
		}
	}
	if workplace == "" {
		t.Fatal("no workplace development")
	}
	for _, target := range []string{"/", "/developments/" + workplace, "/?q=" + "onerror"} {
		_, body, _ := f.get(t, target)
		if strings.Contains(body, hostile) || !strings.Contains(body, escaped) {
			t.Errorf("%s: the hostile headline is not escaped", target)
		}
	}
	_, body, _ := f.get(t, "/api/events")
	if strings.Contains(body, hostile) {
		t.Error("API: the hostile headline is written raw")
	}
	var page struct {
		Events []struct {
			Article struct{ Title string } `json:"article"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(page.Events, func(e struct {
		Article struct{ Title string } `json:"article"`
	}) bool {
		return e.Article.Title == testsite.HostileTitle
	}) {
		t.Error("API: the headline does not read back as it was")
	}
	// Parameters are echoed into the form and links, escaped too.
	_, body, _ = f.get(t, `/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`)
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&#34;&gt;&lt;script&gt;") {
		t.Error("the query is not escaped in the search box")
	}
}

func TestTimelineFilters(t *testing.T) {
	f := newFixture(t)
	pay := fmt.Sprint(f.payment(t).ID)
	tests := []struct {
		query string
		want  func(store.DevelopmentHistory) bool
	}{
		{"kind=workplace", func(d store.DevelopmentHistory) bool { return d.Kind == "workplace" }},
		{"stage=announced", func(d store.DevelopmentHistory) bool { return fmt.Sprint(d.ID) == pay }},
		{"platform=WeChat+Pay", func(d store.DevelopmentHistory) bool { return slices.Contains(d.B, "WeChat Pay") }},
		{"lang=zh", func(d store.DevelopmentHistory) bool { return fmt.Sprint(d.ID) == pay }},
		{"q=%E5%BE%AE%E4%BF%A1%E6%94%AF%E4%BB%98", func(d store.DevelopmentHistory) bool { return fmt.Sprint(d.ID) == pay }}, // 微信支付
		{"from=2024-09&to=2024-09-30", func(d store.DevelopmentHistory) bool { return fmt.Sprint(d.ID) == pay }},
		{"to=2024-06-30", func(d store.DevelopmentHistory) bool { return d.Kind == "workplace" }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body, _ := f.get(t, "/?"+tt.query)
			if code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			var want []string
			for _, d := range f.h.SelectDevelopments(store.HistoryFilter{}, false) {
				if tt.want(*d) {
					want = append(want, fmt.Sprint(d.ID))
				}
			}
			if got := listed(body); len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("listed %v, want %v", got, want)
			}
		})
	}

	code, body, _ := f.get(t, "/?kind=workplace")
	if code != 200 || !strings.Contains(body, `<option value="workplace" selected>`) || !strings.Contains(body, `href="/feed.atom?kind=workplace"`) {
		t.Error("the form does not keep the filter, or the feed link does not carry it")
	}

	for query, param := range map[string]string{
		"kind=games": "kind", "stage=rumoured": "stage", "from=2024-13": "from", "page=0": "page",
		"per_page=5000": "per_page", "order=random": "order", "from=2024-09&to=2024-08": "to",
	} {
		code, body, _ := f.get(t, "/?"+query)
		if code != http.StatusBadRequest || !strings.Contains(body, param) {
			t.Errorf("?%s: %d, want 400 naming %s: %.300s", query, code, param, body)
		}
	}
}

func TestTimelinePages(t *testing.T) {
	f := newFixture(t)
	all := ids(f.h.SelectDevelopments(store.HistoryFilter{}, false))
	var seen []string
	next := "/?per_page=1"
	for n := 0; next != ""; n++ {
		if n > 20 {
			t.Fatal("pages do not end")
		}
		code, body, _ := f.get(t, next)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", next, code)
		}
		seen = append(seen, listed(body)...)
		m := regexp.MustCompile(`<a rel="next" href="([^"]+)">`).FindStringSubmatch(body)
		next = ""
		if m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if !slices.Equal(seen, all) {
		t.Errorf("page by page %v, want %v", seen, all)
	}
}

func TestDevelopmentPage(t *testing.T) {
	f := newFixture(t)
	pay := f.payment(t)
	if len(pay.Steps) < 2 {
		t.Fatalf("the payment development has %d steps, want announced and launched", len(pay.Steps))
	}
	path := fmt.Sprintf("/developments/%d", pay.ID)
	code, body, _ := f.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d", path, code)
	}
	for _, st := range pay.Steps {
		if !strings.Contains(body, fmt.Sprintf(`id="step-%s-%d"`, st.Stage, st.N)) {
			t.Errorf("step %s is missing", st.Stage)
		}
	}
	for _, a := range pay.Articles {
		if !strings.Contains(body, `href="`+a.URL+`"`) {
			t.Errorf("article %s is missing", a.URL)
		}
	}
	for _, e := range pay.Events {
		if !strings.Contains(body, html.EscapeString(e.Evidence)) {
			t.Errorf("event %d (%q) is missing", e.ID, e.Evidence)
		}
	}
	if !strings.Contains(body, `<td lang="zh">`) {
		t.Error("the Chinese evidence is not marked lang=zh")
	}

	for _, bad := range []string{"/developments/99999", "/developments/abc", "/developments/-1", "/nothing-here"} {
		if code, _, _ := f.get(t, bad); code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, code)
		}
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405: the views are read-only", rec.Code)
	}
}

func TestStylesheet(t *testing.T) {
	f := newFixture(t)
	code, body, hdr := f.get(t, "/static/style.css")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/css") || !strings.Contains(body, ":lang(zh)") {
		t.Errorf("stylesheet: %d %s", code, hdr.Get("Content-Type"))
	}
}

func TestViewsFollowTheDatabase(t *testing.T) {
	f := newFixture(t)
	_, before, _ := f.get(t, "/")
	_, err := f.st.Record(context.Background(), store.RecordInput{
		Source: "generated",
		Article: sources.Article{URL: "https://late.example/cainiao", Title: "Cainiao parcel tracking comes to WeChat", Lang: "en",
			Published: time.Date(2024, 10, 8, 9, 0, 0, 0, time.UTC)},
		Events: []sources.Event{{Pair: sources.DefaultPair, A: []string{"Cainiao"}, B: []string{"WeChat"}, Kind: sources.KindLogistics,
			Stage: sources.StageLaunched, Date: sources.Date{Year: 2024, Month: 10, Day: 8}, Headline: true,
			Evidence: "Cainiao parcel tracking comes to WeChat."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := f.get(t, "/")
	if strings.Contains(before, "Cainiao") || !strings.Contains(after, "Cainiao parcel tracking comes to WeChat") {
		t.Error("the timeline does not show what was recorded after the first request")
	}
	if len(listed(after)) != len(listed(before))+1 {
		t.Errorf("%d developments after the record, %d before", len(listed(after)), len(listed(before)))
	}
}
