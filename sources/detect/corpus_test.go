package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/article"
)

// corpusLabel is one entry of the shared corpus's labels.json.
type corpusLabel struct {
	ID         string       `json:"id"`
	File       string       `json:"file"`
	URL        string       `json:"url"`
	Published  *string      `json:"published"`
	Headline   []labelEvent `json:"headline"`
	Background []labelEvent `json:"background"`
}

type labelEvent struct {
	Alibaba []string     `json:"alibaba"`
	Tencent []string     `json:"tencent"`
	Kind    sources.Kind `json:"kind"`
	Stage   sources.Stage
	Date    *string `json:"date"`
}

func (l labelEvent) String() string {
	return fmt.Sprintf("%v×%v:%s/%s", l.Alibaba, l.Tencent, l.Kind, l.Stage)
}

func evString(e sources.Event) string {
	return fmt.Sprintf("%v×%v:%s/%s@%s", e.A, e.B, e.Kind, e.Stage, e.Date)
}

// matches is the matching rule of events.md: equal kinds, and each side
// shares an entity.
func matches(e sources.Event, l labelEvent) bool {
	share := func(a, b []string) bool {
		for _, x := range a {
			if slices.Contains(b, x) {
				return true
			}
		}
		return false
	}
	return e.Kind == l.Kind && share(e.A, l.Alibaba) && share(e.B, l.Tencent)
}

// pairUp matches labels to events greedily and one-to-one, as the reference
// scorer does; it returns the event index of each label, or -1.
func pairUp(evs []sources.Event, labels []labelEvent) []int {
	used := map[int]bool{}
	out := make([]int, len(labels))
	for li, l := range labels {
		out[li] = -1
		for i, e := range evs {
			if !used[i] && matches(e, l) {
				used[i] = true
				out[li] = i
				break
			}
		}
	}
	return out
}

// corpusArticles parses every labelled page of the shared corpus.
func corpusArticles(tb testing.TB) ([]corpusLabel, []sources.Article) {
	tb.Helper()
	return loadCorpus(tb, sharedtest.Path(tb, "corpus"))
}

// heldOutDir is this package's own labelled set, in the corpus format:
// articles written in the styles of other outlets about other developments,
// and hard negatives.
const heldOutDir = "testdata/heldout"

// loadCorpus parses every labelled page of a corpus folder.
func loadCorpus(tb testing.TB, dir string) ([]corpusLabel, []sources.Article) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var labels []corpusLabel
	if err := json.Unmarshal(raw, &labels); err != nil {
		tb.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	arts := make([]sources.Article, len(labels))
	for i, l := range labels {
		body, err := os.ReadFile(filepath.Join(dir, l.File))
		if err != nil {
			tb.Fatal(err)
		}
		arts[i], err = article.Parse(body, "", l.URL, article.Options{Location: loc})
		if err != nil {
			tb.Fatalf("%s: %v", l.ID, err)
		}
	}
	return labels, arts
}

// corpusNow stands in for the clock on pages without a publication date.
var corpusNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// TestCorpus scores detection on the shared labelled corpus as the
// reference scorer does and holds it to the project's targets.
func TestCorpus(t *testing.T) {
	labels, arts := corpusArticles(t)
	scoreCorpus(t, labels, arts)
}

// TestHeldOut holds this package's own labelled set to the same targets.
func TestHeldOut(t *testing.T) {
	labels, arts := loadCorpus(t, heldOutDir)
	scoreCorpus(t, labels, arts)
}

// scoreCorpus detects the events of every article, scores them with the
// matching rule of events.md, logs every miss and asserts the targets.
func scoreCorpus(t *testing.T, labels []corpusLabel, arts []sources.Article) {
	t.Helper()
	det := New(DefaultLexicon())
	var tp, fp, fn, stageOK, stageN, bgHit, bgN, negClean, negN int
	for i, l := range labels {
		evs := det.Detect(arts[i], corpusNow)
		var heads []sources.Event
		for _, e := range evs {
			if e.Headline {
				heads = append(heads, e)
			}
		}
		m := pairUp(heads, l.Headline)
		matched := map[int]bool{}
		for li, ei := range m {
			if ei < 0 {
				fn++
				t.Logf("%s: missed headline %s", l.ID, l.Headline[li])
				continue
			}
			tp++
			matched[ei] = true
			stageN++
			if heads[ei].Stage == l.Headline[li].Stage {
				stageOK++
			} else {
				t.Logf("%s: stage %s, want %s for %s", l.ID, heads[ei].Stage, l.Headline[li].Stage, l.Headline[li])
			}
		}
		for ei, e := range heads {
			if !matched[ei] {
				fp++
				t.Logf("%s: extra headline %s %q", l.ID, evString(e), e.Evidence)
			}
		}
		if len(l.Background) > 0 {
			mb := pairUp(evs, l.Background)
			bgN += len(l.Background)
			for li, ei := range mb {
				if ei >= 0 {
					bgHit++
				} else {
					t.Logf("%s: missed background %s", l.ID, l.Background[li])
				}
			}
		}
		if len(l.Headline) == 0 {
			negN++
			if len(heads) == 0 {
				negClean++
			}
		}
		if testing.Verbose() {
			for _, e := range evs {
				t.Logf("  %s: head=%v %s %q", l.ID, e.Headline, evString(e), e.Evidence)
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
	stage, bg := ratio(stageOK, stageN), ratio(bgHit, bgN)
	t.Logf("headline P %.2f R %.2f | stage %.2f | background R %.2f | negatives clean %d/%d",
		p, r, stage, bg, negClean, negN)
	var fails []string
	if p < 0.95 {
		fails = append(fails, fmt.Sprintf("headline precision %.2f < 0.95", p))
	}
	if r < 0.90 {
		fails = append(fails, fmt.Sprintf("headline recall %.2f < 0.90", r))
	}
	if stage < 0.85 {
		fails = append(fails, fmt.Sprintf("stage accuracy %.2f < 0.85", stage))
	}
	if bg < 0.80 {
		fails = append(fails, fmt.Sprintf("background recall %.2f < 0.80", bg))
	}
	if negClean != negN {
		fails = append(fails, fmt.Sprintf("negatives clean %d/%d", negClean, negN))
	}
	if len(fails) > 0 {
		t.Error(strings.Join(fails, "; "))
	}
}
