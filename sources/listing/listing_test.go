package listing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/fetch"
)

var fixtureSel = Selectors{
	Item: "ul.news-list > li.news-item", Link: "h3.news-title a", Title: "h3.news-title a",
	Date: "time.news-date@datetime", Next: "a.next-page",
}

func newListing(t *testing.T, url string, sel Selectors) *Listing {
	t.Helper()
	l, err := New("list", url, sel, fetch.New(fetch.Options{AllowPrivate: true}), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestFixtureListingPagination(t *testing.T) {
	corpus := sharedtest.Path(t, "corpus")
	srv := httptest.NewServer(http.FileServer(http.Dir(corpus)))
	defer srv.Close()
	l := newListing(t, srv.URL+"/site/list/", fixtureSel)

	first, err := l.List(context.Background(), sources.ListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 8 {
		t.Fatalf("page 1: %d items, want 8 (the ad slot must not match)", len(first.Items))
	}
	for _, it := range first.Items {
		if !strings.HasPrefix(it.URL, srv.URL+"/articles/") || it.Title == "" || it.Published.IsZero() {
			t.Errorf("item not resolved/complete: %+v", it)
		}
	}

	var pages []int
	all, err := l.List(context.Background(), sources.ListRequest{
		Since:    time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
		Progress: func(page, _ int) { pages = append(pages, page) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 24 || len(pages) != 3 {
		t.Errorf("backfill: %d items over pages %v, want 24 over 3", len(all.Items), pages)
	}
	var variant bool
	for _, it := range all.Items {
		if strings.Contains(it.URL, "en-wechat-links-nov2021") {
			variant = true
			if strings.Contains(it.URL, "from=") {
				t.Errorf("tracking parameter kept: %s", it.URL)
			}
		}
	}
	if !variant {
		t.Error("page 3 item missing")
	}

	// A backfill stops at the first page that lists items older than Since.
	recent, err := l.List(context.Background(), sources.ListRequest{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range recent.Items {
		if it.Published.Before(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("item older than since: %v", it.Published)
		}
	}
	if len(recent.Items) == 0 || len(recent.Items) >= 24 {
		t.Errorf("since 2024: %d items", len(recent.Items))
	}
}

func TestListingLoopsAndErrors(t *testing.T) {
	mux := http.NewServeMux()
	// Two pages that link to each other forever.
	for i := 1; i <= 2; i++ {
		next := 3 - i
		mux.HandleFunc(fmt.Sprintf("/p%d", i), func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<ul><li class="i"><a href="/a%d.html">A</a><span class="d">2024-0%d-01</span></li></ul><a class="next" href="/p%d">next</a>`, i, i, next)
		})
	}
	mux.HandleFunc("/changed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<div class="new-layout"><a href="/x">x</a></div>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	sel := Selectors{Item: "li.i", Link: "a", Title: "a", Date: "span.d", Next: "a.next"}

	got, err := newListing(t, srv.URL+"/p1", sel).List(context.Background(),
		sources.ListRequest{Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 {
		t.Errorf("a next-link cycle: %d items, want 2 and a stop", len(got.Items))
	}
	_, err = newListing(t, srv.URL+"/changed", sel).List(context.Background(), sources.ListRequest{})
	if !errors.Is(err, ErrNoItems) {
		t.Errorf("err = %v, want ErrNoItems", err)
	}
	_, err = newListing(t, srv.URL+"/missing", sel).List(context.Background(), sources.ListRequest{})
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("err = %v, want a 404 StatusError", err)
	}
}
