package article

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/charset"
)

// benchPages reads the corpus pages (and, with BENCH_SUITES=1, the
// extraction suites' pages as well).
func benchPages(b *testing.B) [][]byte {
	b.Helper()
	dir := sharedtest.Path(b, "corpus", "articles")
	globs := []string{filepath.Join(dir, "*.html")}
	if os.Getenv("BENCH_SUITES") != "" {
		globs = append(globs, filepath.Join(sharedtest.Path(b, "testdata"), "*", "pages", "*.html"))
	}
	var pages [][]byte
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			pages = append(pages, body)
		}
	}
	if len(pages) == 0 {
		b.Skip("no pages")
	}
	return pages
}

// BenchmarkParse is the whole of Parse per page: decode, one html.Parse,
// extraction. Compare its ns/page with BenchmarkHTMLParseFloor.
func BenchmarkParse(b *testing.B) {
	pages := benchPages(b)
	opts := Options{Location: time.UTC}
	b.ReportAllocs()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for _, p := range pages {
			if _, err := Parse(p, "text/html", "https://example.com/a/1.html", opts); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	reportPerPage(b, n, cpu0)
}

// BenchmarkHTMLParseFloor is what any parsing costs: decoding the charset,
// html.Parse and goquery.NewDocumentFromNode on the same pages.
func BenchmarkHTMLParseFloor(b *testing.B) {
	pages := benchPages(b)
	b.ReportAllocs()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for _, p := range pages {
			utf, _, err := charset.DecodeHTML(p, "text/html")
			if err != nil {
				b.Fatal(err)
			}
			root, err := html.Parse(bytes.NewReader(utf))
			if err != nil {
				b.Fatal(err)
			}
			_ = goquery.NewDocumentFromNode(root)
			n++
		}
	}
	reportPerPage(b, n, cpu0)
}

// BenchmarkExtract is Parse without decoding and html.Parse: what the
// extraction itself adds over BenchmarkHTMLParseFloor.
func BenchmarkExtract(b *testing.B) {
	pages := benchPages(b)
	roots := make([]*html.Node, len(pages))
	for i, p := range pages {
		utf, _, err := charset.DecodeHTML(p, "text/html")
		if err != nil {
			b.Fatal(err)
		}
		if roots[i], err = html.Parse(bytes.NewReader(utf)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for _, root := range roots {
			p := &page{doc: goquery.NewDocumentFromNode(root), loc: time.UTC, pageURL: "https://example.com/a/1.html", meta: map[string]string{}}
			p.extract(sources.Article{})
			n++
		}
	}
	reportPerPage(b, n, cpu0)
}

// reportPerPage reports wall and CPU time per page. CPU time is steadier on
// a busy machine (the process's own user and system time, all threads).
func reportPerPage(b *testing.B, pages int, cpu0 time.Duration) {
	if pages == 0 {
		return
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(pages), "cpu-ns/page")
	}
}
