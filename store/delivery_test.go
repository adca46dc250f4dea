package store

import (
	"context"
	"testing"
	"time"

	"github.com/wallwatch/worker/sources"
)

func TestRetryNowMakesDeferredDeliveriesDue(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")}, Alert: true, Now: t0})
	ds, err := s.Claim(ctx, "me:1:1", t0, time.Minute, 10, nil)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v, %d", err, len(ds))
	}
	if err := s.MarkAttempt(ctx, ds[0].ID, "me:1:1", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, ds[0].ID, "me:1:1", "503", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Second)
	if ds, _ := s.Claim(ctx, "me:1:1", later, time.Minute, 10, nil); len(ds) != 0 {
		t.Fatalf("a deferred delivery was claimed before its time")
	}
	n, err := s.RetryNow(ctx, later)
	if err != nil || n != 1 {
		t.Fatalf("RetryNow = %d, %v", n, err)
	}
	ds, err = s.Claim(ctx, "me:1:1", later, time.Minute, 10, nil)
	if err != nil || len(ds) != 1 || ds[0].Attempts != 1 {
		t.Fatalf("after RetryNow: %v, %+v", err, ds)
	}
	// A delivery leased by another sender is left alone.
	if n, _ := s.RetryNow(ctx, later); n != 0 {
		t.Errorf("RetryNow touched %d leased rows", n)
	}
}

func TestAlertQuotesTheFeaturedArticlesEvidence(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	later := hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")
	later.Evidence = "淘宝开始测试微信支付。"
	rec(t, s, RecordInput{Article: art("https://zh.example/1", "2024-02-22"), Events: []sources.Event{later}, Alert: true, Now: t0})
	earlier := later
	earlier.Evidence = "Taobao began testing WeChat Pay."
	rec(t, s, RecordInput{Article: art("https://en.example/1", "2024-02-21"), Events: []sources.Event{earlier}, Alert: true, Now: t0})

	ds, err := s.Claim(ctx, "me:1:1", t0, time.Minute, 10, nil)
	if err != nil || len(ds) != 1 || ds[0].Kind != KindAlert {
		t.Fatalf("claim: %v %+v", err, ds)
	}
	if ds[0].Article.URL != "https://en.example/1" || ds[0].Developments[0].Evidence != earlier.Evidence {
		t.Errorf("alert features %s quoting %q; want the earlier article and its own sentence",
			ds[0].Article.URL, ds[0].Developments[0].Evidence)
	}
}

func TestUnconfirmedCountsPostsThatMayHaveLanded(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rec(t, s, RecordInput{Article: art("https://a.example/1", "2024-02-21"),
		Events: []sources.Event{hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageTesting, "2024-02")}, Alert: true, Now: t0})
	const me = "me:1:1"
	claimOne := func() Delivery {
		t.Helper()
		ds, err := s.Claim(ctx, me, t0, time.Minute, 10, nil)
		if err != nil || len(ds) != 1 {
			t.Fatalf("claim: %v, %d", err, len(ds))
		}
		return ds[0]
	}
	d := claimOne()
	if d.Unconfirmed != 0 {
		t.Fatalf("new delivery has %d unconfirmed posts", d.Unconfirmed)
	}
	for _, refused := range []bool{false, true, false} {
		if err := s.MarkAttempt(ctx, d.ID, me, t0); err != nil {
			t.Fatal(err)
		}
		if refused {
			if err := s.MarkRefused(ctx, d.ID, me); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.MarkRetry(ctx, d.ID, me, "503", t0); err != nil {
		t.Fatal(err)
	}
	if d = claimOne(); d.Attempts != 3 || d.Unconfirmed != 2 {
		t.Errorf("attempts %d, unconfirmed %d; want 3 and 2 (one attempt was refused)", d.Attempts, d.Unconfirmed)
	}
	if err := s.MarkRefused(ctx, d.ID, "other:1:1"); err == nil {
		t.Error("MarkRefused without the lease succeeded")
	}
}
