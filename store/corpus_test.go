package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
)

// label is one entry of the shared corpus's labels.json.
type label struct {
	ID          string        `json:"id"`
	URL         string        `json:"url"`
	Published   *string       `json:"published"`
	Title       string        `json:"title"`
	Lang        string        `json:"lang"`
	Development string        `json:"development"`
	Headline    []labelledEvt `json:"headline"`
	Background  []labelledEvt `json:"background"`
}

type labelledEvt struct {
	Alibaba []string      `json:"alibaba"`
	Tencent []string      `json:"tencent"`
	Kind    sources.Kind  `json:"kind"`
	Stage   sources.Stage `json:"stage"`
	Date    sources.Date  `json:"date"`
}

func (e labelledEvt) event(headline bool) sources.Event {
	return sources.Event{Pair: sources.DefaultPair, A: e.Alibaba, B: e.Tencent, Kind: e.Kind, Stage: e.Stage, Date: e.Date,
		Headline: headline, Evidence: "labelled"}
}

func loadLabels(t *testing.T) []label {
	b, err := os.ReadFile(sharedtest.Path(t, "corpus", "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ls []label
	if err := json.Unmarshal(b, &ls); err != nil {
		t.Fatal(err)
	}
	return ls
}

func (l label) input() RecordInput {
	a := sources.Article{URL: l.URL, Title: l.Title, Lang: l.Lang, Text: randomText(l.ID)}
	if l.Published != nil {
		d, err := time.ParseInLocation("2006-01-02", *l.Published, shanghai)
		if err != nil {
			panic(err)
		}
		a.Published = d.Add(9 * time.Hour)
	}
	var evs []sources.Event
	for _, e := range l.Headline {
		evs = append(evs, e.event(true))
	}
	for _, e := range l.Background {
		evs = append(evs, e.event(false))
	}
	return RecordInput{Source: "corpus", Article: a, Events: evs, Alert: true, Now: time.Date(2024, 9, 5, 0, 0, 0, 0, time.UTC)}
}

// TestCorpusDevelopments records the labelled corpus (labelled events, in
// several orders) and checks the clustering against the labels'
// developments: one alert per development, the other articles as replies,
// and the previous-stage links the corpus implies.
func TestCorpusDevelopments(t *testing.T) {
	labels := loadLabels(t)
	byPublished := slices.Clone(labels)
	sort.SliceStable(byPublished, func(i, j int) bool {
		pi, pj := byPublished[i].Published, byPublished[j].Published
		if pi == nil || pj == nil {
			return pi != nil && pj == nil
		}
		return *pi < *pj
	})
	reversed := slices.Clone(byPublished)
	slices.Reverse(reversed)
	orders := map[string][]label{"labels": labels, "published": byPublished, "reversed": reversed}

	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			// dev -> the labelled development whose headline events it holds
			devKey := map[int64]string{}
			keys := map[string]bool{}
			positives := 0
			for _, l := range order {
				r := rec(t, s, l.input())
				if r.Duplicate {
					t.Fatalf("%s: duplicate", l.ID)
				}
				if len(l.Headline) > 0 {
					positives++
					keys[l.Development] = true
				}
				for i, d := range r.Developments {
					if prev, ok := devKey[d]; ok && prev != l.Development {
						t.Errorf("%s: headline event %d joined development %d of %s", l.ID, i, d, prev)
					}
					devKey[d] = l.Development
				}
			}
			// 17 headline events of the 13 developments: an article's
			// headline events of kinds that belong together report one
			// development.
			const wantDevs = 13
			if n := len(queryInts(t, s, `SELECT id FROM developments`)); n != wantDevs {
				t.Errorf("%d developments, want %d", n, wantDevs)
			}

			// Each development alerts once per distinct (kind, stage) of the
			// headline events of its articles (an article may report a second
			// development beside one already announced), and every article
			// reporting one reaches Slack, as an alert or as a reply.
			allowed := map[string]map[string]bool{}
			for _, l := range labels {
				for _, e := range l.Headline {
					if allowed[l.Development] == nil {
						allowed[l.Development] = map[string]bool{}
					}
					allowed[l.Development][string(e.Kind)+"/"+string(e.Stage)] = true
				}
			}
			alertsOf := map[string]int{}
			for _, a := range queryInts(t, s, `SELECT id FROM outbox WHERE kind = 'alert'`) {
				var ks []string
				for _, d := range queryInts(t, s, `SELECT id FROM developments WHERE alert_id = ? ORDER BY alert_pos`, a) {
					ks = append(ks, devKey[d])
				}
				if len(slices.Compact(ks)) != 1 {
					t.Errorf("alert %d announces developments of %v", a, ks)
				}
				alertsOf[ks[0]]++
			}
			for k := range keys {
				if n := alertsOf[k]; n < 1 || n > len(allowed[k]) {
					t.Errorf("%s: %d alerts, want 1 to %d", k, n, len(allowed[k]))
				}
			}
			if n := len(queryInts(t, s, `SELECT DISTINCT article_id FROM outbox`)); n != positives {
				t.Errorf("%d articles in the outbox, want all %d positives", n, positives)
			}
			if n := len(queryInts(t, s, `SELECT id FROM outbox WHERE kind = 'reply'`)); n != positives-len(keys) {
				t.Errorf("%d replies, want %d", n, positives-len(keys))
			}

			if name != "published" {
				return
			}
			// In publication order every step after the first of its
			// storyline links the one before; storylines years apart are
			// not linked.
			prevs := map[string]string{}
			rows, err := s.db.QueryContext(ctx, `SELECT id, previous_id FROM developments WHERE previous_id IS NOT NULL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var d, p int64
				if err := rows.Scan(&d, &p); err != nil {
					t.Fatal(err)
				}
				prevs[devKey[d]] = devKey[p]
			}
			rows.Close()
			want := map[string]string{
				"wechat-taobao-links-2022": "wechat-external-links-2021",
			}
			if !maps.Equal(want, prevs) {
				t.Errorf("previous links = %v, want %v", prevs, want)
			}

			tl, err := s.Timeline(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			bgs := map[string]bool{}
			heads := 0
			for _, e := range tl {
				if e.Headline {
					heads++
					continue
				}
				bgs[fmt.Sprintf("%s/%s %s %s %s", strings.Join(e.A, "+"), strings.Join(e.B, "+"), e.Kind, e.Stage, e.Date)] = true
			}
			if heads != wantDevs {
				t.Errorf("timeline has %d developments, want %d", heads, wantDevs)
			}
			for _, covered := range []string{
				"Taobao/WeChat Pay payment testing 2022-03", // the 2022 trial, retold in 2024
				"Taobao/WeChat Pay payment testing 2022-02",
				"Taobao/WeChat Pay payment testing 2024-02",
				"Taobao/WeChat links launched 2021-11-29",
				"Xianyu/WeChat Pay payment launched 2024-01",
				"Xianyu/WeChat Pay payment announced 2021-09",
				"DingTalk/WeChat workplace launched 2024-03",
			} {
				if bgs[covered] {
					t.Errorf("background %q is listed beside the development that covers it", covered)
				}
			}
			for _, kept := range []string{
				"Taobao/WeChat links halted 2013",
				"Taobao/WeChat links launched 2021-09-17", // the first phase, two months before the 2021-11 development
				"Taobao/WeChat Pay payment expanded 2023-10",
			} {
				if !bgs[kept] {
					t.Errorf("background %q is missing from the timeline", kept)
				}
			}
		})
	}
}

// postedSummary posts everything due and describes each thread Slack
// would show: the stages its alert announced, every article in it (the
// featured one and the replies; which of several articles published at the
// same time is featured depends on the order recorded), and the thread a
// later step links.
func postedSummary(t *testing.T, s *Store) []string {
	t.Helper()
	type thread struct {
		stages, after string
		urls          []string
	}
	threads := map[string]*thread{}                    // by ts
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // after every recording
	for range 50 {
		ds := claim1(t, s, "summary", now, 100, nil)
		if len(ds) == 0 {
			break
		}
		for _, d := range ds {
			send(t, s, d, "summary", now)
			if d.Kind == KindReply {
				threads[d.ThreadTS].urls = append(threads[d.ThreadTS].urls, d.Article.URL)
				continue
			}
			var stages []string
			for _, dev := range d.Developments {
				stages = append(stages, string(dev.Stage))
			}
			th := &thread{stages: strings.Join(stages, "+"), urls: []string{d.Article.URL}}
			if d.Previous != nil {
				th.after = d.Previous.TS
			}
			threads[fmt.Sprintf("%d.0001", d.ID)] = th
		}
	}
	for _, th := range threads {
		slices.Sort(th.urls)
	}
	var out []string
	for _, th := range threads {
		line := th.stages + " " + strings.Join(th.urls, " ")
		if th.after != "" {
			line += " after " + threads[th.after].urls[0]
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// TestCorpusSameInAnyOrder records the labelled corpus in shuffled orders,
// from two store handles at once (as serve and run-once on one database),
// and checks that the same alerts and replies come out every time.
func TestCorpusSameInAnyOrder(t *testing.T) {
	labels := loadLabels(t)
	ref := openTest(t)
	for _, l := range labels {
		rec(t, ref, l.input())
	}
	want := postedSummary(t, ref)
	if len(want) != 13 || !slices.ContainsFunc(want, func(p string) bool { return strings.Contains(p, " after ") }) {
		t.Errorf("want 13 threads, one of a later step:\n%s", strings.Join(want, "\n"))
	}
	for seed := range uint64(3) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.db")
			var handles [2]*Store
			for i := range handles {
				s, err := Open(context.Background(), path)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				handles[i] = s
			}
			order := slices.Clone(labels)
			r := rand.New(rand.NewPCG(seed, 7))
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			var wg sync.WaitGroup
			for i, s := range handles {
				wg.Go(func() {
					for k := i; k < len(order); k += 2 {
						if _, err := s.Record(context.Background(), order[k].input()); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if diff := cmp.Diff(want, postedSummary(t, handles[0])); diff != "" {
				t.Errorf("posts differ from the labels' order (-want +got):\n%s", diff)
			}
		})
	}
}
