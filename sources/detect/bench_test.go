package detect

import (
	"testing"
)

// BenchmarkDetect measures detection alone over the corpus articles
// (parsing excluded); it reports articles per second.
func BenchmarkDetect(b *testing.B) {
	_, arts := corpusArticles(b)
	det := New(DefaultLexicon())
	n := 0
	for b.Loop() {
		det.Detect(arts[n%len(arts)], corpusNow)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkNew measures compiling the default lexicon and cue vocabulary.
func BenchmarkNew(b *testing.B) {
	l := DefaultLexicon()
	for b.Loop() {
		New(l)
	}
}
