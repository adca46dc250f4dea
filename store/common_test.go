package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/sources"
)

// t0 is the clock of most tests.
var t0 = time.Date(2024, 9, 4, 12, 0, 0, 0, time.UTC)

var shanghai = time.FixedZone("CST", 8*3600)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), testDatabase(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// art builds an article; published is YYYY-MM-DD (08:00 in Shanghai) or "".
func art(url, published string) sources.Article {
	a := sources.Article{URL: url, Title: "Title of " + url, Lang: "en", SiteName: "Site", Text: randomText(url)}
	if published != "" {
		d, err := time.ParseInLocation("2006-01-02", published, shanghai)
		if err != nil {
			panic(err)
		}
		a.Published = d.Add(8 * time.Hour)
	}
	return a
}

// randomText is 60 random words seeded by seed: texts of different seeds
// are unrelated, so never near-duplicates.
func randomText(seed string) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	r := rand.New(rand.NewPCG(h.Sum64(), 1))
	words := make([]string, 60)
	for i := range words {
		w := make([]byte, 3+r.IntN(6))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(w)
	}
	return strings.Join(words, " ")
}

func ents(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "+")
}

// hl is a headline event: "Taobao+Tmall", "WeChat Pay", kind, stage, date.
func hl(a, b string, kind sources.Kind, stage sources.Stage, date string) sources.Event {
	d, err := sources.ParseDate(date)
	if err != nil {
		panic(err)
	}
	return sources.Event{Pair: sources.DefaultPair, A: ents(a), B: ents(b), Kind: kind, Stage: stage, Date: d,
		Headline: true, Evidence: a + " " + string(stage) + " " + b}
}

// bg is a background event.
func bg(a, b string, kind sources.Kind, stage sources.Stage, date string) sources.Event {
	e := hl(a, b, kind, stage, date)
	e.Headline = false
	return e
}

func rec(t testing.TB, s *Store, in RecordInput) RecordResult {
	t.Helper()
	if in.Now.IsZero() {
		in.Now = t0
	}
	if in.Source == "" {
		in.Source = "test-feed"
	}
	r, err := s.Record(context.Background(), in)
	if err != nil {
		t.Fatalf("Record(%s): %v", in.Article.URL, err)
	}
	return r
}

// outboxSummary describes every outbox row, in id order, as
// "alert URL [dev dev…]" or "reply URL dev parent=#N state", with
// developments named by the labels map.
func outboxSummary(t testing.TB, s *Store, label func(int64) string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.id, o.kind, a.url, o.development_id, COALESCE(o.parent_id, 0), o.state
		FROM outbox o JOIN articles a ON a.id = o.article_id ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		id, dev, parent  int64
		kind, url, state string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.kind, &r.url, &r.dev, &r.parent, &r.state); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range all {
		if r.kind == KindReply {
			out = append(out, fmt.Sprintf("reply %s %s parent=#%d %s", r.url, label(r.dev), r.parent, r.state))
			continue
		}
		var devs []string
		for _, id := range queryInts(t, s, `SELECT id FROM developments WHERE alert_id = ? ORDER BY alert_pos`, r.id) {
			devs = append(devs, label(id))
		}
		if devs[0] != label(r.dev) {
			t.Errorf("alert #%d: primary development %s is not first of %v", r.id, label(r.dev), devs)
		}
		out = append(out, fmt.Sprintf("#%d alert %s [%s] %s", r.id, r.url, strings.Join(devs, " "), r.state))
	}
	return out
}

func queryInts(t testing.TB, s *Store, q string, args ...any) []int64 {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// labeller names development ids d1, d2 … in the order it first sees them.
type labeller struct{ ids []int64 }

func (l *labeller) label(id int64) string {
	i := slices.Index(l.ids, id)
	if i < 0 {
		l.ids = append(l.ids, id)
		i = len(l.ids) - 1
	}
	return fmt.Sprintf("d%d", i+1)
}

func (l *labeller) labels(ids []int64) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, l.label(id))
	}
	return out
}
