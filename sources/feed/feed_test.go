package feed

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wallwatch/worker/internal/sharedtest"
	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/fetch"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func gb18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const rssTmpl = `<rss version="2.0"><channel><title>t</title><link>https://news.example/</link>
<item><title>淘宝接入微信支付</title><link>/a/1.html?utm_source=rss#top</link><pubDate>%s</pubDate><description><![CDATA[<p>摘要 <b>一</b></p>]]></description></item>
<item><title>second</title><link>https://news.example/a/2.html</link></item>
<item><title>repeat</title><link>https://news.example/a/1.html</link></item>
<item><title>no link</title></item>
</channel></rss>`

func TestParseRSSLinksDatesAndCharsets(t *testing.T) {
	want := time.Date(2024, 9, 4, 10, 30, 0, 0, shanghai)
	tests := map[string]struct {
		body        []byte
		contentType string
		pubDate     string
	}{
		"utf-8, RFC 822 with CST meaning China": {
			body: []byte(`<?xml version="1.0" encoding="utf-8"?>` + sprintf(rssTmpl, "Wed, 04 Sep 2024 10:30:00 CST")),
		},
		"GBK declared": {
			body: append([]byte(`<?xml version="1.0" encoding="gbk"?>`), gb18030(t, sprintf(rssTmpl, "2024-09-04 10:30:00"))...),
		},
		"GB18030 bytes, charset only in the header": {
			body:        gb18030(t, sprintf(rssTmpl, "2024年09月04日 10:30")),
			contentType: "application/rss+xml; charset=GB2312",
		},
		"GB18030 bytes, no declaration at all": {
			body: gb18030(t, sprintf(rssTmpl, "Wed, 04 Sep 2024 10:30:00 +0800")),
		},
		"UTF-8 with BOM and a false gbk declaration": {
			body: append([]byte("\xef\xbb\xbf"+`<?xml version="1.0" encoding="gbk"?>`), sprintf(rssTmpl, "Wed, 04 Sep 2024 02:30:00 GMT")...),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items, err := Parse(tc.body, tc.contentType, "https://news.example/feed.xml", shanghai)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 {
				t.Fatalf("got %d items, want 2 (repeat and link-less dropped): %+v", len(items), items)
			}
			if items[0].Title != "淘宝接入微信支付" {
				t.Errorf("title %q: charset not decoded", items[0].Title)
			}
			if items[0].URL != "https://news.example/a/1.html" {
				t.Errorf("url %q: want resolved, canonical", items[0].URL)
			}
			if !items[0].Published.Equal(want) {
				t.Errorf("published %v, want %v", items[0].Published, want)
			}
			if items[0].Summary != "摘要 一" {
				t.Errorf("summary %q", items[0].Summary)
			}
			if !items[1].Published.IsZero() {
				t.Errorf("an item without a date got %v", items[1].Published)
			}
		})
	}
}

func sprintf(tmpl, date string) string {
	out := []byte{}
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '%' && i+1 < len(tmpl) && tmpl[i+1] == 's' {
			out = append(out, date...)
			i++
			continue
		}
		out = append(out, tmpl[i])
	}
	return string(out)
}

func TestParseRejectsNonFeeds(t *testing.T) {
	for name, body := range map[string]string{
		"html":        "<html><body>hello</body></html>",
		"broken xml":  "<rss><channel><item><title>x</ti",
		"json object": `{"hello": 1}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(body), "", "https://x.example/f", shanghai); !errors.Is(err, ErrParse) {
				t.Errorf("err = %v, want ErrParse", err)
			}
		})
	}
}

func TestFixtureFeeds(t *testing.T) {
	dir := sharedtest.Path(t, "corpus", "site", "feeds")
	for file, want := range map[string]int{"technews.xml": 12, "global.atom": 9, "briefs.json": 10, "zh-gbk.xml": 9} {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			items, err := Parse(body, "", "http://127.0.0.1:8000/site/feeds/"+file, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != want {
				t.Errorf("%d items, want %d", len(items), want)
			}
			dated := 0
			for _, it := range items {
				if it.Title == "" || it.URL == "" {
					t.Errorf("item without title or url: %+v", it)
				}
				if !it.Published.IsZero() {
					dated++
					if y := it.Published.Year(); y < 2019 || y > 2025 {
						t.Errorf("%s: implausible date %v", it.URL, it.Published)
					}
				}
			}
			if file != "briefs.json" && dated != len(items) {
				t.Errorf("%d of %d items dated", dated, len(items))
			}
		})
	}
}

func TestListConditional(t *testing.T) {
	hits, notModified := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(sprintf(rssTmpl, "Wed, 04 Sep 2024 10:30:00 +0800")))
	}))
	defer srv.Close()
	f, err := New("t", srv.URL+"/feed.xml", fetch.New(fetch.Options{AllowPrivate: true}), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.List(context.Background(), sources.ListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 3 || first.NotModified || first.Items[0].Source != "t" {
		t.Fatalf("first listing: %+v", first)
	}
	second, err := f.List(context.Background(), sources.ListRequest{Known: first.Validators})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || len(second.Items) != 0 || notModified != 1 {
		t.Errorf("second listing should be a 304 with no items: %+v", second)
	}
}
