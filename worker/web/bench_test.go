package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker/web"
)

// benchDevelopments is how many developments the benchmark database holds:
// the target is a page of all of them rendered in under 50 ms.
const benchDevelopments = 1000

// benchStore records benchDevelopments developments of two steps each
// (announced, then launched three weeks later), every step reported by two
// outlets, one of them in Chinese, and a background event retold by each.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	kinds := sources.Kinds
	start := time.Date(2021, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range benchDevelopments {
		app := fmt.Sprintf("Alibaba app %d", i)
		kind := kinds[i%len(kinds)]
		day := start.AddDate(0, 0, i%1200)
		for s, stage := range []sources.Stage{sources.StageAnnounced, sources.StageLaunched} {
			when := day.AddDate(0, 0, 21*s)
			for o, lang := range []string{"en", "zh"} {
				title := fmt.Sprintf("%s %s WeChat Pay <b>%d</b>", app, stage, o)
				if lang == "zh" {
					title = fmt.Sprintf("%s正式接入微信支付 %d", app, o)
				}
				_, err := st.Record(ctx, store.RecordInput{
					Source: "bench",
					Article: sources.Article{
						URL: fmt.Sprintf("https://outlet%d.example/%d/%s", o, i, stage), Title: title, Lang: lang,
						Published: when.Add(time.Duration(o) * time.Hour), Text: fmt.Sprintf("article %d %s %d", i, stage, o),
					},
					Events: []sources.Event{
						{Pair: sources.DefaultPair, A: []string{app}, B: []string{"WeChat Pay"}, Kind: kind, Stage: stage,
							Date: sources.DateOf(when), Headline: true, Evidence: title + " said on Monday."},
						{Pair: sources.DefaultPair, A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: sources.KindLinks,
							Stage: sources.StageHalted, Date: sources.Date{Year: 2013}, Evidence: "Back in 2013 WeChat blocked Taobao links."},
					},
					Now: when,
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return st
}

// BenchmarkTimelinePage measures GET /?per_page=1000 end to end: the
// database read, the steps and filters, and the HTML.
func BenchmarkTimelinePage(b *testing.B) {
	h := web.New(benchStore(b), web.Options{})
	benchGet(b, h, fmt.Sprintf("/?per_page=%d", benchDevelopments), `<li class="development"`)
}

// BenchmarkTimelinePageAfterChange measures the same page when the
// database changed since the last request (a commit before each one, not
// timed): the snapshot is read and every entry rendered anew.
func BenchmarkTimelinePageAfterChange(b *testing.B) {
	st := benchStore(b)
	h := web.New(st, web.Options{})
	target := fmt.Sprintf("/?per_page=%d", benchDevelopments)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		_, err := st.Record(context.Background(), store.RecordInput{Source: "bench",
			Article: sources.Article{URL: fmt.Sprintf("https://other.example/%d", n), Title: "nothing", Lang: "en"}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		w := discard{header: http.Header{}}
		h.ServeHTTP(&w, httptest.NewRequest(http.MethodGet, target, nil))
	}
}

// BenchmarkAPIDevelopments measures the same page as JSON.
func BenchmarkAPIDevelopments(b *testing.B) {
	h := web.New(benchStore(b), web.Options{})
	benchGet(b, h, fmt.Sprintf("/api/developments?per_page=%d", benchDevelopments), `"steps":`)
}

// benchGet serves target repeatedly, checking once that the page holds
// every development (marked by marker).
func benchGet(b *testing.B, h http.Handler, target, marker string) {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if n := strings.Count(rec.Body.String(), marker); rec.Code != http.StatusOK || n != benchDevelopments {
		b.Fatalf("GET %s: %d with %d developments, want %d", target, rec.Code, n, benchDevelopments)
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := discard{header: http.Header{}}
		h.ServeHTTP(&w, httptest.NewRequest(http.MethodGet, target, nil))
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the handler and not a recorder's buffer.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return io.Discard.Write(p) }
func (d *discard) WriteHeader(int)             {}
