package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wallwatch/worker/sources"
)

// batchInputs are a pass's worth of articles: a development reported by
// several outlets and languages at two stages, a syndicated copy, a
// canonical URL shared by two, a URL listed twice, background history,
// articles without events and one recorded without alerts.
func batchInputs() []RecordInput {
	taobao := func(stage sources.Stage, date string) []sources.Event {
		return []sources.Event{hl("Taobao", "WeChat Pay", payment, stage, date), bg("Ele.me", "WeChat Pay", payment, launched, "2021-09")}
	}
	first := art("https://a.example/1", "2024-02-21")
	ins := []RecordInput{
		{Article: first, Events: taobao(testing_, "2024-02-20"), Alert: true},
		{Article: art("https://b.example/2", "2024-02-22"), Events: taobao(testing_, "2024-02"), Alert: true},
		{Article: withText(art("https://c.example/3", "2024-02-23"), first), Events: taobao(testing_, "2024"), Alert: true},
		{Article: art("https://d.example/4", "2024-03-05"), Events: taobao(launched, "2024-03-05"), Alert: true},
		{Article: withCanonical(art("https://e.example/amp/5", "2024-02-24"), "https://e.example/5"), Alert: true},
		{Article: withCanonical(art("https://e.example/m/5", "2024-02-25"), "https://e.example/5"), Alert: true},
		{Article: art("https://b.example/2", "2024-02-22"), Events: taobao(testing_, "2024-02"), Alert: true},
		{Article: art("https://f.example/6", ""), Events: []sources.Event{hl("Alimama", "WeChat Channels", sources.KindAdvertising, announced, "2024-02")}},
		{Article: art("https://g.example/7", "2024-02-26"), Alert: true},
	}
	for i := range ins {
		ins[i].Source, ins[i].Now = "test-feed", t0
	}
	return ins
}

// byPublished orders inputs as a batch records them: oldest publication
// first, undated last, otherwise in the order given.
func byPublished(ins []RecordInput) []RecordInput {
	out := slices.Clone(ins)
	slices.SortStableFunc(out, func(a, b RecordInput) int {
		pa, pb := a.Article.Published, b.Article.Published
		switch {
		case pa.IsZero() && pb.IsZero():
			return 0
		case pa.IsZero():
			return 1
		case pb.IsZero():
			return -1
		}
		return pa.Compare(pb)
	})
	return out
}

// dump lists every row of every table the worker writes, in id order:
// two databases with the same dump hold the same state.
func dump(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	rows, err := s.db.QueryContext(ctx, tablesQuery(s, "meta", "schema_migrations"))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var out []string
	for _, tbl := range tables {
		rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+tbl+` ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(tbl)
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			out = append(out, b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// addAll adds the inputs to a new batch of the given size, flushes it and
// returns what each was told, in input order.
func addAll(t *testing.T, s *Store, size int, ins []RecordInput) ([]RecordResult, []error) {
	t.Helper()
	res := make([]RecordResult, len(ins))
	errs := make([]error, len(ins))
	called := make([]int, len(ins))
	b := s.NewBatch(size)
	for i, in := range ins {
		b.Add(context.Background(), in, func(r RecordResult, err error) {
			res[i], errs[i] = r, err
			called[i]++
		})
	}
	b.Flush(context.Background())
	for i, n := range called {
		if n != 1 {
			t.Errorf("input %d (%s): done called %d times, want once", i, ins[i].Article.URL, n)
		}
	}
	return res, errs
}

func TestBatchStoresWhatRecordStores(t *testing.T) {
	ins := batchInputs()
	want := openTest(t)
	var wantRes []RecordResult
	for _, in := range byPublished(ins) {
		wantRes = append(wantRes, rec(t, want, in))
	}
	wantDump := dump(t, want)
	if len(wantDump) < 20 {
		t.Fatalf("the reference database holds only %d rows", len(wantDump))
	}

	for _, size := range []int{1, 3, 64} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			// A batch orders only what it holds; the passes give it
			// articles oldest first, as this does.
			order := ins
			if size < len(ins) {
				order = byPublished(ins)
			} else {
				order = slices.Clone(ins)
				slices.Reverse(order)
			}
			s := openTest(t)
			res, errs := addAll(t, s, size, order)
			for i, err := range errs {
				if err != nil {
					t.Errorf("input %d: %v", i, err)
				}
			}
			if diff := cmp.Diff(wantDump, dump(t, s)); diff != "" {
				t.Errorf("database after the batch (-one by one +batch):\n%s", diff)
			}
			got := map[string][]RecordResult{}
			for i, r := range res {
				got[order[i].Article.URL] = append(got[order[i].Article.URL], r)
			}
			wantBy := map[string][]RecordResult{}
			for i, in := range byPublished(ins) {
				wantBy[in.Article.URL] = append(wantBy[in.Article.URL], wantRes[i])
			}
			for u := range got {
				slices.SortFunc(got[u], func(a, b RecordResult) int { return boolInt(a.Duplicate) - boolInt(b.Duplicate) })
			}
			if diff := cmp.Diff(wantBy, got); diff != "" {
				t.Errorf("results (-one by one +batch):\n%s", diff)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestBatchIsolatesAFailingArticle(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	// A failure inside the article's own writes, after its article row:
	// the savepoint must take back all of it and nothing of the others.
	for _, q := range refuseTrigger(s, "events", "evidence", "refused") {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	bad := hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-21")
	bad.Evidence = "refused"
	ins := []RecordInput{
		{Article: art("https://a.example/1", "2024-02-20"), Events: []sources.Event{hl("Taobao", "WeChat Pay", payment, testing_, "2024-02-20")}, Alert: true},
		{Article: withCanonical(art("https://b.example/2", "2024-02-21"), "https://b.example/canonical"), Events: []sources.Event{bad}, Alert: true},
		{Article: sources.Article{Title: "no URL"}},
		{Article: art("https://c.example/3", "2024-02-22"), Alert: true},
	}
	res, errs := addAll(t, s, 64, ins)
	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("the good articles failed: %v, %v", errs[0], errs[3])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "https://b.example/2") || !strings.Contains(errs[1].Error(), "event refused") {
		t.Errorf("failing article: error %v, want one naming its URL and the reason", errs[1])
	}
	if !errors.Is(errs[2], ErrInvalid) {
		t.Errorf("article without URL: error %v, want ErrInvalid", errs[2])
	}
	if res[0].ArticleID == 0 || res[3].ArticleID == 0 || len(res[0].Developments) != 1 {
		t.Errorf("results of the good articles: %+v, %+v", res[0], res[3])
	}
	unseen, err := s.Unseen(ctx, []string{"https://a.example/1", "https://b.example/2", "https://b.example/canonical", "https://c.example/3"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"https://b.example/2", "https://b.example/canonical"}, unseen); diff != "" {
		t.Errorf("Unseen after the batch (-want +got):\n%s", diff)
	}
	if got := queryInts(t, s, `SELECT count(*) FROM outbox`); got[0] != 1 {
		t.Errorf("outbox rows: %d, want the good article's alert only", got[0])
	}
	if got := queryInts(t, s, `SELECT count(*) FROM events`); got[0] != 1 {
		t.Errorf("events: %d, want the good article's only", got[0])
	}
}

func TestBatchCommitsWhenFullAndNotBefore(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var mu sync.Mutex
	var done []string
	b := s.NewBatch(3)
	add := func(u string) {
		b.Add(ctx, RecordInput{Source: "test-feed", Article: art(u, "2024-02-21"), Now: t0}, func(r RecordResult, err error) {
			if err != nil {
				t.Errorf("%s: %v", u, err)
			}
			mu.Lock()
			done = append(done, u)
			mu.Unlock()
		})
	}
	unseen := func(want ...string) {
		t.Helper()
		got, err := s.Unseen(ctx, []string{"https://x.example/1", "https://x.example/2", "https://x.example/3", "https://x.example/4"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Unseen (-want +got):\n%s", diff)
		}
	}
	add("https://x.example/1")
	add("https://x.example/2")
	if len(done) != 0 {
		t.Fatalf("done called before the batch was full: %v", done)
	}
	unseen("https://x.example/1", "https://x.example/2", "https://x.example/3", "https://x.example/4")
	add("https://x.example/3")
	if len(done) != 3 {
		t.Fatalf("after the third Add: done for %v, want all three", done)
	}
	unseen("https://x.example/4")
	add("https://x.example/4")
	unseen("https://x.example/4")
	b.Flush(ctx)
	unseen()
	if len(done) != 4 {
		t.Errorf("after Flush: done for %v", done)
	}
}

func TestBatchConcurrentAdds(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	b := s.NewBatch(5)
	var mu sync.Mutex
	stored := map[string]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			u := fmt.Sprintf("https://y.example/%d", i%30) // ten URLs twice
			b.Add(ctx, RecordInput{Source: "test-feed", Article: art(u, "2024-02-21"), Now: t0}, func(r RecordResult, err error) {
				if err != nil {
					t.Errorf("%s: %v", u, err)
					return
				}
				if !r.Duplicate {
					mu.Lock()
					stored[u]++
					mu.Unlock()
				}
			})
		})
	}
	wg.Wait()
	b.Flush(ctx)
	if len(stored) != 30 {
		t.Errorf("%d URLs stored, want 30", len(stored))
	}
	for u, n := range stored {
		if n != 1 {
			t.Errorf("%s stored %d times", u, n)
		}
	}
	if got := queryInts(t, s, `SELECT count(*) FROM articles`); got[0] != 30 {
		t.Errorf("articles: %d, want 30", got[0])
	}
}

func TestBatchFailsAsAWhole(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	b := s.NewBatch(10)
	var errs []error
	for i := range 3 {
		b.Add(ctx, RecordInput{Source: "test-feed", Article: art(fmt.Sprintf("https://z.example/%d", i), "2024-02-21"), Now: t0},
			func(_ RecordResult, err error) { errs = append(errs, err) })
	}
	cancel()
	b.Flush(ctx)
	if len(errs) != 3 {
		t.Fatalf("done called %d times, want 3", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "https://z.example/") {
			t.Errorf("error %v, want the cancellation, naming the article", err)
		}
	}
	if got := queryInts(t, s, `SELECT count(*) FROM articles`); got[0] != 0 {
		t.Errorf("articles: %d, want none", got[0])
	}
}

func TestSaveSourceStatesTogether(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.SaveSourceState(ctx, SourceState{Name: "b", LastError: "old", ConsecutiveFailures: 3}); err != nil {
		t.Fatal(err)
	}
	sts := []SourceState{
		{Name: "a", LastSuccess: t0, Validators: map[string]sources.Validators{"https://a.example/feed": {ETag: `"1"`}}},
		{Name: "b", LastSuccess: t0, Validators: map[string]sources.Validators{}},
	}
	if err := s.SaveSourceStates(ctx, sts); err != nil {
		t.Fatal(err)
	}
	all, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sts, all); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	// One bad state: none of them is saved.
	err = s.SaveSourceStates(ctx, []SourceState{{Name: "c", LastSuccess: t0}, {LastSuccess: t0}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("a state without a name: %v, want ErrInvalid", err)
	}
	if all, _ := s.SourceStates(ctx); len(all) != 2 {
		t.Errorf("%d states after a refused save, want the 2 before it", len(all))
	}
}
