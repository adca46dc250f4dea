package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSourceLeases(t *testing.T) {
	ctx := context.Background()
	alive := func(string) bool { return true }
	claim := func(t *testing.T, s *Store, owner string, at time.Time, alive func(string) bool) bool {
		t.Helper()
		ok, err := s.ClaimSource(ctx, "feed", owner, at, time.Minute, alive)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	t.Run("one holder until the lease ends, then the next", func(t *testing.T) {
		s := openTest(t)
		if !claim(t, s, "a", t0, alive) {
			t.Fatal("a free source was not claimed")
		}
		if claim(t, s, "b", t0.Add(59*time.Second), alive) {
			t.Fatal("b claimed a source a holds")
		}
		if !claim(t, s, "a", t0.Add(30*time.Second), alive) {
			t.Fatal("a could not renew its lease")
		}
		if claim(t, s, "b", t0.Add(89*time.Second), alive) {
			t.Fatal("b claimed the source before a's renewed lease ended")
		}
		if !claim(t, s, "b", t0.Add(90*time.Second), alive) {
			t.Fatal("b could not take over an ended lease")
		}
		if owner, _, err := s.SourceLease(ctx, "feed"); err != nil || owner != "b" {
			t.Fatalf("holder %q, %v; want b", owner, err)
		}
	})
	t.Run("released or dead holders free the source at once", func(t *testing.T) {
		s := openTest(t)
		claim(t, s, "a", t0, alive)
		if err := s.ReleaseSource(ctx, "feed", "b"); err != nil {
			t.Fatal(err)
		}
		if claim(t, s, "b", t0, alive) {
			t.Fatal("a release by another owner freed the source")
		}
		if err := s.ReleaseSource(ctx, "feed", "a"); err != nil {
			t.Fatal(err)
		}
		if !claim(t, s, "b", t0, alive) {
			t.Fatal("a released source was not claimed")
		}
		if !claim(t, s, "c", t0, func(o string) bool { return o != "b" }) {
			t.Fatal("a dead holder's source was not taken over")
		}
	})
	t.Run("of many claiming together, one gets it", func(t *testing.T) {
		s := openTest(t)
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := range 8 {
			wg.Go(func() {
				ok, err := s.ClaimSource(ctx, "feed", string(rune('a'+i)), t0, time.Minute, alive)
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won, want 1", won.Load())
		}
	})
}
