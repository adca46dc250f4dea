package article

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wallwatch/worker/internal/sharedtest"
)

// suitePage is one page of an extraction suite (testdata/README.md there).
type suitePage struct {
	Name           string   `json:"name"`
	File           string   `json:"file"`
	Title          *string  `json:"title"`
	Published      *string  `json:"published"`
	PublishedKnown *bool    `json:"published_known"`
	TextWith       []string `json:"text_with"`
	TextWithout    []string `json:"text_without"`
	TextFull       string   `json:"text_full"`
	Lang           string   `json:"lang"`
}

// suiteScore holds the scorer's figures for one suite, computed as
// tools/score_extract.py computes them (the page's URL is not given).
type suiteScore struct {
	pages                         int
	titleN, titleExact, titleFuzz int
	dateN, dateOK                 int
	withN, withFound              int
	withoutN, withoutAbsent       int
	seg                           [4]int // tp fp fn tn
	shP, shR                      []float64
}

func (s *suiteScore) titles() (exact, fuzzy float64) {
	return frac(s.titleExact, s.titleN), frac(s.titleFuzz, s.titleN)
}
func (s *suiteScore) dates() float64       { return frac(s.dateOK, s.dateN) }
func (s *suiteScore) textWith() float64    { return frac(s.withFound, s.withN) }
func (s *suiteScore) textWithout() float64 { return frac(s.withoutAbsent, s.withoutN) }

// segmentsF is trafilatura's F-score over text_with (positives) and
// text_without (negatives) snippets.
func (s *suiteScore) segmentsF() float64 {
	tp, fp, fn := s.seg[0], s.seg[1], s.seg[2]
	p, r := frac(tp, tp+fp), frac(tp, tp+fn)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// shingleF1 is the article-extraction-benchmark F1: mean per-page
// precision and recall over 4-token shingles.
func (s *suiteScore) shingleF1() (f, p, r float64) {
	p, r = mean(s.shP), mean(s.shR)
	if p+r == 0 {
		return 0, p, r
	}
	return 2 * p * r / (p + r), p, r
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// TestSuites scores the public extraction suites in shared/testdata and
// fails when a figure drops below its floor (set a little under what the
// extractor reaches, so that regressions show). Published figures of other
// extractors are in shared/testdata/README.md.
func TestSuites(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 345 real-world pages; skipped with -short")
	}
	if raceEnabled && os.Getenv("WORKER_SUITES") == "" {
		t.Skip("scores 345 real-world pages; skipped under -race (WORKER_SUITES=1 runs it)")
	}
	root := sharedtest.Path(t, "testdata")
	type floors struct {
		titleFuzzy, dates, textWith, textWithout, segF, shingleF1 float64
	}
	suites := []struct {
		name string
		min  floors
	}{
		{"htmldate", floors{dates: 0.86}},
		{"readability", floors{titleFuzzy: 0.71, dates: 0.95, textWith: 0.90, shingleF1: 0.93}},
		{"scrapinghub", floors{textWith: 0.96, shingleF1: 0.95}},
		{"trafilatura", floors{titleFuzzy: 0.84, dates: 0.86, textWith: 0.90, textWithout: 0.93, segF: 0.92}},
	}
	for _, suite := range suites {
		t.Run(suite.name, func(t *testing.T) {
			dir := filepath.Join(root, suite.name)
			raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Skipf("suite %s: %v", suite.name, err)
			}
			var pages []suitePage
			if err := json.Unmarshal(raw, &pages); err != nil {
				t.Fatal(err)
			}
			var s suiteScore
			for _, pg := range pages {
				body, err := os.ReadFile(filepath.Join(dir, pg.File))
				if err != nil {
					t.Fatal(err)
				}
				art, err := Parse(body, "", "", Options{Location: time.UTC})
				if err != nil {
					t.Errorf("%s: %v", pg.Name, err)
					continue
				}
				s.add(pg, art.Title, art.Published, art.Text)
			}
			exact, fuzzy := s.titles()
			f1, p, r := s.shingleF1()
			report := fmt.Sprintf("%s: %d pages", suite.name, len(pages))
			if s.titleN > 0 {
				report += fmt.Sprintf("; titles exact %.3f fuzzy %.3f", exact, fuzzy)
			}
			if s.dateN > 0 {
				report += fmt.Sprintf("; dates %.3f", s.dates())
			}
			if s.withN > 0 {
				report += fmt.Sprintf("; text_with %.3f", s.textWith())
			}
			if s.withoutN > 0 {
				report += fmt.Sprintf("; text_without %.3f; segments F %.3f", s.textWithout(), s.segmentsF())
			}
			if len(s.shP) > 0 {
				report += fmt.Sprintf("; shingle F1 %.3f (P %.3f R %.3f)", f1, p, r)
			}
			t.Log(report)
			check := func(what string, got, floor float64) {
				if floor > 0 && got < floor {
					t.Errorf("%s %s = %.3f, below the floor %.2f", suite.name, what, got, floor)
				}
			}
			check("titles fuzzy", fuzzy, suite.min.titleFuzzy)
			check("dates", s.dates(), suite.min.dates)
			check("text_with", s.textWith(), suite.min.textWith)
			check("text_without", s.textWithout(), suite.min.textWithout)
			check("segments F", s.segmentsF(), suite.min.segF)
			check("shingle F1", f1, suite.min.shingleF1)
		})
	}
}

// add scores one page.
func (s *suiteScore) add(pg suitePage, title string, published time.Time, text string) {
	s.pages++
	if pg.Title != nil && *pg.Title != "" {
		s.titleN++
		want, got := normWS(*pg.Title), normWS(title)
		switch {
		case got == want:
			s.titleExact++
			s.titleFuzz++
		case got != "" && ratio(want, got) >= 0.9:
			s.titleFuzz++
		}
	}
	known := pg.Published != nil
	if pg.PublishedKnown != nil {
		known = *pg.PublishedKnown
	}
	if known {
		s.dateN++
		got := ""
		if !published.IsZero() {
			got = published.Format("2006-01-02")
		}
		want := ""
		if pg.Published != nil {
			want = *pg.Published
		}
		if got == want {
			s.dateOK++
		}
	}
	textn := normWS(text)
	found, present := 0, 0
	for _, w := range pg.TextWith {
		if w = normWS(w); w != "" && strings.Contains(textn, w) {
			found++
		}
	}
	for _, w := range pg.TextWithout {
		if w = normWS(w); w != "" && strings.Contains(textn, w) {
			present++
		}
	}
	s.withN += len(pg.TextWith)
	s.withFound += found
	s.withoutN += len(pg.TextWithout)
	s.withoutAbsent += len(pg.TextWithout) - present
	if len(pg.TextWith) > 0 && len(pg.TextWithout) > 0 {
		s.seg[0] += found
		s.seg[1] += present
		s.seg[2] += len(pg.TextWith) - found
		s.seg[3] += len(pg.TextWithout) - present
	}
	if pg.TextFull != "" {
		tp, fp, fn := shinglePRF(pg.TextFull, textn)
		if tp+fp > 0 {
			s.shP = append(s.shP, prf(tp, fp, fn, fp))
		}
		if tp+fn > 0 {
			s.shR = append(s.shR, prf(tp, fp, fn, fn))
		}
	}
}

// prf is precision (other = fp) or recall (other = fn), 1 when nothing is
// wrong.
func prf(tp, fp, fn, other float64) float64 {
	if fp == 0 && fn == 0 {
		return 1
	}
	return tp / (tp + other)
}

// shinglePRF compares 4-token shingle multisets, normalised per page.
func shinglePRF(expected, got string) (tp, fp, fn float64) {
	e, g := shingles(expected), shingles(got)
	var ntp, ne, ng int
	for k, c := range e {
		ntp += min(c, g[k])
		ne += c
	}
	for _, c := range g {
		ng += c
	}
	nfn, nfp := ne-ntp, ng-ntp
	sum := float64(ntp + nfp + nfn)
	if sum == 0 {
		return 0, 0, 0
	}
	return float64(ntp) / sum, float64(nfp) / sum, float64(nfn) / sum
}

// shingles counts 4-token shingles; each CJK character is a token, other
// tokens are runs of letters, digits and underscores.
func shingles(text string) map[[4]string]int {
	var toks []string
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case cjkToken(r):
			toks = append(toks, text[i:i+size])
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.IsMark(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if cjkToken(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_' || unicode.IsMark(r2)) {
					break
				}
				j += s2
			}
			toks = append(toks, text[i:j])
			i = j
		default:
			i += size
		}
	}
	out := map[[4]string]int{}
	n := max(1, len(toks)-3)
	for i := 0; i < n && i < len(toks); i++ {
		var sh [4]string
		copy(sh[:], toks[i:min(i+4, len(toks))])
		out[sh]++
	}
	return out
}

func cjkToken(r rune) bool {
	return r >= 0x3040 && r <= 0x30FF || r >= 0x3400 && r <= 0x4DBF || r >= 0x4E00 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF
}
