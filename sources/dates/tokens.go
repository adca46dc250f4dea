package dates

import (
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token of date text.
type tokKind uint8

const (
	tkNum   tokKind = iota + 1 // a run of digits (ASCII or full-width)
	tkWord                     // a run of letters outside the CJK blocks
	tkHan                      // one CJK character
	tkPunct                    // one punctuation or symbol character
)

// token is one lexical unit of the text, with its byte span.
type token struct {
	start, end int // byte span in the original text
	kind       tokKind
	space      bool // whitespace precedes the token
	ndig       int  // digits of a number
	num        int  // value of a number; -1 when it does not fit
	r          rune // the character of a tkHan or tkPunct (full-width folded)
}

// maxTokens bounds the work on pathological input: dates are read from the
// first maxTokens tokens of a Parse input (FindAll has no bound).
const maxTokens = 4096

// fold maps full-width ASCII variants and ideographic space to ASCII.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// isHan reports whether r is a CJK ideograph or a CJK symbol that stands on
// its own (each is one token).
func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// tokenize splits s into tokens; limit <= 0 means no limit.
func tokenize(s string, limit int, toks []token) []token {
	space := false
	for i := 0; i < len(s); {
		if limit > 0 && len(toks) >= limit {
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		f := fold(r)
		switch {
		case f >= '0' && f <= '9':
			t := token{start: i, kind: tkNum, space: space}
			j := i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				d := fold(r2)
				if d < '0' || d > '9' {
					break
				}
				if t.num >= 0 {
					if t.num > 1e8 {
						t.num = -1
					} else {
						t.num = t.num*10 + int(d-'0')
					}
				}
				t.ndig++
				j += n2
			}
			t.end = j
			toks = append(toks, t)
			i = j
			space = false
			continue
		case f == ' ' || unicode.IsSpace(r) || r == 0xA0:
			space = true
			i += n
			continue
		case isHan(r):
			toks = append(toks, token{start: i, end: i + n, kind: tkHan, space: space, r: r})
		case unicode.IsLetter(f):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				f2 := fold(r2)
				if !unicode.IsLetter(f2) || isHan(r2) {
					break
				}
				j += n2
			}
			toks = append(toks, token{start: i, end: j, kind: tkWord, space: space})
			i = j
			space = false
			continue
		case unicode.IsMark(r):
			// Combining marks belong to the letter before them.
			if k := len(toks) - 1; k >= 0 && toks[k].kind == tkWord && toks[k].end == i {
				toks[k].end = i + n
				i += n
				continue
			}
			toks = append(toks, token{start: i, end: i + n, kind: tkPunct, space: space, r: r})
		default:
			toks = append(toks, token{start: i, end: i + n, kind: tkPunct, space: space, r: f})
		}
		i += n
		space = false
	}
	return toks
}

// lowerWord writes the lower-case form of a word token into buf and returns
// it; words longer than buf come back empty (no date word is that long).
func lowerWord(s string, t token, buf []byte) []byte {
	w := s[t.start:t.end]
	buf = buf[:0]
	for _, r := range w {
		r = unicode.ToLower(fold(r))
		if len(buf)+utf8.RuneLen(r) > cap(buf) {
			return buf[:0]
		}
		buf = utf8.AppendRune(buf, r)
	}
	return buf
}
