// Package charset turns the bytes of a web page in any character encoding
// into UTF-8.
//
// The encoding is taken, in order, from a byte-order mark, the charset of
// the HTTP Content-Type header, a <meta charset> or <meta http-equiv> tag in
// the first 4 KiB, and finally statistical detection. A declaration is only
// trusted when the bytes agree with it: a page that says UTF-8 but is not
// valid UTF-8 is detected instead, and a page that says GBK but is valid
// UTF-8 is read as UTF-8.
package charset

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Names of the encodings DecodeHTML reports most often.
const (
	UTF8        = "utf-8"
	GB18030     = "gb18030"
	Windows1252 = "windows-1252"
)

// ErrUnknown is returned by DecodeHTMLLabel for a label no decoder exists for.
var ErrUnknown = errors.New("unknown charset")

// metaScanLimit is how much of the page is searched for a <meta> charset
// declaration. Browsers look at 1024 bytes; real pages (archived copies,
// long <head> preambles) put it further down.
const metaScanLimit = 4096

// detectLimit caps the bytes handed to statistical detection.
const detectLimit = 64 << 10

// gbFamily are the labels decoded as GB18030, a superset of GBK and GB2312.
// x/text's GBK decoder does not decode GB18030's four-byte sequences, and
// pages labelled gbk or gb2312 routinely contain them.
var gbFamily = map[string]bool{
	"gbk": true, "gb2312": true, "x-gbk": true, "cp936": true, "euc-cn": true,
	"gb18030": true, "gb_2312": true, "gb_2312-80": true, "chinese": true,
	"csgb2312": true, "csiso58gb231280": true, "iso-ir-58": true, "windows-936": true,
	"ms936": true, "gb-18030": true,
}

// Lookup returns the decoder for a charset label and its canonical name.
// gbk, gb2312, x-gbk, cp936, euc-cn and gb18030 all map to GB18030. Labels
// that name no usable decoder (including WHATWG's "replacement") give false.
func Lookup(label string) (encoding.Encoding, string, bool) {
	l := strings.ToLower(strings.Trim(label, " \t\n\r\f\"'"))
	if l == "" {
		return nil, "", false
	}
	if gbFamily[l] {
		return simplifiedchinese.GB18030, GB18030, true
	}
	if l == "utf8" || l == UTF8 {
		return unicode.UTF8, UTF8, true
	}
	e, err := htmlindex.Get(l)
	if err != nil || e == nil {
		return nil, "", false
	}
	name, err := htmlindex.Name(e)
	if err != nil || name == "replacement" {
		return nil, "", false
	}
	if name == UTF8 {
		return unicode.UTF8, UTF8, true
	}
	if name == "gbk" {
		return simplifiedchinese.GB18030, GB18030, true
	}
	return e, name, true
}

// DecodeHTML returns an HTML body as UTF-8 and the encoding it used.
//
// Order: byte-order mark → charset in contentType (the HTTP header, may be
// "") → <meta charset>/<meta http-equiv> in the first 4 KiB → UTF-8 when the
// bytes are valid UTF-8 → statistical detection → GB18030 for bytes that look
// like double-byte Chinese, else windows-1252. A declaration the bytes
// contradict is skipped. Valid UTF-8 input comes back as the same slice,
// without copying; a UTF-8 byte-order mark is sliced off.
func DecodeHTML(body []byte, contentType string) (out []byte, enc string, err error) {
	if b, name, ok := decodeBOM(body); ok {
		return b, name, nil
	}
	if label := headerCharset(contentType); label != "" {
		if out, name, ok := tryDeclared(body, label); ok {
			return out, name, nil
		}
	}
	if label := metaCharset(body); label != "" {
		if out, name, ok := tryDeclared(body, label); ok {
			return out, name, nil
		}
	}
	if out, ok := asUTF8(body); ok {
		return out, UTF8, nil
	}
	e, name := detect(body)
	out, err = decodeWith(e, body)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

// DecodeHTMLLabel decodes body with the encoding a label names, for callers
// that know the encoding from elsewhere (an XML declaration).
func DecodeHTMLLabel(body []byte, label string) ([]byte, string, error) {
	e, name, ok := Lookup(label)
	if !ok {
		return nil, "", fmt.Errorf("charset %q: %w", label, ErrUnknown)
	}
	if name == UTF8 {
		out, _ := asUTF8(body)
		if out == nil {
			out = bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		return out, name, nil
	}
	out, err := decodeWith(e, body)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

// decodeBOM handles a leading byte-order mark.
func decodeBOM(body []byte) ([]byte, string, bool) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		rest := body[3:]
		if utf8.Valid(rest) {
			return rest, UTF8, true
		}
		return bytes.ToValidUTF8(rest, []byte("\uFFFD")), UTF8, true
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		out, err := decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), body[2:])
		return out, "utf-16be", err == nil
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		out, err := decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), body[2:])
		return out, "utf-16le", err == nil
	}
	return nil, "", false
}

// headerCharset returns the charset parameter of a Content-Type value.
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err == nil {
		return params["charset"]
	}
	// Malformed header: look for charset= by hand.
	i := strings.Index(strings.ToLower(contentType), "charset=")
	if i < 0 {
		return ""
	}
	v := contentType[i+len("charset="):]
	if j := strings.IndexAny(v, "; "); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, "\"'")
}

// tryDeclared decodes body with a declared encoding when the bytes do not
// contradict the declaration.
func tryDeclared(body []byte, label string) ([]byte, string, bool) {
	e, name, ok := Lookup(label)
	if !ok {
		return nil, "", false
	}
	if strings.HasPrefix(name, "utf-16") {
		// A UTF-16 page without a byte-order mark that still declares it in
		// ASCII is really ASCII-compatible (HTML standard: treat as UTF-8).
		name = UTF8
	}
	if name == UTF8 {
		out, ok := asUTF8(body)
		return out, UTF8, ok
	}
	// A legacy label on bytes that are (nearly all) valid UTF-8 with
	// non-ASCII text: the label is wrong, since legacy multi-byte text is
	// almost never valid UTF-8.
	if out, ok := asUTF8(body); ok && hasNonASCII(body) {
		return out, UTF8, true
	}
	out, err := decodeWith(e, body)
	if err != nil {
		return nil, "", false
	}
	if !cleanDecode(body, out) {
		return nil, "", false
	}
	return out, name, true
}

// asUTF8 reports whether body should be read as UTF-8: valid, or with only a
// few stray bytes among many well-formed multi-byte sequences. Stray bytes
// are replaced with U+FFFD (which copies); valid input is returned as is.
func asUTF8(body []byte) ([]byte, bool) {
	if utf8.Valid(body) {
		return body, true
	}
	if len(body) > 64 && !utf8.Valid(body[:len(body)/8]) && !utf8.Valid(body[len(body)-len(body)/8:]) {
		// Invalid early and late: not worth counting. A few stray bytes in
		// a UTF-8 page are rarely spread out like that.
		multi, bad := utf8Stats(body[:len(body)/8])
		if bad*8 > multi {
			return nil, false
		}
	}
	multi, bad := utf8Stats(body)
	if multi >= 8*bad && multi >= 8 {
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), true
	}
	return nil, false
}

// utf8Stats counts well-formed multi-byte UTF-8 sequences and invalid bytes.
func utf8Stats(b []byte) (multi, bad int) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			multi++
		}
		i += n
	}
	return multi, bad
}

// cleanDecode reports whether decoding produced few replacement characters
// relative to the non-ASCII text decoded.
func cleanDecode(in, out []byte) bool {
	high := 0
	for _, c := range in {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return true
	}
	repl := bytes.Count(out, []byte("\uFFFD")) - bytes.Count(in, []byte("\uFFFD"))
	// Allow a little damage (truncated pages, one odd byte) but not a wrong
	// encoding, which turns a large share of the text into U+FFFD.
	return repl*50 <= high
}

// decodeWith transcodes body to UTF-8.
func decodeWith(e encoding.Encoding, body []byte) ([]byte, error) {
	if e == unicode.UTF8 || e == encoding.Nop {
		if utf8.Valid(body) {
			return body, nil
		}
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, nil
}

// metaCharset finds the charset a <meta> tag declares in the first 4 KiB,
// skipping comments, scripts and other tags that carry a charset attribute.
func metaCharset(body []byte) string {
	head := body
	if len(head) > metaScanLimit {
		head = head[:metaScanLimit]
	}
	if !containsFold(head, "charset") {
		return ""
	}
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				if string(name) == "body" {
					return ""
				}
				continue
			}
			var charset, content string
			var httpEquiv bool
			for {
				k, v, more := z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "charset":
					charset = string(v)
				case "content":
					content = string(v)
				case "http-equiv":
					httpEquiv = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
				}
				if !more {
					break
				}
			}
			if charset != "" {
				return strings.TrimSpace(charset)
			}
			if httpEquiv && content != "" {
				if c := contentCharset(content); c != "" {
					return c
				}
			}
		}
	}
}

// contentCharset extracts charset=X from a meta content attribute, following
// the HTML standard's lenient algorithm.
func contentCharset(s string) string {
	l := strings.ToLower(s)
	i := strings.Index(l, "charset")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len("charset"):], " \t\n\r\f")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\n\r\f")
	if rest == "" {
		return ""
	}
	if q := rest[0]; q == '"' || q == '\'' {
		if j := strings.IndexByte(rest[1:], q); j >= 0 {
			return rest[1 : 1+j]
		}
		return ""
	}
	if j := strings.IndexAny(rest, " \t\n\r\f;"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// detect guesses the encoding of bytes that are not valid UTF-8 and carry no
// usable declaration.
func detect(body []byte) (encoding.Encoding, string) {
	sample := body
	if len(sample) > detectLimit {
		sample = sample[:detectLimit]
	}
	cjk := cjkLooking(sample)
	if results, err := chardet.NewHtmlDetector().DetectAll(sample); err == nil {
		for _, r := range results {
			if r.Confidence < 30 {
				break
			}
			e, name, ok := Lookup(r.Charset)
			if !ok || name == UTF8 || strings.HasPrefix(name, "utf-") {
				continue
			}
			if cjk && !isCJKEncoding(name) {
				// Single-byte guesses for dense double-byte text are wrong
				// more often than not; fall through to the CJK rule.
				continue
			}
			if out, err := decodeWith(e, sample); err == nil && cleanDecode(sample, out) {
				return e, name
			}
		}
	}
	if cjk {
		return simplifiedchinese.GB18030, GB18030
	}
	e, _, _ := Lookup(Windows1252)
	return e, Windows1252
}

func isCJKEncoding(name string) bool {
	switch name {
	case GB18030, "big5", "shift_jis", "euc-jp", "euc-kr", "iso-2022-jp":
		return true
	}
	return false
}

// cjkLooking reports whether the text outside tags, scripts and styles is
// dominated by runs of valid GB18030-style two-byte sequences (lead
// 0x81–0xFE, trail 0x40–0xFE except 0x7F). Latin-1 text has isolated high
// bytes; Chinese, Japanese and Korean legacy encodings have runs of them.
func cjkLooking(b []byte) bool {
	high, inRuns := 0, 0
	run := 0 // consecutive two-byte sequences seen
	endRun := func() {
		if run >= 2 {
			inRuns += 2 * run
		}
		run = 0
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '<' {
			endRun()
			i = skipMarkup(b, i)
			continue
		}
		if c < 0x80 {
			endRun()
			continue
		}
		if c >= 0x81 && c <= 0xFE && i+1 < len(b) {
			if t := b[i+1]; t >= 0x40 && t <= 0xFE && t != 0x7F {
				high += 2
				run++
				i++
				continue
			}
		}
		high++
		endRun()
	}
	endRun()
	return inRuns >= 16 && inRuns*10 >= high*6
}

// skipMarkup returns the index of the last byte of the tag that starts at
// b[i] ('<'), or of the closing tag of a script or style element.
func skipMarkup(b []byte, i int) int {
	end := bytes.IndexByte(b[i:], '>')
	if end < 0 {
		return len(b) - 1
	}
	tag := b[i+1 : i+end]
	for _, raw := range []string{"script", "style"} {
		if len(tag) >= len(raw) && bytes.EqualFold(tag[:len(raw)], []byte(raw)) {
			closing := indexFold(b[i+end:], "</"+raw)
			if closing < 0 {
				return len(b) - 1
			}
			return i + end + closing
		}
	}
	return i + end
}

// indexFold is a case-insensitive bytes.Index for an ASCII needle.
func indexFold(b []byte, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(b); i++ {
		if b[i] == '<' && bytes.EqualFold(b[i:i+n], []byte(needle)) {
			return i
		}
	}
	return -1
}

// containsFold reports whether b contains the lower-case ASCII word w in any
// letter case.
func containsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		if b[i]|0x20 == w[0] && bytes.EqualFold(b[i:i+len(w)], []byte(w)) {
			return true
		}
	}
	return false
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
