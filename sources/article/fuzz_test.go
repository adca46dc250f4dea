package article

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"<html><head><title>T – S</title></head><body><h1>T</h1><p>Text, text, text.</p></body></html>",
		`<html><head><meta charset="gbk"><title>淘宝</title></head><body><div class="txt"><p>淘宝正式接入微信支付。</p></div></body></html>`,
		`<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","headline":"H","datePublished":"2024-09-04T08:30:00+08:00"}]}</script><article><p>x</p></article>`,
		`<base href="../"><link rel="canonical" href="a/b"><div class="comments"><time datetime="2021-01-01">x</time></div>`,
		`<div class="page-ad-margins"><div id="__next"><p>` + strings.Repeat("Words, more words. ", 20) + `</p></div></div>`,
		"<table><tr><td>a<td>b<tr><td>c</table><pre>  x\n  y</pre><br><br>",
		"\xef\xbb\xbf<p>bom</p>",
		"\xb0\xa1\xb0\xa2\xb0\xa3<p>\xff\xfe\x80</p>",
		`<h1><span class="kicker">K</span> Head</h1><p class="dek">Lead paragraph that is long enough to be a lead paragraph here.</p>`,
		`<meta property="article:published_time" content="2024-13-45T99:99:99+99:99"><div class="info">2024年03月14日 16:20</div>`,
	} {
		f.Add([]byte(s), "text/html", "https://news.example/2024/09/04/a.html")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType, pageURL string) {
		start := time.Now()
		art, err := Parse(body, contentType, pageURL, Options{Location: time.UTC})
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("Parse took %v on %d bytes", took, len(body))
		}
		if len(body) == 0 {
			if err == nil {
				t.Fatalf("Parse of an empty body: no error")
			}
			return
		}
		if errors.Is(err, ErrUnparsable) {
			return // nested deeper than the HTML parser allows
		}
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if art.URL != pageURL {
			t.Fatalf("URL = %q, want %q", art.URL, pageURL)
		}
		for name, v := range map[string]string{"title": art.Title, "text": art.Text, "lang": art.Lang, "site": art.SiteName, "canonical": art.Canonical} {
			if !utf8.ValidString(v) {
				t.Fatalf("%s is not valid UTF-8: %q", name, v)
			}
		}
		if strings.Contains(art.Text, "\n\n") || strings.HasPrefix(art.Text, "\n") || strings.HasSuffix(art.Text, "\n") {
			t.Fatalf("Text has empty lines: %q", art.Text)
		}
		if art.Lang == "" {
			t.Fatalf("no language")
		}
		if !art.Published.IsZero() {
			if y := art.Published.Year(); y < 1990 || y > 2100 {
				t.Fatalf("Published year %d out of range", y)
			}
		}
	})
}
