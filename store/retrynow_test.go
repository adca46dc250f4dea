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
