package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wallwatch/worker/sources"
)

func TestTimeline(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rec(t, s, RecordInput{Article: art("https://a.example/2022", "2022-03-28"), Alert: true, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, testing_, "2022-03"),
		bg("Ele.me", "WeChat Pay", payment, launched, "2021-09"),
	}})
	rec(t, s, RecordInput{Article: art("https://b.example/2024", "2024-02-21"), Alert: true, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, testing_, "2024-02"),
		bg("Taobao", "WeChat Pay", payment, testing_, "2022-03"), // covered by the 2022 development
		bg("Ele.me", "WeChat Pay", payment, launched, "2021-09"), // retold again
		bg("Taobao", "WeChat", links, sources.StageHalted, "2013"),
		bg("Xianyu", "WeChat Mini Programs", sources.KindMiniProgram, announced, ""),
		bg("Taobao", "WeChat Pay", payment, launched, "2022-03"), // another stage: not covered
	}})
	rec(t, s, RecordInput{Article: art("https://c.example/2024", "2024-02-22"), Alert: false, Events: []sources.Event{
		hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-21"),
		bg("Taobao", "WeChat Pay", payment, testing_, "2022"), // year-only, covered by the 2022 development
	}})
	ds := claim1(t, s, "w", t0, 1, nil)
	send(t, s, ds[0], "w", t0) // the 2022 alert

	summary := func(es []TimelineEntry) []string {
		var out []string
		for _, e := range es {
			kind := "bg"
			if e.Headline {
				kind = fmt.Sprintf("dev%d alerted=%v", e.DevelopmentID, e.Alerted)
			}
			out = append(out, fmt.Sprintf("%s %s/%s %s %s %s %s articles=%d", e.Date, strings.Join(e.A, "+"), strings.Join(e.B, "+"),
				e.Kind, e.Stage, kind, e.URL, e.Articles))
		}
		return out
	}
	all := []string{
		"2013 Taobao/WeChat links halted bg https://b.example/2024 articles=1",
		"2021-09 Ele.me/WeChat Pay payment launched bg https://a.example/2022 articles=2",
		"2022-03 Taobao/WeChat Pay payment testing dev1 alerted=true https://a.example/2022 articles=1",
		"2022-03 Taobao/WeChat Pay payment launched bg https://b.example/2024 articles=1",
		"2024-02-21 Taobao/WeChat Pay payment testing dev2 alerted=false https://b.example/2024 articles=2",
		" Xianyu/WeChat Mini Programs mini_program announced bg https://b.example/2024 articles=1",
	}
	tests := map[string]struct {
		since time.Time
		want  []string
	}{
		"all":                    {time.Time{}, all},
		"since 2022":             {time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), all[2:5]},
		"since inside a month":   {time.Date(2021, 9, 20, 0, 0, 0, 0, time.UTC), all[1:5]},
		"since after everything": {time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), nil},
		"since the exact day":    {time.Date(2024, 2, 21, 0, 0, 0, 0, time.UTC), all[4:5]},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := s.Timeline(ctx, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summary(got)); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
		})
	}

	got, err := s.Timeline(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	e := got[4]
	if e.Title != "Title of https://b.example/2024" || e.Source != "test-feed" || e.Evidence != "Taobao testing WeChat Pay" ||
		e.Published.Format(time.RFC3339) != "2024-02-21T08:00:00+08:00" || e.Pair != sources.DefaultPair {
		t.Errorf("development entry: %+v", e)
	}
}
