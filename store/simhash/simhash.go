// Package simhash computes 64-bit SimHash fingerprints of text, so that two
// rewrites of one story (syndicated copies, light edits, another outlet's
// version of a wire report) can be told apart from unrelated stories by the
// Hamming distance of their fingerprints.
package simhash

import (
	"math/bits"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Shingle is the number of runes in each shingle of normalised text.
const Shingle = 3

// NearDuplicate is the largest Hamming distance at which two fingerprints
// are taken for the same story.
const NearDuplicate = 10

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Normalize folds text for fingerprinting: full-width forms to their narrow
// equivalents, lower case, letters and digits kept, every run of anything
// else (spaces, punctuation, symbols) turned into one space.
func Normalize(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading separators
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// Fingerprint returns the SimHash of text over rune shingles of its
// normalised form, each shingle's UTF-8 bytes hashed with 64-bit FNV-1a and
// counted once however often it occurs. Text with no letters or digits has
// the fingerprint 0.
func Fingerprint(text string) uint64 {
	s := Normalize(text)
	if s == "" {
		return 0
	}
	starts := make([]int, 0, len(s)+1) // byte offset of every rune, then len(s)
	for i := range s {
		starts = append(starts, i)
	}
	runes := len(starts)
	starts = append(starts, len(s))
	seen := newSet(runes)
	var c bitCounter
	for i := 0; i == 0 || i+Shingle <= runes; i++ {
		h := uint64(fnvOffset)
		for _, b := range []byte(s[starts[i]:starts[min(i+Shingle, runes)]]) {
			h ^= uint64(b)
			h *= fnvPrime
		}
		if h = mix(h); seen.add(h) {
			c.add(h)
		}
	}
	return c.majority()
}

// set is an open-addressing hash set of shingle hashes (already mixed,
// so their low bits index the table directly).
type set struct {
	slots []uint64 // 0 is an empty slot; the hash 0 is kept in zero
	mask  uint64
	zero  bool
}

func newSet(n int) *set {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return &set{slots: make([]uint64, size), mask: uint64(size - 1)}
}

// add inserts h and reports whether it was new.
func (t *set) add(h uint64) bool {
	if h == 0 {
		added := !t.zero
		t.zero = true
		return added
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i] {
		case h:
			return false
		case 0:
			t.slots[i] = h
			return true
		}
	}
}

// bitCounter counts, for each of 64 bit positions, the hashes that have
// the bit set: eight positions at a time, one byte-wide lane each, moved
// into the totals before a lane can overflow.
type bitCounter struct {
	lanes  [8]uint64 // lanes[k] byte j counts bit 8k+j
	inLane int
	ones   [64]int
	total  int
}

// spread[b] has byte j set to bit j of b.
var spread = func() (t [256]uint64) {
	for b := range t {
		for j := range 8 {
			if b&(1<<j) != 0 {
				t[b] |= 1 << (8 * j)
			}
		}
	}
	return t
}()

func (c *bitCounter) add(h uint64) {
	for k := range c.lanes {
		c.lanes[k] += spread[byte(h>>(8*k))]
	}
	c.total++
	if c.inLane++; c.inLane == 255 {
		c.drain()
	}
}

func (c *bitCounter) drain() {
	for k, l := range c.lanes {
		for j := range 8 {
			c.ones[8*k+j] += int(byte(l >> (8 * j)))
		}
	}
	c.lanes, c.inLane = [8]uint64{}, 0
}

// majority sets each bit that more than half the hashes have.
func (c *bitCounter) majority() uint64 {
	c.drain()
	var fp uint64
	for bit, n := range c.ones {
		if 2*n > c.total {
			fp |= 1 << bit
		}
	}
	return fp
}

// mix is MurmurHash3's 64-bit finaliser. FNV-1a alone diffuses the few
// bytes of a shingle poorly into the high bits, which pulls unrelated texts
// of one language towards the same fingerprint.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Distance returns the Hamming distance between two fingerprints: the
// number of bits in which they differ, 0 to 64.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Near reports whether two fingerprints are within NearDuplicate bits.
func Near(a, b uint64) bool { return Distance(a, b) <= NearDuplicate }
