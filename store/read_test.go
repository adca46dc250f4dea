package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

func history(t *testing.T, s *Store) *History {
	t.Helper()
	h, err := s.History(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// stepSummary describes a development's steps as "stage#n date [urls] slack retold".
func stepSummary(d DevelopmentHistory) []string {
	var out []string
	for _, st := range d.Steps {
		var urls []string
		for _, a := range st.Articles {
			urls = append(urls, strings.TrimPrefix(a.URL, "https://"))
		}
		line := fmt.Sprintf("%s#%d %s [%s]", st.Stage, st.N, st.Date, strings.Join(urls, " "))
		if st.Slack != nil {
			line += " slack=" + st.Slack.TS
		}
		if st.Retold {
			line += " retold"
		}
		out = append(out, line)
	}
	return out
}

func TestHistoryStepsOfOneDevelopment(t *testing.T) {
	s := openTest(t)
	// Recorded out of order: the launch is read before the announcement.
	rec(t, s, RecordInput{Article: art("https://b.example/launch", "2024-09-05"), Alert: true, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, launched, "2024-09-04"),
		bg("Taobao", "WeChat Pay", payment, testing_, "2024-08-20"), // retold: a step only history tells of
	}})
	rec(t, s, RecordInput{Article: art("https://a.example/plan", "2024-08-12"), Alert: true, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, announced, "2024-08-12"),
	}})
	rec(t, s, RecordInput{Article: art("https://c.example/test", "2024-09-06"), Alert: true, Events: []sources.Event{
		hl("Taobao+Tmall", "WeChat Pay", payment, testing_, "2024-09-06"), // a backward read: coverage
	}})
	rec(t, s, RecordInput{Article: art("https://d.example/more", "2024-09-20"), Alert: true, Events: []sources.Event{
		hl("Tmall", "WeChat Pay", payment, expanded, "2024-09-20"),
	}})
	for ds := claim1(t, s, "w", t0, 10, nil); len(ds) > 0; ds = claim1(t, s, "w", t0, 10, nil) {
		for _, d := range ds {
			send(t, s, d, "w", t0)
		}
	}
	// Another subject, far in time: a development of its own.
	rec(t, s, RecordInput{Article: art("https://e.example/old", "2021-09-28"), Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, announced, "2021-09-28"),
	}})

	h := history(t, s)
	if len(h.Developments) != 2 {
		t.Fatalf("%d developments, want 2: %+v", len(h.Developments), h.Developments)
	}
	d := h.Developments[0]
	// The backward read (testing, after the launch) is coverage of the
	// launch's row, but the step history retold opens it on the timeline;
	// the alerts mark the steps of their rows.
	want := []string{
		"announced#1 2024-08-12 [a.example/plan] slack=TS2",
		"testing#1 2024-08-20 [b.example/launch c.example/test]",
		"launched#1 2024-09-04 [b.example/launch] slack=TS1",
		"expanded#1 2024-09-20 [d.example/more] slack=TS3",
	}
	// The alerts were sent in claim order; name their ts by development row.
	got := stepSummary(d)
	for i, ts := range slackTS(t, s) {
		for j := range got {
			got[j] = strings.ReplaceAll(got[j], "slack="+ts, fmt.Sprintf("slack=TS%d", i+1))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if d.Stage != expanded || d.Date.String() != "2024-08-12" || d.Updated.String() != "2024-09-20" ||
		strings.Join(d.A, "+") != "Taobao+Tmall" || len(d.Rows) != 3 || len(d.Articles) != 4 {
		t.Errorf("development: stage %s, %s…%s, A %v, rows %v, %d articles", d.Stage, d.Date, d.Updated, d.A, d.Rows, len(d.Articles))
	}
	if got, ok := h.Development(d.ID); !ok || got.ID != d.ID {
		t.Errorf("development %d is not found by its ID", d.ID)
	}
	if old := h.Developments[1]; old.Date.String() != "2021-09-28" || len(old.Steps) != 1 || old.Steps[0].Slack != nil {
		t.Errorf("the 2021 development: %v", stepSummary(old))
	}
}

// slackTS lists the ts of the sent alerts by the development row they
// announce, in row order.
func slackTS(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT ts FROM developments WHERE ts IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ts string
		if err := rows.Scan(&ts); err != nil {
			t.Fatal(err)
		}
		out = append(out, ts)
	}
	return out
}

func TestHistoryRelaunchAfterHalt(t *testing.T) {
	s := openTest(t)
	for _, e := range []struct{ url, date string }{{"one", "2024-06-01"}, {"two", "2024-07-01"}, {"three", "2024-08-05"}} {
		stage := launched
		if e.url == "two" {
			stage = halted
		}
		rec(t, s, RecordInput{Article: art("https://x.example/"+e.url, e.date), Events: []sources.Event{
			hl("Taobao", "WeChat", links, stage, e.date),
		}})
	}
	h := history(t, s)
	if len(h.Developments) != 1 {
		t.Fatalf("%d developments, want the three steps in one storyline", len(h.Developments))
	}
	want := []string{
		"launched#1 2024-06-01 [x.example/one]",
		"halted#1 2024-07-01 [x.example/two]",
		"launched#2 2024-08-05 [x.example/three]",
	}
	if diff := cmp.Diff(want, stepSummary(h.Developments[0])); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestHistoryBackground(t *testing.T) {
	s := openTest(t)
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"), Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, testing_, "2024-02"),
		bg("Taobao", "WeChat Pay", payment, announced, "2024-01"), // close: history of the development
		bg("Taobao", "WeChat", links, halted, "2013"),             // its own date
		bg("Xianyu", "WeChat Mini Programs", sources.KindMiniProgram, announced, ""),
	}})
	rec(t, s, RecordInput{Article: art("https://b.example/2", "2024-03-01"), Events: []sources.Event{
		bg("Taobao", "WeChat", links, halted, "2013"), // retold again
	}})
	h := history(t, s)
	if len(h.Developments) != 1 {
		t.Fatalf("%d developments", len(h.Developments))
	}
	d := h.Developments[0]
	if diff := cmp.Diff([]string{"announced#1 2024-01 [a.example/1] retold", "testing#1 2024-02 [a.example/1]"}, stepSummary(d)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	var bgs []string
	for _, b := range h.Background {
		bgs = append(bgs, fmt.Sprintf("%s %s %s articles=%d", b.Date, b.Kind, b.Stage, len(b.Articles)))
	}
	if diff := cmp.Diff([]string{"2013 links halted articles=2", " mini_program announced articles=1"}, bgs); diff != "" {
		t.Errorf("background (-want +got):\n%s", diff)
	}
	for _, e := range h.Events {
		covered := e.Headline || e.Stage == announced && e.Kind == payment
		if covered != (e.Development == d.ID) {
			t.Errorf("event %d (%s %s %s): development %d", e.ID, e.Kind, e.Stage, e.Date, e.Development)
		}
	}
}

func TestHistoryFilters(t *testing.T) {
	s := openTest(t)
	zh := art("https://cn.example/1", "2024-09-04")
	zh.Lang, zh.Title = "zh", "淘宝正式接入微信支付"
	rec(t, s, RecordInput{Article: zh, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, launched, "2024-09-04")}})
	rec(t, s, RecordInput{Article: art("https://en.example/1", "2024-08-12"), Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, announced, "2024-08-12"),
	}})
	rec(t, s, RecordInput{Article: art("https://en.example/2", "2024-06-20"), Events: []sources.Event{
		hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-06-20"),
		bg("Taobao", "WeChat", links, launched, "2023-11"),
	}})
	h := history(t, s)
	summary := func(items []TimelineItem) string {
		var out []string
		for _, it := range items {
			if it.Development != nil {
				out = append(out, it.Development.A[0]+"/"+string(it.Development.Stage))
			} else {
				out = append(out, "bg:"+string(it.Background.Kind))
			}
		}
		return strings.Join(out, " ")
	}
	date := func(s string) sources.Date {
		d, err := sources.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name   string
		f      HistoryFilter
		oldest bool
		want   string
	}{
		{"everything, newest first", HistoryFilter{}, false, "Taobao/launched DingTalk/launched bg:links"},
		{"oldest first by first step", HistoryFilter{}, true, "bg:links DingTalk/launched Taobao/launched"},
		{"kind", HistoryFilter{Kind: sources.KindWorkplace}, false, "DingTalk/launched"},
		{"a step of the stage", HistoryFilter{Stage: announced}, false, "Taobao/launched"},
		{"platform, any case", HistoryFilter{Platform: "wechat"}, false, "DingTalk/launched bg:links"},
		{"language", HistoryFilter{Lang: "zh"}, false, "Taobao/launched"},
		{"month range", HistoryFilter{From: date("2024-06"), To: date("2024-06")}, false, "DingTalk/launched"},
		{"open range", HistoryFilter{From: date("2024-08-13")}, false, "Taobao/launched"},
		{"stage and date on one step", HistoryFilter{Stage: announced, From: date("2024-09")}, false, ""},
		{"query in a Chinese title", HistoryFilter{Query: "接入微信"}, false, "Taobao/launched"},
		{"query words anywhere, any case", HistoryFilter{Query: "DINGTALK launched"}, false, "DingTalk/launched"},
		{"query in evidence, every word", HistoryFilter{Query: "taobao launched wechat"}, false, "Taobao/launched bg:links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := summary(h.Timeline(tt.f, tt.oldest)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	evs := h.SelectEvents(HistoryFilter{Platform: "WeChat Pay"}, false)
	if len(evs) != 2 || evs[0].Stage != launched || evs[1].Stage != announced {
		t.Errorf("events of WeChat Pay, newest first: %+v", evs)
	}
	if got := strings.Join(h.Platforms(), ","); got != "DingTalk,Taobao,WeChat,WeChat Pay" {
		t.Errorf("platforms %s", got)
	}
	if got := strings.Join(h.Languages(), ","); got != "en,zh" {
		t.Errorf("languages %s", got)
	}
	for _, bad := range []HistoryFilter{{Kind: "games"}, {Stage: "rumoured"}, {From: date("2024-09"), To: date("2024-08-31")}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
