package article

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources/charset"
)

type label struct {
	ID        string  `json:"id"`
	File      string  `json:"file"`
	Lang      string  `json:"lang"`
	Charset   string  `json:"charset"`
	URL       string  `json:"url"`
	Published *string `json:"published"`
	Title     string  `json:"title"`
}

func loadLabels(t *testing.T) (string, []label) {
	t.Helper()
	dir := sharedtest.Path(t, "corpus")
	raw, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var labels []label
	if err := json.Unmarshal(raw, &labels); err != nil {
		t.Fatal(err)
	}
	return dir, labels
}

// furniture selects the page parts whose text must never reach Text:
// sidebars, related and hot lists, comments, post navigation, share bars,
// newsletters, disclaimers, editor lines.
const furniture = `aside, nav, footer, form, #comments, [class*="comment"], [class*="related"], [class*="hot"],
[class*="sidebar"], [class*="recommend"], [class*="read-more"], [class*="more"], [class*="pages"],
[class*="post-navigation"], [class*="share"], [class*="newsletter"], [class*="see-also"],
[class*="disclaimer"], [class*="statement"], [class*="editor"], [class*="ad-box"], [class*="qrcode"],
[class*="app-banner"], [class*="flash-foot"], [class*="footer"], [class*="trending"], [class*="widget"],
[id*="side"], [class*="tags"]`

// TestCorpus parses every labelled corpus page as a server sending no
// charset would deliver it and checks title, publication day, language,
// canonical URL, that the article's paragraphs are in Text and that no
// sidebar, related-story, comment or similar text leaks into it.
func TestCorpus(t *testing.T) {
	dir, labels := loadLabels(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		t.Run(l.ID, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, l.File))
			if err != nil {
				t.Fatal(err)
			}
			pageURL := "http://127.0.0.1:8000/articles/" + l.ID + ".html"
			art, err := Parse(body, "text/html", pageURL, Options{Location: shanghai})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if art.URL != pageURL {
				t.Errorf("URL = %q, want %q", art.URL, pageURL)
			}
			if r := ratio(normWS(l.Title), normWS(art.Title)); r < 0.9 {
				t.Errorf("title %q, want %q (similarity %.2f)", art.Title, l.Title, r)
			}
			var gotDay string
			if !art.Published.IsZero() {
				gotDay = art.Published.Format("2006-01-02")
			}
			wantDay := ""
			if l.Published != nil {
				wantDay = *l.Published
			}
			if gotDay != wantDay {
				t.Errorf("published %q, want %q", gotDay, wantDay)
			}
			if art.Lang != l.Lang {
				t.Errorf("lang %q, want %q", art.Lang, l.Lang)
			}

			doc := decodeDoc(t, body)
			wantCanon := ""
			if doc.Find(`link[rel="canonical"], meta[property="og:url"]`).Length() > 0 {
				wantCanon = l.URL
			}
			if art.Canonical != wantCanon {
				t.Errorf("canonical %q, want %q", art.Canonical, wantCanon)
			}

			text := normWS(art.Text)
			for _, leak := range furnitureTexts(doc) {
				if strings.Contains(text, leak) {
					t.Errorf("page furniture leaked into Text: %q", leak)
				}
			}
			for _, para := range bodyParagraphs(doc) {
				if !strings.Contains(text, para) {
					t.Errorf("Text lacks the paragraph %q", para)
				}
			}
			if strings.Contains(art.Text, "\n\n") || strings.HasPrefix(art.Text, "\n") || !utf8.ValidString(art.Text) {
				t.Errorf("Text is not one paragraph a line: %q", art.Text)
			}
		})
	}
}

// decodeDoc parses a page for the test's own look at it.
func decodeDoc(t *testing.T, body []byte) *goquery.Document {
	t.Helper()
	utf, _, err := charset.DecodeHTML(body, "")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(utf))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// furnitureTexts returns the texts (items, paragraphs, links, headings) of
// the page's furniture.
func furnitureTexts(doc *goquery.Document) []string {
	var out []string
	doc.Find(furniture).Each(func(_ int, s *goquery.Selection) {
		s.Find("li, p, a, h2, h3, h4, button, span, div").AddSelection(s).Each(func(_ int, item *goquery.Selection) {
			if item.Children().Length() > 0 && item.Is("div, ul, ol, aside, nav, footer, section") {
				return
			}
			// Sentences and headlines, not single names (tags, menu words).
			if txt := normWS(item.Text()); utf8.RuneCountInString(txt) >= 20 || hasHan(txt) && utf8.RuneCountInString(txt) >= 8 {
				out = append(out, txt)
			}
		})
	})
	return out
}

// bodyParagraphs returns the page's paragraphs outside furniture and page
// headers.
func bodyParagraphs(doc *goquery.Document) []string {
	var out []string
	doc.Find("p").Each(func(_ int, p *goquery.Selection) {
		if p.Closest(furniture+", header, .header, .top-nav, .logo-bar, .site-branding").Length() > 0 {
			return
		}
		txt := normWS(p.Text())
		// Editor and credit lines are not article text.
		if strings.HasPrefix(txt, "(Reporting by") || strings.Contains(txt, "责任编辑") || strings.HasPrefix(txt, "Editor/") {
			return
		}
		if utf8.RuneCountInString(txt) >= 15 {
			out = append(out, txt)
		}
	})
	return out
}

// normWS collapses white space as the scorer does.
func normWS(s string) string {
	s = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u00ad", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// ratio is difflib's SequenceMatcher ratio over runes: twice the matched
// characters over the total, matching longest common blocks recursively.
func ratio(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra)+len(rb) == 0 {
		return 1
	}
	return 2 * float64(matched(ra, rb)) / float64(len(ra)+len(rb))
}

func matched(a, b []rune) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	// Longest common substring.
	best, bi, bj := 0, 0, 0
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
				if cur[j] > best {
					best, bi, bj = cur[j], i-cur[j], j-cur[j]
				}
			} else {
				cur[j] = 0
			}
		}
		prev, cur = cur, prev
	}
	if best == 0 {
		return 0
	}
	return best + matched(a[:bi], b[:bj]) + matched(a[bi+best:], b[bj+best:])
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"abcd", "abcd", 1},
		{"abcd", "", 0},
		{"abcd", "bcde", 0.75},
		{"淘宝正式接入微信支付", "淘宝正式接入微信支付_科技", 2 * 10.0 / 23},
	}
	for _, tt := range tests {
		if got := ratio(tt.a, tt.b); cmp.Diff(tt.want, got) != "" && (got-tt.want > 1e-9 || tt.want-got > 1e-9) {
			t.Errorf("ratio(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// TestParseConcurrent parses the corpus from several goroutines at once
// (run with -race): Parse keeps no shared state.
func TestParseConcurrent(t *testing.T) {
	dir, labels := loadLabels(t)
	var bodies [][]byte
	for _, l := range labels {
		b, err := os.ReadFile(filepath.Join(dir, l.File))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		art, err := Parse(b, "", "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = art.Title + "\n" + art.Text
	}
	errs := make(chan string, 4*len(bodies))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i, b := range bodies {
				art, err := Parse(b, "", "", Options{})
				if err != nil || art.Title+"\n"+art.Text != want[i] {
					errs <- labels[i].ID
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for id := range errs {
		t.Errorf("%s: concurrent Parse differs from a lone one", id)
	}
}
