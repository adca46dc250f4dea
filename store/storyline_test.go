package store

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wallwatch/worker/sources"
)

const (
	expanded  = sources.StageExpanded
	halted    = sources.StageHalted
	workplace = sources.KindWorkplace
)

func TestShippedRules(t *testing.T) {
	if rules.WindowDays <= 0 || rules.NewsCycleDays <= 0 {
		t.Fatalf("windows %d / %d days", rules.WindowDays, rules.NewsCycleDays)
	}
	for _, pair := range [][2]sources.Kind{{payment, links}, {links, sources.KindMiniProgram}, {sources.KindAdvertising, sources.KindData}} {
		if rules.kindGroup(pair[0]) != rules.kindGroup(pair[1]) {
			t.Errorf("%s and %s are in different groups", pair[0], pair[1])
		}
	}
	for _, other := range []sources.Kind{sources.KindAdvertising, sources.KindWorkplace, sources.KindLogistics, sources.KindOther} {
		if rules.kindGroup(payment) == rules.kindGroup(other) {
			t.Errorf("payment and %s are in one group", other)
		}
	}
	forward := map[[2]sources.Stage]bool{
		{announced, testing_}: true, {testing_, launched}: true, {launched, expanded}: true, {announced, expanded}: true,
		{announced, halted}: true, {expanded, halted}: true, {halted, launched}: true,
		{testing_, announced}: false, {launched, testing_}: false, {expanded, launched}: false,
		{launched, launched}: false, {halted, halted}: false,
	}
	for p, want := range forward {
		if got := rules.forward(p[0], p[1]); got != want {
			t.Errorf("forward(%s, %s) = %v, want %v", p[0], p[1], got, want)
		}
	}
}

func TestParseRules(t *testing.T) {
	const groups = `kind_groups: {a: [payment, links, mini_program, advertising, data, workplace, logistics, other]}
`
	bad := map[string]string{
		"zero window":     "window_days: 0\nnews_cycle_days: 3\n" + groups,
		"negative cycle":  "window_days: 5\nnews_cycle_days: -1\n" + groups,
		"unknown kind":    "window_days: 5\nkind_groups: {a: [payment, coupons]}\n",
		"kind twice":      "window_days: 5\n" + groups + "  b: [payment]\n",
		"kind in none":    "window_days: 5\nkind_groups: {a: [payment]}\n",
		"unknown stage":   "window_days: 5\n" + groups + "forward: {planned: [testing]}\n",
		"to itself":       "window_days: 5\n" + groups + "forward: {testing: [testing]}\n",
		"unknown setting": "window_days: 5\nwindow: 3\n" + groups,
		"lifecycle stage": "window_days: 5\n" + groups + "lifecycle: [announced, planned]\n",
		"product side":    "window_days: 5\n" + groups + "product_side: seller\n",
	}
	for name, y := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := parseRules([]byte(y)); err == nil || !strings.Contains(err.Error(), "storyline rules") {
				t.Errorf("parseRules: %v, want an error naming the storyline rules", err)
			}
		})
	}
	if _, err := parseRules([]byte("window_days: 5\n" + groups)); err != nil {
		t.Errorf("minimal rules: %v", err)
	}
}

func TestSideMatches(t *testing.T) {
	tests := []struct {
		x, y string
		want bool
	}{
		{"Taobao", "Taobao+Tmall", true},
		{"Taobao", "Tmall", false},
		{"Alibaba", "Tmall", true},         // only the company: any platform of the side
		{"Alibaba", "Alibaba", true},       // both only the company
		{"Alibaba+Taobao", "Tmall", false}, // the company beside a platform is no wildcard
		{"Alibaba+Taobao", "Alibaba+Tmall", false},
		{"Alibaba+Taobao", "Taobao", true},
		{"", "Taobao", false},
	}
	for _, tt := range tests {
		x, y := sortedSet(ents(tt.x)), sortedSet(ents(tt.y))
		if got := sideMatches(x, y, "Alibaba"); got != tt.want {
			t.Errorf("sideMatches(%s, %s) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
		if got := sideMatches(y, x, "Alibaba"); got != tt.want {
			t.Errorf("sideMatches(%s, %s) = %v, want %v (not symmetric)", tt.y, tt.x, got, tt.want)
		}
	}
}

// storyStep records one article, first posting everything due when post
// is set (as a delivery step between two passes would).
type storyStep struct {
	url, published string
	events         []sources.Event
	silent         bool // recorded for the timeline only
	post           bool
}

// postAll claims and posts every due delivery until none is left.
func postAll(t *testing.T, s *Store) {
	t.Helper()
	for range 20 {
		ds := claim1(t, s, "poster", t0, 50, nil)
		if len(ds) == 0 {
			return
		}
		for _, d := range ds {
			send(t, s, d, "poster", t0)
		}
	}
	t.Fatal("deliveries keep coming")
}

// TestStorylineSteps records reports of storylines and checks, for each
// branch of the step rule, which become alerts and which thread replies.
func TestStorylineSteps(t *testing.T) {
	pay := func(a string, stage sources.Stage, date string) sources.Event {
		return hl(a, "WeChat Pay", payment, stage, date)
	}
	tests := map[string]struct {
		steps  []storyStep
		outbox []string
		devs   []string
	}{
		"outlets disagreeing within the news cycle are coverage": {
			steps: []storyStep{
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao+Tmall", announced, "2024-09-04")}},
				{url: "https://b.example/test", published: "2024-09-05", events: []sources.Event{pay("Taobao", testing_, "2024-09")}},
				{url: "https://c.example/open", published: "2024-09-10", events: []sources.Event{hl("Taobao", "WeChat Pay", links, launched, "")}},
			},
			outbox: []string{
				"#1 alert https://a.example/plan [d1] pending",
				"reply https://b.example/test d1 parent=#1 pending",
				"reply https://c.example/open d1 parent=#1 pending",
			},
			devs: []string{"d1: Taobao+Tmall / WeChat Pay payment announced 2024-09-04"},
		},
		"a step forward after the news cycle, led with, is a new step": {
			steps: []storyStep{
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}},
				{url: "https://b.example/open", published: "2024-09-25", events: []sources.Event{pay("Taobao+Tmall", launched, "")}},
			},
			outbox: []string{
				"#1 alert https://a.example/plan [d1] pending",
				"#2 alert https://b.example/open [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment announced 2024-09-04",
				"d2: Taobao+Tmall / WeChat Pay payment launched 2024-09-25 previous=d1",
			},
		},
		"a repeat after the news cycle is coverage": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-09-04", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://b.example/2", published: "2024-09-25", events: []sources.Event{pay("Taobao", testing_, "")}},
			},
			outbox: []string{"#1 alert https://a.example/1 [d1] pending", "reply https://b.example/2 d1 parent=#1 pending"},
			devs:   []string{"d1: Taobao / WeChat Pay payment testing 2024-09-04"},
		},
		"a backward read after the news cycle is coverage": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-09-04", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://b.example/2", published: "2024-09-25", events: []sources.Event{pay("Taobao", testing_, "")}},
			},
			outbox: []string{"#1 alert https://a.example/1 [d1] pending", "reply https://b.example/2 d1 parent=#1 pending"},
			devs:   []string{"d1: Taobao / WeChat Pay payment launched 2024-09-04"},
		},
		"a step forward the article does not lead with is coverage": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}},
				{url: "https://b.example/2", published: "2024-09-25", events: []sources.Event{
					hl("DingTalk", "WeChat", sources.KindWorkplace, launched, ""), pay("Taobao", launched, ""),
				}},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment announced 2024-09-04",
				"d2: DingTalk / WeChat workplace launched 2024-09-25",
			},
		},
		"a step forward dated within the news cycle is coverage": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-09-04", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://b.example/2", published: "2024-09-25", events: []sources.Event{pay("Taobao", launched, "2024-09-06")}},
			},
			outbox: []string{"#1 alert https://a.example/1 [d1] pending", "reply https://b.example/2 d1 parent=#1 pending"},
			devs:   []string{"d1: Taobao / WeChat Pay payment testing 2024-09-04"},
		},
		"halted at any point, then launched again": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-03-01", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://b.example/2", published: "2024-03-20", events: []sources.Event{pay("Taobao", halted, "")}},
				{url: "https://c.example/3", published: "2024-04-10", events: []sources.Event{pay("Taobao", launched, "")}},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
				"#3 alert https://c.example/3 [d3] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-03-01",
				"d2: Taobao / WeChat Pay payment halted 2024-03-20 previous=d1",
				"d3: Taobao / WeChat Pay payment launched 2024-04-10 previous=d2",
			},
		},
		"the company-only name matches a platform only when nothing more specific is named": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-09-04", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://b.example/2", published: "2024-09-05", events: []sources.Event{pay("Alibaba", testing_, "")}},
				{url: "https://c.example/3", published: "2024-09-05", events: []sources.Event{pay("Alibaba+Ele.me", testing_, "")}},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
				"#3 alert https://c.example/3 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-09-04",
				"d2: Ele.me / WeChat Pay payment testing 2024-09-05",
			},
		},
		"reports further apart than the window are two storylines": {
			steps: []storyStep{
				{url: "https://a.example/1", published: "2024-01-10", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://b.example/2", published: "2024-04-10", events: []sources.Event{pay("Taobao", launched, "")}},
			},
			outbox: []string{"#1 alert https://a.example/1 [d1] pending", "#2 alert https://b.example/2 [d2] pending"},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-01-10",
				"d2: Taobao / WeChat Pay payment launched 2024-04-10",
			},
		},
		"recorded out of order, steps are planned in the order reported": {
			steps: []storyStep{
				{url: "https://b.example/open", published: "2024-09-25", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://c.example/test", published: "2024-09-06", events: []sources.Event{pay("Taobao", testing_, "")}},
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}},
			},
			outbox: []string{
				"#1 alert https://b.example/open [d1] pending",
				"#2 alert https://c.example/test [d2] pending",
				"reply https://a.example/plan d2 parent=#2 pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment launched 2024-09-25 previous=d2",
				"d2: Taobao / WeChat Pay payment announced 2024-09-04",
			},
		},
		"a later outlet recorded first: its alert announces the earliest report's stage": {
			steps: []storyStep{
				{url: "https://b.example/open", published: "2024-09-10", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://a.example/test", published: "2024-09-04", events: []sources.Event{pay("Taobao", testing_, "")}},
			},
			outbox: []string{
				"#1 alert https://b.example/open [d1] pending",
				"reply https://a.example/test d1 parent=#1 pending",
			},
			devs: []string{"d1: Taobao / WeChat Pay payment testing 2024-09-04"},
		},
		"a posted step stays: an earlier report arriving later is coverage": {
			steps: []storyStep{
				{url: "https://b.example/open", published: "2024-09-25", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}, post: true},
			},
			outbox: []string{"#1 alert https://b.example/open [d1] sent", "reply https://a.example/plan d1 parent=#1 pending"},
			devs:   []string{"d1: Taobao / WeChat Pay payment launched 2024-09-25"},
		},
		"a late report goes to the thread of the step current when it was published": {
			steps: []storyStep{
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}},
				{url: "https://b.example/open", published: "2024-09-25", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://c.example/late", published: "2024-09-07", events: []sources.Event{pay("Taobao", testing_, "")}, post: true},
				{url: "https://d.example/later", published: "2024-09-27", events: []sources.Event{pay("Taobao", expanded, "")}},
			},
			outbox: []string{
				"#1 alert https://a.example/plan [d1] sent",
				"#2 alert https://b.example/open [d2] sent",
				"reply https://c.example/late d1 parent=#1 pending",
				"reply https://d.example/later d2 parent=#2 pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment announced 2024-09-04",
				"d2: Taobao / WeChat Pay payment launched 2024-09-25 previous=d1",
			},
		},
		"an article's headline events of one kind group report one storyline, found by any of them": {
			steps: []storyStep{
				{url: "https://a.example/test", published: "2022-01-14", events: []sources.Event{
					hl("Xianyu", "WeChat Mini Programs", sources.KindMiniProgram, testing_, "2022-01"),
				}},
				// The lead names the wallet, the second event the mini program.
				{url: "https://b.example/pay", published: "2022-01-18", events: []sources.Event{
					pay("Xianyu", launched, "2022-01"),
					hl("Xianyu", "WeChat Mini Programs", sources.KindMiniProgram, launched, "2022-01"),
				}},
				// A second event that matches no storyline goes with its lead.
				{url: "https://c.example/more", published: "2022-01-19", events: []sources.Event{
					hl("Xianyu", "WeChat Mini Programs", sources.KindMiniProgram, launched, "2022-01"),
					pay("Freshippo", announced, "2022-01"),
				}},
			},
			outbox: []string{
				"#1 alert https://a.example/test [d1] pending",
				"reply https://b.example/pay d1 parent=#1 pending",
				"reply https://c.example/more d1 parent=#1 pending",
			},
			// Two of the three leads read a launch within the news cycle.
			devs: []string{"d1: Freshippo+Xianyu / WeChat Mini Programs+WeChat Pay payment launched 2022-01"},
		},
		"an article's later event reporting another product's storyline stays with the article": {
			steps: []storyStep{
				{url: "https://f.example/freshippo", published: "2021-10-20", events: []sources.Event{pay("Freshippo", launched, "2021-10")}},
				{url: "https://a.example/apps", published: "2021-09-28", events: []sources.Event{
					pay("Ele.me+Youku", launched, "2021-09"), pay("Freshippo+Xianyu", announced, "2021-09"),
				}},
				{url: "https://b.example/apps", published: "2021-09-30", events: []sources.Event{
					pay("Ele.me", launched, "2021-09"), pay("Freshippo+Xianyu", announced, "2021-09"),
				}},
			},
			outbox: []string{
				"#1 alert https://f.example/freshippo [d1] pending",
				"#2 alert https://a.example/apps [d2] pending",
				"reply https://b.example/apps d2 parent=#2 pending",
			},
			devs: []string{
				"d1: Freshippo / WeChat Pay payment launched 2021-10",
				"d2: Ele.me+Freshippo+Xianyu+Youku / WeChat Pay payment launched 2021-09",
			},
		},
		"an article led by another product's plan moves to the storyline its later event repeats": {
			steps: []storyStep{
				{url: "https://a.example/apps", published: "2021-09-28", events: []sources.Event{pay("Ele.me+Youku", launched, "2021-09")}},
				{url: "https://b.example/apps", published: "2021-09-28", events: []sources.Event{
					pay("Freshippo+Xianyu", announced, "2021-09"), pay("Ele.me", launched, "2021-09"),
				}},
			},
			outbox: []string{"#1 alert https://a.example/apps [d1] pending", "reply https://b.example/apps d1 parent=#1 pending"},
			devs:   []string{"d1: Ele.me+Freshippo+Xianyu+Youku / WeChat Pay payment launched 2021-09"},
		},
		"an undated article joins the storyline of its subject whose reports read its stage": {
			steps: []storyStep{
				{url: "https://a.example/test", published: "2024-02-20", events: []sources.Event{pay("Taobao", testing_, "2024-02-20")}},
				{url: "https://b.example/pause", published: "2024-05-03", events: []sources.Event{pay("Taobao", halted, "2024-05-03")}},
				// No publication date: a month read from the text says nothing.
				{url: "https://c.example/gone", published: "", events: []sources.Event{pay("Taobao", halted, "2026-12")}},
			},
			outbox: []string{
				"#1 alert https://a.example/test [d1] pending",
				"#2 alert https://b.example/pause [d2] pending",
				"reply https://c.example/gone d2 parent=#2 pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-02-20",
				"d2: Taobao / WeChat Pay payment halted 2024-05-03",
			},
		},
		"an undated article joins only where its stage is read of its platforms": {
			steps: []storyStep{
				{url: "https://a.example/apps", published: "2021-09-28", events: []sources.Event{
					pay("Ele.me", launched, "2021-09"), pay("Xianyu", announced, "2021-09"),
				}},
				{url: "https://b.example/xianyu", published: "", events: []sources.Event{pay("Xianyu", launched, "2024-01")}},
			},
			outbox: []string{"#1 alert https://a.example/apps [d1] pending", "#2 alert https://b.example/xianyu [d2] pending"},
			devs: []string{
				"d1: Ele.me+Xianyu / WeChat Pay payment launched 2021-09",
				"d2: Xianyu / WeChat Pay payment launched 2024-01", // the best it has
			},
		},
		"an undated article recorded first is taken in by the dated storyline": {
			steps: []storyStep{
				{url: "https://c.example/gone", published: "", events: []sources.Event{pay("Taobao", halted, "")}},
				{url: "https://b.example/pause", published: "2024-05-03", events: []sources.Event{pay("Taobao", halted, "2024-05")}},
				{url: "https://d.example/open", published: "", events: []sources.Event{pay("Taobao", launched, "")}},
			},
			// The undated launch reads a stage the storyline's reports do not:
			// a development of its own.
			outbox: []string{
				"#1 alert https://b.example/pause [d1] pending",
				"reply https://c.example/gone d1 parent=#1 pending",
				"#3 alert https://d.example/open [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment halted 2024-05",
				"d2: Taobao / WeChat Pay payment launched " + t0.Format("2006-01-02"),
			},
		},
		"outlets disagreeing on a first step: the stage most leads read, the earlier on a tie": {
			steps: []storyStep{
				{url: "https://a.example/over", published: "2025-03-18", events: []sources.Event{hl("DingTalk", "Tencent Meeting", workplace, launched, "2025-03-18")}},
				{url: "https://b.example/plan", published: "2025-03-20", events: []sources.Event{hl("DingTalk", "Tencent Meeting", workplace, announced, "2025-03-18")}},
				{url: "https://c.example/test", published: "2025-04-02", events: []sources.Event{hl("DingTalk", "Tencent Meeting", workplace, testing_, "2025-04")}},
				{url: "https://d.example/open", published: "2025-04-21", events: []sources.Event{hl("DingTalk", "Tencent Meeting", workplace, launched, "2025-04-22")}},
			},
			outbox: []string{
				"#1 alert https://a.example/over [d1] pending",
				"#3 alert https://c.example/test [d2] pending",
				"#5 alert https://d.example/open [d3] pending",
				"reply https://b.example/plan d1 parent=#1 pending",
			},
			devs: []string{
				"d1: DingTalk / Tencent Meeting workplace announced 2025-03-18",
				"d2: DingTalk / Tencent Meeting workplace testing 2025-04 previous=d1",
				"d3: DingTalk / Tencent Meeting workplace launched 2025-04-22 previous=d2",
			},
		},
		"a step reported only for the timeline has no alert; the next step has": {
			steps: []storyStep{
				{url: "https://a.example/plan", published: "2024-09-04", events: []sources.Event{pay("Taobao", announced, "")}, silent: true},
				{url: "https://b.example/open", published: "2024-09-25", events: []sources.Event{pay("Taobao", launched, "")}},
				{url: "https://c.example/open2", published: "2024-09-26", events: []sources.Event{pay("Taobao", launched, "")}, silent: true},
			},
			outbox: []string{"#1 alert https://b.example/open [d2] pending"},
			devs: []string{
				"d1: Taobao / WeChat Pay payment announced 2024-09-04",
				"d2: Taobao / WeChat Pay payment launched 2024-09-25 previous=d1",
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := openTest(t)
			var l labeller
			for _, st := range tt.steps {
				if st.post {
					postAll(t, s)
				}
				r := rec(t, s, RecordInput{Article: art(st.url, st.published), Events: st.events, Alert: !st.silent})
				l.labels(r.Developments)
			}
			if diff := cmp.Diff(tt.outbox, outboxSummary(t, s, l.label), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("outbox (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.devs, devSummary(t, s, &l), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("developments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStorylinePosting posts a storyline recorded out of order, as a first
// run does: the steps go out in the order they happened, and the later one
// links the first one's thread and says what it moved on from.
func TestStorylinePosting(t *testing.T) {
	s := openTest(t)
	pay := func(stage sources.Stage) []sources.Event {
		return []sources.Event{hl("Taobao", "WeChat Pay", payment, stage, "")}
	}
	rec(t, s, RecordInput{Article: art("https://c.example/expand", "2024-10-20"), Events: pay(expanded), Alert: true})
	rec(t, s, RecordInput{Article: art("https://b.example/open", "2024-09-25"), Events: pay(launched), Alert: true})
	rec(t, s, RecordInput{Article: art("https://a.example/plan", "2024-09-04"), Events: pay(announced), Alert: true})

	var got []string
	for range 5 {
		ds := claim1(t, s, "w", t0, 10, nil)
		if len(ds) == 0 {
			break
		}
		for _, d := range ds {
			line := d.Kind + " " + d.Article.URL + " " + string(d.Developments[0].Stage)
			if d.Previous != nil {
				line += " first=" + string(d.Previous.Stage) + "@" + d.Previous.Date.String() + " thread=" + d.Previous.TS + " was=" + string(d.Was)
			}
			got = append(got, line)
			send(t, s, d, "w", t0)
		}
	}
	want := []string{
		"alert https://a.example/plan announced",
		"alert https://b.example/open launched first=announced@2024-09-04 thread=3.0001 was=announced",
		"alert https://c.example/expand expanded first=announced@2024-09-04 thread=3.0001 was=launched",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	// Nothing is left, and recording nothing new posts nothing.
	if n, err := s.PendingCount(context.Background()); err != nil || n != 0 {
		t.Errorf("PendingCount = %d, %v", n, err)
	}
}
