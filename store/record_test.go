package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wallwatch/worker/sources"
)

const (
	payment = sources.KindPayment
	links   = sources.KindLinks
)

const (
	announced = sources.StageAnnounced
	testing_  = sources.StageTesting
	launched  = sources.StageLaunched
)

type recordStep struct {
	in   RecordInput
	want string // "dup", or "new=N [d1 d2]"
}

func (st recordStep) got(r RecordResult, l *labeller) string {
	if r.Duplicate {
		return "dup"
	}
	return fmt.Sprintf("new=%d [%s]", r.NewDevelopments, strings.Join(l.labels(r.Developments), " "))
}

// withText gives an article the title and text of another, as a
// syndicated copy would have.
func withText(a, from sources.Article) sources.Article {
	a.Title, a.Text = from.Title, from.Text
	return a
}

func withCanonical(a sources.Article, c string) sources.Article {
	a.Canonical = c
	return a
}

func TestRecord(t *testing.T) {
	taobaoTest := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")
	a := art("https://a.example/1", "2024-02-21")
	b := art("https://b.example/2", "2024-02-22")
	c := art("https://c.example/3", "2024-02-23")

	tests := map[string]struct {
		steps   []recordStep
		outbox  []string
		devs    []string // every development, in label order
		wantArt int      // articles stored
	}{
		"new development makes an alert": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
			},
			outbox:  []string{"#1 alert https://a.example/1 [d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 1,
		},
		"second outlet makes a reply": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-20")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02-20"},
			wantArt: 2,
		},
		"duplicate URL": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: withText(a, b), Events: []sources.Event{taobaoTest, hl("Tmall", "WeChat", links, launched, "2024-02")}, Alert: true}, "dup"},
			},
			outbox:  []string{"#1 alert https://a.example/1 [d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 1,
		},
		"duplicate canonical": {
			steps: []recordStep{
				{RecordInput{Article: withCanonical(a, "https://a.example/canonical"), Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
				// AMP variant naming the same canonical.
				{RecordInput{Article: withCanonical(b, "https://a.example/canonical"), Events: []sources.Event{taobaoTest}, Alert: true}, "dup"},
				// The canonical URL itself.
				{RecordInput{Article: art("https://a.example/canonical", "2024-02-21"), Events: []sources.Event{taobaoTest}, Alert: true}, "dup"},
				// A page whose canonical is a stored URL.
				{RecordInput{Article: withCanonical(c, "https://a.example/1"), Events: []sources.Event{taobaoTest}, Alert: true}, "dup"},
				// A canonical equal to its own URL is no conflict.
				{RecordInput{Article: withCanonical(art("https://d.example/4", "2024-02-24"), "https://d.example/4"), Alert: true}, "new=0 []"},
			},
			outbox:  []string{"#1 alert https://a.example/1 [d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 2,
		},
		"an article's headline events of kinds that belong together report one development": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{
					hl("Ele.me+Youku", "WeChat Pay", payment, launched, "2021-09"),
					bg("Taobao", "WeChat", links, launched, "2021-09-17"),
					hl("Xianyu+Freshippo", "WeChat Pay", payment, announced, "2021-09"),
				}, Alert: true}, "new=1 [d1 d1]"},
				{RecordInput{Article: b, Events: []sources.Event{
					hl("Ele.me+Damai", "WeChat Pay", payment, launched, "2021-09-28"),
					hl("Xianyu", "WeChat Pay", payment, announced, "2021-09"),
				}, Alert: true}, "new=0 [d1 d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs: []string{
				"d1: Damai+Ele.me+Freshippo+Xianyu+Youku / WeChat Pay payment launched 2021-09-28",
			},
			wantArt: 2,
		},
		"timeline only, then a fresh article alerts": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: false}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{taobaoTest}, Alert: true}, "new=0 [d1]"},
				{RecordInput{Article: c, Events: []sources.Event{taobaoTest}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://b.example/2 [d1] pending",
				"reply https://c.example/3 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 3,
		},
		"timeline only coverage of an alerted development adds no reply": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{taobaoTest}, Alert: false}, "new=0 [d1]"},
			},
			outbox:  []string{"#1 alert https://a.example/1 [d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 2,
		},
		"background only makes no development and no outbox": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{
					bg("Taobao", "WeChat Pay", payment, testing_, "2022-03"),
					bg("Ele.me", "WeChat Pay", payment, launched, "2021"),
				}, Alert: true}, "new=0 []"},
			},
			wantArt: 1,
		},
		"same entities two years apart are two developments": {
			steps: []recordStep{
				{RecordInput{Article: art("https://a.example/2022", "2022-03-28"), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2022-03")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: a, Events: []sources.Event{
					taobaoTest, bg("Taobao", "WeChat Pay", payment, testing_, "2022-03"),
				}, Alert: true}, "new=1 [d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/2022 [d1] pending",
				"#2 alert https://a.example/1 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2022-03",
				"d2: Taobao / WeChat Pay payment testing 2024-02",
			},
			wantArt: 2,
		},
		"a step forward after the news cycle is a new step that links the one before": {
			steps: []recordStep{
				{RecordInput{Article: art("https://a.example/2021", "2021-03-18"), Events: []sources.Event{
					hl("Taote", "WeChat Mini Programs", sources.KindMiniProgram, announced, "2021-03"),
					hl("Taote", "WeChat Pay", payment, announced, "2021-03"),
				}, Alert: true}, "new=1 [d1 d1]"},
				// Three years on: another storyline.
				{RecordInput{Article: art("https://a.example/1", "2024-08-20"), Events: []sources.Event{hl("Taote", "WeChat Pay", payment, testing_, "2024-08")}, Alert: true}, "new=1 [d2]"},
				{RecordInput{Article: art("https://b.example/2", "2024-09-10"), Events: []sources.Event{hl("Taote+Taobao", "WeChat Pay", payment, launched, "2024-09")}, Alert: true}, "new=1 [d3]"},
			},
			outbox: []string{
				"#1 alert https://a.example/2021 [d1] pending",
				"#2 alert https://a.example/1 [d2] pending",
				"#3 alert https://b.example/2 [d3] pending",
			},
			devs: []string{
				"d1: Taote / WeChat Mini Programs+WeChat Pay mini_program announced 2021-03",
				"d2: Taote / WeChat Pay payment testing 2024-08",
				"d3: Taobao+Taote / WeChat Pay payment launched 2024-09 previous=d2",
			},
			wantArt: 3,
		},
		"another stage a few weeks later is a new step": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-21")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: art("https://b.example/2", "2024-03-10"), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, launched, "2024-03-10")}, Alert: true}, "new=1 [d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-02-21",
				"d2: Taobao / WeChat Pay payment launched 2024-03-10 previous=d1",
			},
			wantArt: 2,
		},
		"a near-duplicate article joins despite another stage": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-21")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: withText(b, a), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, launched, "2024-02")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02-21"},
			wantArt: 2,
		},
		"another kind of the same group is the same development": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat", payment, launched, "2024-02")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat", links, launched, "2024-02")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao / WeChat payment launched 2024-02"},
			wantArt: 2,
		},
		"a kind of another group is another development": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat", payment, launched, "2024-02")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat", sources.KindAdvertising, launched, "2024-02")}, Alert: true}, "new=1 [d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat payment launched 2024-02",
				"d2: Taobao / WeChat advertising launched 2024-02",
			},
			wantArt: 2,
		},
		"a side without a shared entity is another development": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Ele.me", "WeChat Pay", payment, launched, "2024-02")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, launched, "2024-02")}, Alert: true}, "new=1 [d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
			},
			devs: []string{
				"d1: Ele.me / WeChat Pay payment launched 2024-02",
				"d2: Taobao / WeChat Pay payment launched 2024-02",
			},
			wantArt: 2,
		},
		"adjacent months join, the development keeps the most precise date": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-01")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao+Tmall", "WeChat Pay", payment, testing_, "2024-02-29")}, Alert: true}, "new=0 [d1]"},
				{RecordInput{Article: c, Events: []sources.Event{hl("Tmall", "WeChat Pay", payment, testing_, "2024-02")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
				"reply https://c.example/3 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao+Tmall / WeChat Pay payment testing 2024-02-29"},
			wantArt: 3,
		},
		"days 50 apart do not join": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-01-01")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-20")}, Alert: true}, "new=1 [d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-01-01",
				"d2: Taobao / WeChat Pay payment testing 2024-02-20",
			},
			wantArt: 2,
		},
		"an undated event is dated by the publication day, else by now": {
			steps: []recordStep{
				{RecordInput{Article: art("https://a.example/1", "2024-08-20"), Events: []sources.Event{hl("Taote", "WeChat Pay", payment, testing_, "")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taote", "WeChat Pay", payment, testing_, "2024-08")}, Alert: true}, "new=0 [d1]"},
				// No event date, no publication date: recorded at t0 (2024-09-04).
				{RecordInput{Article: art("https://c.example/3", ""), Events: []sources.Event{hl("Taote", "WeChat Pay", payment, testing_, "")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
				"reply https://c.example/3 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taote / WeChat Pay payment testing 2024-08-20"},
			wantArt: 3,
		},
		// Year-only dates of an earlier year than publication: a year
		// alone is not close enough to join anything but a near-duplicate.
		"year-only dates join near-duplicates only": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2023")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2023")}, Alert: true}, "new=1 [d2]"},
				{RecordInput{Article: withText(c, a), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2023-02")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"#2 alert https://b.example/2 [d2] pending",
				"reply https://c.example/3 d1 parent=#1 pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2023-02",
				"d2: Taobao / WeChat Pay payment testing 2023",
			},
			wantArt: 3,
		},
		"a headline dated to the publication year is news of the publication day": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024")}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024")}, Alert: true}, "new=0 [d1]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
			},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02-21"},
			wantArt: 2,
		},
		"an announced and a new development in one article": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: true}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{taobaoTest, hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-02")}, Alert: true}, "new=1 [d1 d2]"},
			},
			outbox: []string{
				"#1 alert https://a.example/1 [d1] pending",
				"reply https://b.example/2 d1 parent=#1 pending",
				"#3 alert https://b.example/2 [d2] pending",
			},
			devs: []string{
				"d1: Taobao / WeChat Pay payment testing 2024-02",
				"d2: DingTalk / WeChat workplace launched 2024-02",
			},
			wantArt: 2,
		},
		"a new and an unannounced development share one alert, the first headline event primary": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest}, Alert: false}, "new=1 [d1]"},
				{RecordInput{Article: b, Events: []sources.Event{hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-02"), taobaoTest}, Alert: true}, "new=1 [d2 d1]"},
			},
			outbox:  []string{"#1 alert https://b.example/2 [d2 d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02", "d2: DingTalk / WeChat workplace launched 2024-02"},
			wantArt: 2,
		},
		"one article repeating an event makes one development": {
			steps: []recordStep{
				{RecordInput{Article: a, Events: []sources.Event{taobaoTest, taobaoTest}, Alert: true}, "new=1 [d1 d1]"},
			},
			outbox:  []string{"#1 alert https://a.example/1 [d1] pending"},
			devs:    []string{"d1: Taobao / WeChat Pay payment testing 2024-02"},
			wantArt: 1,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := openTest(t)
			var l labeller
			for i, st := range tt.steps {
				if got := st.got(rec(t, s, st.in), &l); got != st.want {
					t.Errorf("step %d (%s): got %s, want %s", i, st.in.Article.URL, got, st.want)
				}
			}
			if diff := cmp.Diff(tt.outbox, outboxSummary(t, s, l.label), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("outbox (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.devs, devSummary(t, s, &l), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("developments (-want +got):\n%s", diff)
			}
			st, err := s.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Articles != tt.wantArt || st.Developments != len(tt.devs) || st.Pending != len(tt.outbox) {
				t.Errorf("Stats = %+v, want %d articles, %d developments, %d pending", st, tt.wantArt, len(tt.devs), len(tt.outbox))
			}
			// Every event of every stored article is kept.
			var events int
			for _, step := range tt.steps {
				if !strings.HasPrefix(step.want, "dup") {
					events += len(step.in.Events)
				}
			}
			if st.Events != events {
				t.Errorf("Stats.Events = %d, want %d", st.Events, events)
			}
		})
	}
}

// devSummary lists every development in label order.
func devSummary(t *testing.T, s *Store, l *labeller) []string {
	t.Helper()
	ctx := context.Background()
	ids := queryInts(t, s, `SELECT id FROM developments`)
	out := make([]string, len(ids))
	for _, id := range ids {
		var d Development
		var prev sql.NullInt64
		err := s.write(ctx, func(tx *sql.Tx) error {
			var err error
			if d, err = readDevelopment(ctx, tx, id); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT previous_id FROM developments WHERE id = ?`, id).Scan(&prev)
		})
		if err != nil {
			t.Fatal(err)
		}
		lab := l.label(id)
		line := fmt.Sprintf("%s: %s / %s %s %s %s", lab, strings.Join(d.A, "+"), strings.Join(d.B, "+"), d.Kind, d.Stage, d.Date)
		if prev.Valid {
			line += " previous=" + l.label(prev.Int64)
		}
		var n int
		fmt.Sscanf(lab, "d%d", &n)
		if n < 1 || n > len(out) {
			t.Fatalf("development %d has label %s beyond the %d developments", id, lab, len(ids))
		}
		out[n-1] = line
	}
	return out
}

func TestRecordInvalid(t *testing.T) {
	s := openTest(t)
	if _, err := s.Record(context.Background(), RecordInput{Article: sources.Article{Title: "no url"}}); err == nil {
		t.Fatal("Record without URL: want an error")
	}
}

func TestUnseen(t *testing.T) {
	s := openTest(t)
	rec(t, s, RecordInput{Article: withCanonical(art("https://a.example/amp/1", "2024-02-21"), "https://a.example/1")})
	rec(t, s, RecordInput{Article: art("https://b.example/2", "2024-02-21")})

	many := make([]string, 1200) // more than one batch
	for i := range many {
		many[i] = fmt.Sprintf("https://n.example/%d", i)
	}
	tests := map[string]struct {
		in, want []string
	}{
		"empty":                   {nil, []string{}},
		"all new keeps order":     {[]string{"https://z.example", "https://y.example"}, []string{"https://z.example", "https://y.example"}},
		"stored URL":              {[]string{"https://x.example", "https://b.example/2", "https://w.example"}, []string{"https://x.example", "https://w.example"}},
		"stored canonical":        {[]string{"https://a.example/1"}, []string{}},
		"stored URL of a variant": {[]string{"https://a.example/amp/1"}, []string{}},
		"repeated URL once":       {[]string{"https://x.example", "https://x.example", "https://b.example/2"}, []string{"https://x.example"}},
		"several batches": {
			append(append([]string{"https://b.example/2"}, many...), "https://a.example/1"),
			many,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := s.Unseen(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unseen (-want +got):\n%s", diff)
			}
		})
	}
}
