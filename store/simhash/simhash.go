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
// weighted by how often it occurs. Text with no letters or digits has the
// fingerprint 0.
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
	var v [64]int
	seen := make(map[uint64]struct{}, runes)
	for i := 0; i == 0 || i+Shingle <= runes; i++ {
		h := uint64(fnvOffset)
		for _, c := range []byte(s[starts[i]:starts[min(i+Shingle, runes)]]) {
			h ^= uint64(c)
			h *= fnvPrime
		}
		h = mix(h)
		if _, dup := seen[h]; dup {
			continue
		}
		seen[h] = struct{}{}
		for bit := range 64 {
			if h&(1<<bit) != 0 {
				v[bit]++
			} else {
				v[bit]--
			}
		}
	}
	var fp uint64
	for bit := range 64 {
		if v[bit] > 0 {
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
