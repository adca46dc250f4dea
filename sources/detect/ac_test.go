package detect

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMatcher checks the automaton against a naive search, on Latin and
// Chinese patterns that overlap, nest and share prefixes and suffixes.
func TestMatcher(t *testing.T) {
	type hit struct{ Start, End, Pid int }
	naive := func(pats []string, s string) []hit {
		var out []hit
		for end := 1; end <= len(s); end++ {
			for pid, p := range pats {
				if end >= len(p) && s[end-len(p):end] == p {
					out = append(out, hit{end - len(p), end, pid})
				}
			}
		}
		return out
	}
	sorted := func(h []hit) []hit {
		slices.SortFunc(h, func(a, b hit) int {
			if a.End != b.End {
				return a.End - b.End
			}
			return a.Pid - b.Pid
		})
		return h
	}
	tests := []struct {
		name string
		pats []string
		text string
	}{
		{"nested names", []string{"wechat", "wechat pay", "pay", "chat"}, "pay with wechat pay in wechat chat"},
		{"chinese longest", []string{"微信", "微信支付", "支付", "支付宝", "信支"}, "淘宝接入微信支付，不是支付宝"},
		{"shared suffixes", []string{"abcd", "bcd", "cd", "d", "bc"}, "abcdbcdxabcd"},
		{"no match", []string{"tmall"}, "taobao"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatcher(tt.pats)
			var got []hit
			m.scan(tt.text, func(start, end int, pid int32) { got = append(got, hit{start, end, int(pid)}) })
			if diff := cmp.Diff(sorted(naive(tt.pats, tt.text)), sorted(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		alpha := []string{"a", "b", "c", "淘", "宝"}
		word := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteString(alpha[r.IntN(len(alpha))])
			}
			return b.String()
		}
		for range 200 {
			seen := map[string]bool{}
			var pats []string
			for range 1 + r.IntN(12) {
				if p := word(1 + r.IntN(4)); !seen[p] {
					seen[p] = true
					pats = append(pats, p)
				}
			}
			text := word(r.IntN(40))
			m := newMatcher(pats)
			var got []hit
			m.scan(text, func(start, end int, pid int32) { got = append(got, hit{start, end, int(pid)}) })
			if diff := cmp.Diff(sorted(naive(pats, text)), sorted(got)); diff != "" {
				t.Fatalf("patterns %q text %q (-want +got):\n%s", pats, text, diff)
			}
		}
	})
}
