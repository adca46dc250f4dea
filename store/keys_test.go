package store

import (
	"context"
	"slices"
	"testing"

	"github.com/wallwatch/worker/sources"
)

func unseenOf(t *testing.T, s *Store, urls ...string) []string {
	t.Helper()
	out, err := s.Unseen(context.Background(), urls)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestACanonicalOnAnotherSiteNeverMakesThePageItNamesSeen(t *testing.T) {
	s := openTest(t)
	const original = "https://wire.example/2024/09/taobao-wechat-pay"
	teaser := art("https://aggregator.example/t/123", "2024-09-04")
	teaser.Canonical = original
	teaser.Text = "Short teaser: Taobao and WeChat Pay."
	ev := hl("Taobao", "WeChat Pay", sources.KindPayment, sources.StageAnnounced, "2024-09-04")
	rec(t, s, RecordInput{Article: teaser, Alert: true})

	if got := unseenOf(t, s, original, teaser.URL); !slices.Equal(got, []string{original}) {
		t.Fatalf("unseen = %v; want the original, which was never fetched", got)
	}
	// The original, fetched at last, is recorded as itself, with its events.
	orig := art(original, "2024-09-04")
	orig.Canonical = original
	res := rec(t, s, RecordInput{Article: orig, Events: []sources.Event{ev}, Alert: true})
	if res.Duplicate || len(res.Developments) != 1 {
		t.Fatalf("the original: %+v; want it recorded with its development", res)
	}
	if got := unseenOf(t, s, original); len(got) != 0 {
		t.Errorf("once fetched the original is seen: unseen = %v", got)
	}
	// Another aggregator's teaser of the same original is a fetched page
	// that makes the same claim: a duplicate.
	again := art("https://other-aggregator.example/x", "2024-09-04")
	again.Canonical = original
	if res := rec(t, s, RecordInput{Article: again, Alert: true}); !res.Duplicate {
		t.Errorf("a second page with the original as canonical: %+v; want a duplicate", res)
	}
}

func TestACanonicalOnTheSameSiteStandsForThePage(t *testing.T) {
	s := openTest(t)
	a := art("https://www.wire.example/story?from=rss", "2024-09-04")
	a.Canonical = "https://wire.example/story"
	rec(t, s, RecordInput{Article: a})
	if got := unseenOf(t, s, "https://wire.example/story"); len(got) != 0 {
		t.Errorf("unseen = %v; the site's own canonical of a fetched page is seen", got)
	}
	b := art("https://wire.example/story", "2024-09-04")
	if res := rec(t, s, RecordInput{Article: b}); !res.Duplicate {
		t.Errorf("the canonical page itself: %+v; want a duplicate of the fetched page", res)
	}
}
