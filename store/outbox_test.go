package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wallwatch/worker/sources"
)

// claimSummary names each delivery: "alert #1 featured=URL", "reply #3 URL ts=…".
func claimSummary(ds []Delivery) []string {
	var out []string
	for _, d := range ds {
		if d.Kind == KindAlert {
			out = append(out, fmt.Sprintf("alert #%d featured=%s devs=%d", d.ID, d.Article.URL, len(d.Developments)))
		} else {
			out = append(out, fmt.Sprintf("reply #%d %s thread=%s/%s", d.ID, d.Article.URL, d.Channel, d.ThreadTS))
		}
	}
	return out
}

func claim1(t *testing.T, s *Store, owner string, now time.Time, limit int, alive func(string) bool) []Delivery {
	t.Helper()
	ds, err := s.Claim(context.Background(), owner, now, time.Minute, limit, alive)
	if err != nil {
		t.Fatalf("Claim(%s): %v", owner, err)
	}
	return ds
}

func send(t *testing.T, s *Store, d Delivery, owner string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := s.MarkAttempt(ctx, d.ID, owner, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, d.ID, owner, "C1", fmt.Sprintf("%d.0001", d.ID), now); err != nil {
		t.Fatal(err)
	}
}

func TestClaimOrder(t *testing.T) {
	s := openTest(t)
	x := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")
	y := hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-03")
	rec(t, s, RecordInput{Article: art("https://a.example/x1", "2024-02-21"), Events: []sources.Event{x}, Alert: true}) // #1
	rec(t, s, RecordInput{Article: art("https://a.example/y1", "2024-03-14"), Events: []sources.Event{y}, Alert: true}) // #2
	rec(t, s, RecordInput{Article: art("https://b.example/x2", "2024-02-23"), Events: []sources.Event{x}, Alert: true}) // #3 reply
	rec(t, s, RecordInput{Article: art("https://c.example/x3", "2024-02-22"), Events: []sources.Event{x}, Alert: true}) // #4 reply

	got := claimSummary(claim1(t, s, "w1", t0, 10, nil))
	want := []string{"alert #1 featured=https://a.example/x1 devs=1", "alert #2 featured=https://a.example/y1 devs=1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	ds := claim1(t, s, "w1", t0, 10, nil) // w1 may claim its own rows again
	send(t, s, ds[0], "w1", t0)

	got = claimSummary(claim1(t, s, "w1", t0, 10, nil))
	want = []string{
		"alert #2 featured=https://a.example/y1 devs=1",
		"reply #4 https://c.example/x3 thread=C1/1.0001", // published 02-22
		"reply #3 https://b.example/x2 thread=C1/1.0001", // published 02-23
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("after sending #1 (-want +got):\n%s", diff)
	}
	if got := claimSummary(claim1(t, s, "w1", t0, 2, nil)); len(got) != 2 || got[1] != want[1] {
		t.Errorf("limit 2: got %v, want the alert and the first reply", got)
	}
}

func TestClaimDelivery(t *testing.T) {
	s := openTest(t)
	a := art("https://a.example/1", "2024-09-03")
	a.Lang, a.SiteName = "zh", "Kuaibao"
	rec(t, s, RecordInput{Source: "zh-feed", Article: art("https://early.example/plan", "2024-08-01"), Events: []sources.Event{
		hl("Taote", "WeChat Pay", payment, announced, "2024-08"),
	}, Alert: true})
	rec(t, s, RecordInput{Source: "zh-feed", Article: a, Events: []sources.Event{
		hl("Taote", "WeChat Pay", payment, testing_, "2024-08"),
		bg("Taobao", "WeChat Pay", payment, testing_, "2022-03"),
		hl("Taote", "WeChat Mini Programs", sources.KindMiniProgram, launched, "2024-08"),
	}, Alert: true})

	// The later step waits for the first to be posted, so it can link it.
	ds := claim1(t, s, "w1", t0, 10, nil)
	if got := claimSummary(ds); !slices.Equal(got, []string{"alert #1 featured=https://early.example/plan devs=1"}) {
		t.Fatalf("first claim: %v, want only the first step", got)
	}
	send(t, s, ds[0], "w1", t0)
	ds = claim1(t, s, "w1", t0.Add(time.Second), 10, nil)
	want := []Delivery{{
		ID: 2, Kind: KindAlert,
		Developments: []Development{
			// The article's mini program is of the kinds of its payment: one development.
			{Pair: sources.DefaultPair, A: []string{"Taote"}, B: []string{"WeChat Mini Programs", "WeChat Pay"}, Kind: payment, Stage: testing_,
				Date: date("2024-08"), Evidence: "Taote testing WeChat Pay"},
		},
		Article:  ArticleRef{URL: a.URL, Title: a.Title, Source: "zh-feed", SiteName: "Kuaibao", Lang: "zh", Published: a.Published},
		Previous: &PostedRef{Channel: "C1", TS: "1.0001", Stage: announced, Date: date("2024-08-01")},
		Was:      announced,
	}}
	opts := cmp.Options{
		cmpopts.IgnoreFields(Development{}, "ID"), cmpopts.IgnoreFields(ArticleRef{}, "ID"),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	}
	if diff := cmp.Diff(want, ds, opts); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if got := ds[0].Article.Published.Format("2006-01-02 -07:00"); got != "2024-09-03 +08:00" {
		t.Errorf("published = %s, want the page's own day and offset 2024-09-03 +08:00", got)
	}
}

func TestClaimLeases(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) *Store {
		s := openTest(t)
		for i, e := range []sources.Event{
			hl("Taobao", "WeChat Pay", payment, testing_, "2024-02"),
			hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-03"),
			hl("Tmall", "Moments", sources.KindAdvertising, launched, "2024-04"),
		} {
			rec(t, s, RecordInput{Article: art(fmt.Sprintf("https://a.example/%d", i), "2024-03-01"), Events: []sources.Event{e}, Alert: true})
		}
		return s
	}
	ids := func(ds []Delivery) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	allAlive := func(string) bool { return true }

	t.Run("two owners never get the same row", func(t *testing.T) {
		s := setup(t)
		a := ids(claim1(t, s, "host:1:a", t0, 2, allAlive))
		b := ids(claim1(t, s, "host:2:b", t0, 10, allAlive))
		c := ids(claim1(t, s, "host:3:c", t0, 10, allAlive))
		if diff := cmp.Diff([][]int64{{1, 2}, {3}, nil}, [][]int64{a, b, c}); diff != "" {
			t.Errorf("claims (-want +got):\n%s", diff)
		}
	})
	t.Run("a dead owner's lease is taken over at once", func(t *testing.T) {
		s := setup(t)
		claim1(t, s, "host:1:a", t0, 10, nil)
		var asked []string
		alive := func(o string) bool { asked = append(asked, o); return o != "host:1:a" }
		got := ids(claim1(t, s, "host:2:b", t0.Add(time.Second), 10, alive))
		if diff := cmp.Diff([]int64{1, 2, 3}, got); diff != "" {
			t.Errorf("takeover (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"host:1:a"}, asked); diff != "" {
			t.Errorf("alive asked about (-want +got):\n%s", diff)
		}
		if err := s.MarkSent(ctx, 1, "host:1:a", "C", "1.1", t0); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("MarkSent by the old owner: %v, want ErrLeaseLost", err)
		}
		if err := s.MarkAttempt(ctx, 1, "host:2:b", t0); err != nil {
			t.Errorf("MarkAttempt by the new owner: %v", err)
		}
	})
	t.Run("a live owner keeps its lease until it ends", func(t *testing.T) {
		s := setup(t)
		claim1(t, s, "host:1:a", t0, 10, nil) // one-minute lease
		if got := ids(claim1(t, s, "host:2:b", t0.Add(59*time.Second), 10, allAlive)); got != nil {
			t.Errorf("within the lease: got %v, want none", got)
		}
		if got := ids(claim1(t, s, "host:2:b", t0.Add(60*time.Second), 10, allAlive)); len(got) != 3 {
			t.Errorf("after the lease: got %v, want all three", got)
		}
	})
	t.Run("released rows are free at once", func(t *testing.T) {
		s := setup(t)
		claim1(t, s, "host:1:a", t0, 10, nil)
		if err := s.Release(ctx, "host:1:a"); err != nil {
			t.Fatal(err)
		}
		if got := ids(claim1(t, s, "host:2:b", t0, 10, allAlive)); len(got) != 3 {
			t.Errorf("after release: got %v, want all three", got)
		}
	})
	t.Run("a retry waits for its time", func(t *testing.T) {
		s := setup(t)
		ds := claim1(t, s, "w", t0, 1, nil)
		if err := s.MarkAttempt(ctx, ds[0].ID, "w", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRetry(ctx, ds[0].ID, "w", "slack: ratelimited", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := ids(claim1(t, s, "w", t0.Add(time.Minute), 10, nil)); !slices.Equal(got, []int64{2, 3}) {
			t.Errorf("before the retry time: got %v, want [2 3]", got)
		}
		s.Release(ctx, "w")
		ds = claim1(t, s, "w", t0.Add(time.Hour), 1, nil)
		if len(ds) != 1 || ds[0].ID != 1 || ds[0].Attempts != 1 || !ds[0].FirstAttempt.Equal(t0) {
			t.Errorf("at the retry time: got %+v, want #1 with 1 attempt first at %v", ds, t0)
		}
		n, err := s.PendingCount(ctx)
		if err != nil || n != 3 {
			t.Errorf("PendingCount = %d, %v; want 3 (a retried alert is never dropped)", n, err)
		}
	})
}

func TestMarksNeedTheLease(t *testing.T) {
	ctx := context.Background()
	marks := map[string]func(s *Store, id int64, owner string) error{
		"attempt": func(s *Store, id int64, owner string) error { return s.MarkAttempt(ctx, id, owner, t0) },
		"sent":    func(s *Store, id int64, owner string) error { return s.MarkSent(ctx, id, owner, "C", "1.1", t0) },
		"retry":   func(s *Store, id int64, owner string) error { return s.MarkRetry(ctx, id, owner, "x", t0) },
		"skipped": func(s *Store, id int64, owner string) error { return s.MarkSkipped(ctx, id, owner, "x") },
	}
	cases := map[string]struct {
		setup func(t *testing.T, s *Store) // leaves reply #2 in some state
		owner string
	}{
		"leased by another": {func(t *testing.T, s *Store) { claim1(t, s, "b", t0, 10, nil) }, "a"},
		"never leased":      {func(t *testing.T, s *Store) {}, "a"},
		"released":          {func(t *testing.T, s *Store) { claim1(t, s, "a", t0, 10, nil); s.Release(ctx, "a") }, "a"},
		"already sent": {func(t *testing.T, s *Store) {
			claim1(t, s, "a", t0, 10, nil)
			if err := s.MarkSent(ctx, 2, "a", "C", "2.2", t0); err != nil {
				t.Fatal(err)
			}
		}, "a"},
		"no such delivery": {func(t *testing.T, s *Store) {}, "a"},
	}
	for cname, c := range cases {
		for mname, mark := range marks {
			t.Run(cname+"/"+mname, func(t *testing.T) {
				s := openTest(t)
				e := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")
				rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"), Events: []sources.Event{e}, Alert: true})
				rec(t, s, RecordInput{Article: art("https://b.example/2", "2024-02-22"), Events: []sources.Event{e}, Alert: true})
				claim1(t, s, "a", t0, 1, nil)
				send(t, s, Delivery{ID: 1}, "a", t0) // the alert, so that reply #2 becomes claimable
				c.setup(t, s)
				id := int64(2)
				if cname == "no such delivery" {
					id = 99
				}
				if err := mark(s, id, c.owner); !errors.Is(err, ErrLeaseLost) {
					t.Errorf("got %v, want ErrLeaseLost", err)
				}
			})
		}
	}
	t.Run("alerts cannot be skipped", func(t *testing.T) {
		s := openTest(t)
		rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")}, Alert: true})
		claim1(t, s, "a", t0, 1, nil)
		if err := s.MarkSkipped(ctx, 1, "a", "webhook"); !errors.Is(err, ErrNotReply) {
			t.Errorf("got %v, want ErrNotReply", err)
		}
	})
}

func TestFeaturedArticle(t *testing.T) {
	ctx := context.Background()
	x := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02")
	y := hl("Taobao", "WeChat Pay", payment, launched, "2024-02") // joins only as a near-duplicate

	t.Run("the earliest published is featured; its reply is skipped, the recording article gets one", func(t *testing.T) {
		s := openTest(t)
		rec(t, s, RecordInput{Article: art("https://a.example/rec", "2024-02-21"), Events: []sources.Event{x}, Alert: true})   // alert #1
		rec(t, s, RecordInput{Article: art("https://b.example/early", "2024-02-20"), Events: []sources.Event{x}, Alert: true}) // reply #2
		rec(t, s, RecordInput{Article: art("https://c.example/undated", ""), Events: []sources.Event{x}, Alert: true})         // reply #3
		ds := claim1(t, s, "w", t0, 10, nil)
		if got := claimSummary(ds); !slices.Equal(got, []string{"alert #1 featured=https://b.example/early devs=1"}) {
			t.Fatalf("claim: %v", got)
		}
		send(t, s, ds[0], "w", t0)
		ds = claim1(t, s, "w", t0, 10, nil)
		want := []string{
			"reply #4 https://a.example/rec thread=C1/1.0001",
			"reply #3 https://c.example/undated thread=C1/1.0001",
		}
		if diff := cmp.Diff(want, claimSummary(ds)); diff != "" {
			t.Errorf("replies (-want +got):\n%s", diff)
		}
		for _, d := range ds {
			send(t, s, d, "w", t0)
		}
		if n, err := s.PendingCount(ctx); err != nil || n != 0 {
			t.Errorf("PendingCount = %d, %v; want 0", n, err)
		}
		var state string
		if err := s.db.QueryRow(`SELECT state FROM outbox WHERE id = 2`).Scan(&state); err != nil || state != "skipped" {
			t.Errorf("reply of the featured article: state %q, %v; want skipped", state, err)
		}
	})
	t.Run("unknown dates last, then the first recorded", func(t *testing.T) {
		s := openTest(t)
		rec(t, s, RecordInput{Article: art("https://a.example/p", ""), Events: []sources.Event{x}, Alert: true})
		rec(t, s, RecordInput{Article: art("https://b.example/q", ""), Events: []sources.Event{x}, Alert: true})
		if got := claimSummary(claim1(t, s, "w", t0, 1, nil)); got[0] != "alert #1 featured=https://a.example/p devs=1" {
			t.Errorf("two undated: %v", got)
		}
		rec(t, s, RecordInput{Article: art("https://c.example/r", "2024-02-25"), Events: []sources.Event{x}, Alert: true})
		// The dated report takes in the storyline of the undated ones.
		if got := claimSummary(claim1(t, s, "w", t0, 1, nil)); got[0] != "alert #3 featured=https://c.example/r devs=1" {
			t.Errorf("a dated one joins: %v", got)
		}
	})
	t.Run("among all the developments of the alert", func(t *testing.T) {
		s := openTest(t)
		d := hl("DingTalk", "WeChat", sources.KindWorkplace, launched, "2024-02")
		rec(t, s, RecordInput{Article: art("https://a.example/both", "2024-02-21"), Events: []sources.Event{x, d}, Alert: true})
		rec(t, s, RecordInput{Article: art("https://b.example/second", "2024-02-19"), Events: []sources.Event{d}, Alert: true})
		if got := claimSummary(claim1(t, s, "w", t0, 1, nil)); got[0] != "alert #1 featured=https://b.example/second devs=2" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("fixed once a post was attempted", func(t *testing.T) {
		s := openTest(t)
		a := art("https://a.example/rec", "2024-02-21")
		rec(t, s, RecordInput{Article: a, Events: []sources.Event{x}, Alert: true})
		ds := claim1(t, s, "w", t0, 1, nil)
		if err := s.MarkAttempt(ctx, ds[0].ID, "w", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRetry(ctx, ds[0].ID, "w", "timeout", t0); err != nil {
			t.Fatal(err)
		}
		// An earlier-published near-duplicate arrives after the attempt.
		rec(t, s, RecordInput{Article: withText(art("https://b.example/early", "2024-02-20"), a), Events: []sources.Event{y}, Alert: true})
		ds = claim1(t, s, "w", t0, 1, nil)
		if got := claimSummary(ds); got[0] != "alert #1 featured=https://a.example/rec devs=1" || ds[0].Attempts != 1 {
			t.Errorf("got %v with %d attempts, want the first featured article kept and 1 attempt", got, ds[0].Attempts)
		}
	})
}

func TestClaimInvalid(t *testing.T) {
	s := openTest(t)
	if _, err := s.Claim(context.Background(), "", t0, time.Minute, 1, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty owner: %v, want ErrInvalid", err)
	}
	if ds, err := s.Claim(context.Background(), "w", t0, time.Minute, 0, nil); err != nil || ds != nil {
		t.Errorf("limit 0: %v, %v; want nothing", ds, err)
	}
}
