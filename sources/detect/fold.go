package detect

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// folded is a piece of text prepared for matching: ASCII letters lowercased,
// full-width forms and typographic quotes and dashes folded to ASCII, an
// intra-word hyphen turned into a space, runs of spaces collapsed. lower and
// cased have the same bytes except for letter case; orig maps each byte
// offset (and the end) back into the source text.
type folded struct {
	lower string
	cased string
	orig  []int32
}

// foldText folds src.
func foldText(src string) folded {
	var lower, cased strings.Builder
	lower.Grow(len(src))
	cased.Grow(len(src))
	orig := make([]int32, 0, len(src)+1)
	emit := func(b byte, at int) {
		cased.WriteByte(b)
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		lower.WriteByte(b)
		orig = append(orig, int32(at))
	}
	space := true // drop leading spaces
	var last byte // the last byte written
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf && c > ' ' && c != '-' && c != '`' {
			// Plain ASCII: the common case.
			emit(c, i)
			last = c
			space = false
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(src[i:])
		at := i
		i += n
		if r >= utf8.RuneSelf {
			if r = foldRune(r); r < 0 {
				continue
			}
		}
		if r == '\t' || r == '\n' || r == '\r' {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
			emit(' ', at)
			last = ' '
			continue
		}
		space = false
		if r == '-' && isLatin(last) && i < len(src) && isLatin(src[i]) {
			r = ' ' // mini-program → mini program, e-commerce → e commerce
		}
		if r < utf8.RuneSelf {
			emit(byte(r), at)
			last = byte(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		m := utf8.EncodeRune(buf[:], r)
		for k := 0; k < m; k++ {
			emit(buf[k], at)
		}
		last = buf[m-1]
	}
	lo, ca := lower.String(), cased.String()
	n := len(lo)
	for n > 0 && lo[n-1] == ' ' {
		n--
	}
	orig = append(orig[:n], int32(len(src)))
	return folded{lower: lo[:n], cased: ca[:n], orig: orig}
}

// traditionalTXT holds pairs of a traditional Chinese character and its
// simplified form.
//
//go:embed traditional.txt
var traditionalTXT string

// simplified maps a CJK character (offset from U+4E00) to its simplified
// form, or 0.
var simplified = func() []rune {
	t := make([]rune, 0x9FFF-0x4E00+1)
	var rs []rune
	for line := range strings.Lines(traditionalTXT) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, r := range line {
			if !unicode.IsSpace(r) {
				rs = append(rs, r)
			}
		}
	}
	for i := 0; i+1 < len(rs); i += 2 {
		t[rs[i]-0x4E00] = rs[i+1]
	}
	return t
}()

// foldString folds s and returns its lowercase form.
func foldString(s string) string { return foldText(s).lower }

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func isLatin(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// isHan reports whether r is a CJK ideograph.
func isHan(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF: // the unified ideographs: nearly all text
		return true
	case r < 0x2E80:
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// lastRune returns the rune ending at byte i of s (exclusive), or 0.
func lastRune(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// nextRune returns the rune starting at byte i of s, or 0.
func nextRune(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// trimSentence trims spaces and stray closing punctuation around a sentence.
func trimSentence(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF })
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }
