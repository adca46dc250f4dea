package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wallwatch/worker/sources"
)

// The benchmark databases model a worker that has run for a while: about
// benchArticlesPerDay articles a day, newest on benchEnd, one development
// per benchArticlesPerDev articles (each reported by a few of them) and
// one background event per benchArticlesPerBg. Their density per day does
// not depend on the size, so a flat benchmark means the store scales with
// history, not with the density of news.
const (
	benchArticlesPerDay = 300
	benchArticlesPerDev = 1000
	benchArticlesPerBg  = 20
	// benchGeneration changes whenever the generator below does, so that
	// cached databases built by an older generator are not reused.
	benchGeneration = 1
)

var benchEnd = time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)

var benchSizes = []struct {
	name  string
	n     int
	short bool // also run with -short
}{
	{"1e4", 10_000, true},
	{"1e5", 100_000, true},
	{"1e6", 1_000_000, false},
}

func benchURL(i int) string {
	// Spread keys over the index as real URLs would be, not in insert order.
	h := uint64(i)*0x9E3779B97F4A7C15 ^ 0xD1B54A32D192ED03
	return fmt.Sprintf("https://news%d.example/%d/%016x.html", i%97, i, h)
}

// benchDB returns the path of a database holding n articles, building it
// once under os.TempDir(), keyed by the schema (its version and the text of
// its migrations) and the generator.
func benchDB(b *testing.B, n int) string {
	b.Helper()
	h := fnv.New32a()
	for _, m := range migrations {
		h.Write([]byte(m.sql))
	}
	dir := filepath.Join(os.TempDir(), "worker-store-bench",
		fmt.Sprintf("schema%d-%08x-gen%d", SchemaVersion(), h.Sum32(), benchGeneration))
	path := filepath.Join(dir, fmt.Sprintf("articles-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	tmp := filepath.Join(dir, fmt.Sprintf("building-%d-%d.db", n, os.Getpid()))
	start := time.Now()
	if err := buildBenchDB(tmp, n); err != nil {
		os.Remove(tmp)
		b.Fatalf("build benchmark database: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v", path, time.Since(start).Round(time.Millisecond))
	return path
}

func buildBenchDB(path string, n int) error {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	s.Close()
	// One connection, no journal and no syncs: a throwaway file built once.
	db, err := sql.Open("sqlite3", dsn(path, "_journal_mode=OFF&_synchronous=OFF&_foreign_keys=off&_cache_size=-200000"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	insArticle := prep(`INSERT INTO articles (id, url, canonical, source, title, published, published_offset, lang, site_name, simhash, recorded_at)
		VALUES (?, ?, ?, 'bench', ?, ?, 28800, 'en', 'Bench', ?, ?)`)
	insKey := prep(`INSERT INTO article_keys (key, article_id) VALUES (?, ?)`)
	insEvent := prep(`INSERT INTO events (article_id, seq, pair_a, pair_b, entities_a, entities_b, kind, stage, date, headline, evidence, development_id)
		VALUES (?, ?, 'alibaba', 'tencent', ?, ?, ?, ?, ?, ?, 'bench evidence', ?)`)
	insDev := prep(`INSERT INTO developments (id, pair_a, pair_b, kind, stage, entities_a, entities_b, date, date_start, date_prec, evidence, created_at)
		VALUES (?, 'alibaba', 'tencent', ?, ?, ?, ?, ?, ?, 3, 'bench evidence', ?)`)
	insLink := prep(`INSERT INTO article_developments (development_id, article_id) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	as := []string{"Taobao", "Tmall", "Alipay", "Ele.me", "DingTalk", "Alimama", "Xianyu", "Taote"}
	bs := []string{"WeChat", "WeChat Pay", "Moments", "WeChat Channels", "QQ", "Tencent Ads", "WeCom"}
	devID, devArticles := int64(0), 0
	var devA, devB, devKind, devStage, devDate string
	for i := 1; i <= n; i++ {
		// Article i is published (n-i)/benchArticlesPerDay days before benchEnd.
		pub := benchEnd.Add(-time.Duration(n-i) * 24 * time.Hour / benchArticlesPerDay)
		url := benchURL(i)
		var canonical any
		if i%4 == 0 {
			canonical = url + "?canonical"
		}
		if _, err := insArticle.ExecContext(ctx, i, url, canonical, "Bench article "+strconv.Itoa(i), pub.Unix(), int64(r.Uint64()), pub.Unix()); err != nil {
			return err
		}
		if _, err := insKey.ExecContext(ctx, url, i); err != nil {
			return err
		}
		if canonical != nil {
			if _, err := insKey.ExecContext(ctx, canonical, i); err != nil {
				return err
			}
		}
		if i%benchArticlesPerDev == 0 {
			devID++
			devArticles = 1 + r.IntN(6)
			devA, devB = jsonList([]string{as[r.IntN(len(as))]}), jsonList([]string{bs[r.IntN(len(bs))]})
			devKind, devStage = string(sources.Kinds[r.IntN(len(sources.Kinds))]), string(sources.Stages[r.IntN(len(sources.Stages))])
			d := sources.DateOf(pub)
			devDate = d.String()
			if _, err := insDev.ExecContext(ctx, devID, devKind, devStage, devA, devB, devDate, dayNumber(d), pub.Unix()); err != nil {
				return err
			}
		}
		if devArticles > 0 {
			devArticles--
			if _, err := insEvent.ExecContext(ctx, i, 0, devA, devB, devKind, devStage, devDate, true, devID); err != nil {
				return err
			}
			if _, err := insLink.ExecContext(ctx, devID, i); err != nil {
				return err
			}
		}
		if i%benchArticlesPerBg == 0 {
			if _, err := insEvent.ExecContext(ctx, i, 1, jsonList([]string{as[r.IntN(len(as))]}), jsonList([]string{bs[r.IntN(len(bs))]}),
				string(sources.Kinds[r.IntN(len(sources.Kinds))]), string(sources.Stages[r.IntN(len(sources.Stages))]),
				strconv.Itoa(2000+r.IntN(25)), false, nil); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

// benchCopy copies the cached database to a private file the benchmark may
// write to.
func benchCopy(b *testing.B, n int) string {
	src := benchDB(b, n)
	dst := filepath.Join(b.TempDir(), "worker.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dst
}

func forSizes(b *testing.B, f func(b *testing.B, n int)) {
	for _, sz := range benchSizes {
		b.Run("articles="+sz.name, func(b *testing.B) {
			if testing.Short() && !sz.short {
				b.Skip("skipped with -short")
			}
			f(b, sz.n)
		})
	}
}

// BenchmarkUnseen asks about a typical feed: 15 URLs, about half of them
// stored. A feed lists recent items, so the stored ones are among the last
// few days' articles.
func BenchmarkUnseen(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		ctx := context.Background()
		s, err := Open(ctx, benchCopy(b, n))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		r := rand.New(rand.NewPCG(3, 4))
		batch := make([]string, 15)
		i := 0
		for b.Loop() {
			for j := range batch {
				if j%2 == 0 {
					batch[j] = benchURL(n - r.IntN(3*benchArticlesPerDay))
				} else {
					batch[j] = fmt.Sprintf("https://fresh.example/%d/%d", i, j)
				}
			}
			i++
			got, err := s.Unseen(ctx, batch)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != 7 {
				b.Fatalf("Unseen returned %d URLs, want 7", len(got))
			}
		}
	})
}

// BenchmarkRecord stores one new article: without events, and with a
// headline event (clustered against the stored developments of its date)
// and two background events.
func BenchmarkRecord(b *testing.B) {
	for _, withEvents := range []bool{false, true} {
		b.Run(fmt.Sprintf("events=%v", withEvents), func(b *testing.B) {
			forSizes(b, func(b *testing.B, n int) {
				ctx := context.Background()
				s, err := Open(ctx, benchCopy(b, n))
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				pub := benchEnd.Add(-10 * 24 * time.Hour)
				d := sources.DateOf(pub)
				var evs []sources.Event
				if withEvents {
					evs = []sources.Event{
						{Pair: sources.DefaultPair, A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: payment, Stage: testing_, Date: d, Headline: true, Evidence: "e"},
						{Pair: sources.DefaultPair, A: []string{"Ele.me"}, B: []string{"WeChat Pay"}, Kind: payment, Stage: launched, Date: date("2021-09"), Evidence: "e"},
						{Pair: sources.DefaultPair, A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: links, Stage: launched, Date: date("2021-11"), Evidence: "e"},
					}
				}
				i := 0
				for b.Loop() {
					i++
					a := sources.Article{URL: fmt.Sprintf("https://fresh.example/%d", i), Title: "Fresh", Published: pub, Lang: "en", Text: randomText(strconv.Itoa(i))}
					res, err := s.Record(ctx, RecordInput{Source: "bench", Article: a, Events: evs, Alert: true, Now: benchEnd})
					if err != nil {
						b.Fatal(err)
					}
					if res.Duplicate {
						b.Fatal("duplicate")
					}
				}
			})
		})
	}
}

// BenchmarkRecordBatch stores a feed's worth of new articles (15, one with
// a headline event) in one batch, as a pass does; the figure is per article.
func BenchmarkRecordBatch(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		ctx := context.Background()
		s, err := Open(ctx, benchCopy(b, n))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		pub := benchEnd.Add(-10 * 24 * time.Hour)
		evs := []sources.Event{{Pair: sources.DefaultPair, A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: payment, Stage: testing_,
			Date: sources.DateOf(pub), Headline: true, Evidence: "e"}}
		const feed = 15
		i := 0
		for b.Loop() {
			batch := s.NewBatch(64)
			for j := range feed {
				i++
				a := sources.Article{URL: fmt.Sprintf("https://fresh.example/%d", i), Title: "Fresh", Published: pub, Lang: "en", Text: randomText(strconv.Itoa(i))}
				in := RecordInput{Source: "bench", Article: a, Alert: true, Now: benchEnd}
				if j == 0 {
					in.Events = evs
				}
				batch.Add(ctx, in, func(r RecordResult, err error) {
					if err != nil || r.Duplicate {
						b.Fatalf("record: %v (duplicate %v)", err, r.Duplicate)
					}
				})
			}
			batch.Flush(ctx)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feed), "ns/article")
	})
}

// BenchmarkCluster times the storyline rule over candidate lists of
// several lengths, a third of them of the same platforms.
func BenchmarkCluster(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("candidates=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			p := probe{Pair: sources.DefaultPair, Kind: payment, Stage: testing_, A: []string{"Taobao", "Tmall"}, B: []string{"WeChat Pay"},
				Date: date("2024-02-21"), Fingerprint: r.Uint64()}
			cands := make([]storyline, n)
			for i := range cands {
				a := []string{"Ele.me"}
				if i%3 == 0 {
					a = []string{"Taobao"}
				}
				day := dayNumber(sources.DateOf(benchEnd.Add(-time.Duration(r.IntN(120)) * 24 * time.Hour)))
				cands[i] = storyline{ID: int64(i + 1), Pair: sources.DefaultPair, Kinds: []sources.Kind{payment},
					A: a, B: []string{"WeChat Pay"}, First: day, Last: day + int64(r.IntN(20)), Prec: precDay}
			}
			for b.Loop() {
				rules.pick(p, cands)
			}
		})
	}
}
