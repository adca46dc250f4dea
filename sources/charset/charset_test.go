package charset

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/wallwatch/worker/internal/sharedtest"
)

const zhText = "淘宝正式接入微信支付，用户在淘宝下单时可以选择微信支付付款。阿里巴巴与腾讯的互联互通又向前迈了一步，业内人士认为这对双方都有好处。"

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func page(head, body string) string {
	return "<!DOCTYPE html><html><head>" + head + "<title>T</title></head><body><p>" + body + "</p></body></html>"
}

func TestDecodeHTML(t *testing.T) {
	// Characters outside GBK that GB18030 encodes in four bytes.
	const fourByte = "淘宝€𠀀😀䶮"
	latin := "Müller über die Straße: café, naïve, Ærø — déjà vu à Noël."
	bigText := "淘寶正式接入微信支付，用戶在淘寶下單時可以選擇微信支付付款。阿里巴巴與騰訊的互聯互通又向前邁了一步，業內人士認為這對雙方都有好處。"
	longPad := strings.Repeat("<!-- padding to push the declaration past 1024 bytes -->\n", 30)

	tests := []struct {
		name        string
		body        []byte
		contentType string
		wantEnc     string
		wantText    string
	}{
		{
			name:     "utf-8 undeclared",
			body:     []byte(page("", zhText)),
			wantEnc:  UTF8,
			wantText: zhText,
		},
		{
			name:     "utf-8 with BOM",
			body:     append([]byte{0xEF, 0xBB, 0xBF}, page(`<meta charset="gbk">`, zhText)...),
			wantEnc:  UTF8,
			wantText: zhText,
		},
		{
			name:     "gbk declared in meta charset",
			body:     encode(t, simplifiedchinese.GBK, page(`<meta charset="gbk">`, zhText)),
			wantEnc:  GB18030,
			wantText: zhText,
		},
		{
			name:     "gb2312 declared in http-equiv",
			body:     encode(t, simplifiedchinese.GBK, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, zhText)),
			wantEnc:  GB18030,
			wantText: zhText,
		},
		{
			name:     "gbk label with gb18030 four-byte sequences",
			body:     encode(t, simplifiedchinese.GB18030, page(`<meta charset="gbk">`, zhText+fourByte)),
			wantEnc:  GB18030,
			wantText: zhText + fourByte,
		},
		{
			name:        "gbk declared in header only",
			body:        encode(t, simplifiedchinese.GBK, page("", zhText)),
			contentType: "text/html; charset=GBK",
			wantEnc:     GB18030,
			wantText:    zhText,
		},
		{
			name:        "big5 declared in header",
			body:        encode(t, traditionalchinese.Big5, page("", bigText)),
			contentType: `text/html; charset="big5"`,
			wantEnc:     "big5",
			wantText:    bigText,
		},
		{
			name:     "latin-1 declared",
			body:     encode(t, charmap.ISO8859_1, page(`<meta charset="iso-8859-1">`, latin[:strings.Index(latin, " —")])),
			wantEnc:  Windows1252,
			wantText: latin[:strings.Index(latin, " —")],
		},
		{
			name:     "windows-1252 undeclared",
			body:     encode(t, charmap.Windows1252, page("", latin)),
			wantEnc:  Windows1252,
			wantText: latin,
		},
		{
			name:        "header says utf-8 but bytes are gbk",
			body:        encode(t, simplifiedchinese.GBK, page("", zhText)),
			contentType: "text/html; charset=utf-8",
			wantEnc:     GB18030,
			wantText:    zhText,
		},
		{
			name:        "header says utf-8, meta says gbk, bytes are gbk",
			body:        encode(t, simplifiedchinese.GBK, page(`<meta charset="gbk">`, zhText)),
			contentType: "text/html; charset=utf-8",
			wantEnc:     GB18030,
			wantText:    zhText,
		},
		{
			name:        "header says gbk but bytes are utf-8",
			body:        []byte(page("", zhText)),
			contentType: "text/html; charset=gbk",
			wantEnc:     UTF8,
			wantText:    zhText,
		},
		{
			name:     "gbk undeclared",
			body:     encode(t, simplifiedchinese.GBK, page("", zhText)),
			wantEnc:  GB18030,
			wantText: zhText,
		},
		{
			name:     "meta after the first 1024 bytes",
			body:     encode(t, simplifiedchinese.GBK, "<html><head>"+longPad+`<meta charset="gb2312"><title>T</title></head><body><p>`+zhText+"</p></body></html>"),
			wantEnc:  GB18030,
			wantText: zhText,
		},
		{
			name:     "charset on a script tag is not a declaration",
			body:     encode(t, charmap.Windows1252, `<html><head><script charset="utf-8" src="x.js"></script><!-- <meta charset="big5"> --><meta charset="windows-1252"></head><body><p>`+latin+`</p></body></html>`),
			wantEnc:  Windows1252,
			wantText: latin,
		},
		{
			name:     "utf-8 page with one stray byte",
			body:     append([]byte(page("", zhText+zhText)), 0xFF),
			wantEnc:  UTF8,
			wantText: zhText + zhText,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, enc, err := DecodeHTML(tt.body, tt.contentType)
			if err != nil {
				t.Fatalf("DecodeHTML: %v", err)
			}
			if enc != tt.wantEnc {
				t.Errorf("encoding = %q, want %q", enc, tt.wantEnc)
			}
			if !utf8.Valid(out) {
				t.Errorf("output is not valid UTF-8")
			}
			if !bytes.Contains(out, []byte(tt.wantText)) {
				t.Errorf("output does not contain %q:\n%s", tt.wantText, out)
			}
		})
	}
}

func TestDecodeHTMLValidUTF8IsNotCopied(t *testing.T) {
	body := []byte(page(`<meta charset="utf-8">`, zhText))
	for _, ct := range []string{"", "text/html", "text/html; charset=utf-8"} {
		out, enc, err := DecodeHTML(body, ct)
		if err != nil || enc != UTF8 {
			t.Fatalf("DecodeHTML(%q) = %q, %v", ct, enc, err)
		}
		if &out[0] != &body[0] || len(out) != len(body) {
			t.Errorf("content type %q: valid UTF-8 was copied", ct)
		}
	}
	bom := append([]byte{0xEF, 0xBB, 0xBF}, body...)
	out, _, _ := DecodeHTML(bom, "")
	if &out[0] != &bom[3] {
		t.Errorf("UTF-8 after a BOM was copied")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		label    string
		wantName string
		wantOK   bool
	}{
		{"gbk", GB18030, true},
		{"GB2312", GB18030, true},
		{"x-gbk", GB18030, true},
		{"cp936", GB18030, true},
		{"EUC-CN", GB18030, true},
		{"gb18030", GB18030, true},
		{" utf-8 ", UTF8, true},
		{"UTF8", UTF8, true},
		{"big5", "big5", true},
		{"big5-hkscs", "big5", true},
		{"iso-8859-1", Windows1252, true},
		{"latin1", Windows1252, true},
		{"shift_jis", "shift_jis", true},
		{"euc-kr", "euc-kr", true},
		{"hz-gb-2312", "", false},
		{"no-such-charset", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			e, name, ok := Lookup(tt.label)
			if ok != tt.wantOK || name != tt.wantName {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.label, name, ok, tt.wantName, tt.wantOK)
			}
			if ok && e == nil {
				t.Errorf("Lookup(%q) returned a nil encoding", tt.label)
			}
		})
	}
	// The GB family must decode four-byte sequences, which x/text's GBK
	// decoder does not.
	e, _, _ := Lookup("gbk")
	const s = "淘宝€𠀀😀䶮"
	got, err := e.NewDecoder().Bytes(encode(t, simplifiedchinese.GB18030, s))
	if err != nil || string(got) != s {
		t.Errorf("gbk decoder: got %q, %v; want %q", got, err, s)
	}
}

func TestDecodeHTMLLabel(t *testing.T) {
	got, name, err := DecodeHTMLLabel(encode(t, simplifiedchinese.GBK, zhText), "gb2312")
	if err != nil || name != GB18030 || string(got) != zhText {
		t.Errorf("DecodeHTMLLabel = %q, %q, %v", got, name, err)
	}
	if _, _, err := DecodeHTMLLabel([]byte("x"), "bogus"); err == nil {
		t.Errorf("DecodeHTMLLabel with an unknown label: no error")
	}
}

// TestDecodeCorpus decodes every corpus page as a server that sends no
// charset would deliver it, once as is and once with the page's own
// declaration removed (statistical detection).
func TestDecodeCorpus(t *testing.T) {
	dir := sharedtest.Path(t, "corpus")
	raw, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var labels []struct {
		ID, File, Charset, Title string
	}
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"utf-8": UTF8, "gbk": GB18030, "gb18030": GB18030}
	for _, l := range labels {
		t.Run(l.ID, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, l.File))
			if err != nil {
				t.Fatal(err)
			}
			stripped := bytes.ReplaceAll(body, []byte("charset="), []byte("charzet="))
			for variant, b := range map[string][]byte{"declared": body, "undeclared": stripped} {
				out, enc, err := DecodeHTML(b, "text/html")
				if err != nil {
					t.Fatalf("%s: %v", variant, err)
				}
				if diff := cmp.Diff(want[l.Charset], enc); diff != "" {
					t.Errorf("%s: encoding (-want +got):\n%s", variant, diff)
				}
				if !strings.Contains(html.UnescapeString(string(out)), l.Title) {
					t.Errorf("%s: decoded page lacks the title %q", variant, l.Title)
				}
			}
		})
	}
}

func BenchmarkDecodeHTMLUTF8(b *testing.B) {
	body := []byte(strings.Repeat(page(`<meta charset="utf-8">`, zhText), 50))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := DecodeHTML(body, "text/html"); err != nil {
			b.Fatal(err)
		}
	}
}
