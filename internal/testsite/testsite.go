// Package testsite serves a small generated news site on loopback for tests
// of the read-only views: outlets in English and Chinese reporting a payment
// development in two steps (announced, then launched), a workplace and an
// advertising development, history retold in passing, an article naming
// both companies without any connection, and a headline written to break
// out of HTML. RunOnce fills a real database from it with one worker pass.
package testsite

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// Page is one article of the site.
type Page struct {
	Path      string
	Lang      string
	Title     string
	Published time.Time
	Paras     []string
}

// HostileTitle is the headline of the workplace article: markup that must be
// shown as text, never run.
const HostileTitle = `WeChat users can now join DingTalk meetings <img src=x onerror=alert(1)> & more`

var shanghai = time.FixedZone("CST", 8*3600)

// Pages are the site's articles, in the order the feed lists them.
var Pages = []Page{
	{
		Path: "/news/taobao-plans-wechat-pay.html", Lang: "en",
		Title:     "Taobao plans to add WeChat Pay at checkout",
		Published: time.Date(2024, 8, 12, 9, 0, 0, 0, time.UTC),
		Paras: []string{
			"Alibaba's Taobao plans to add Tencent's WeChat Pay as a payment option, the company said on Monday.",
			"The change needs approval from regulators, a spokesperson said.",
		},
	},
	{
		Path: "/news/taobao-weixin-zhifu.html", Lang: "zh",
		Title:     "淘宝正式接入微信支付 全部用户可用",
		Published: time.Date(2024, 9, 4, 8, 30, 0, 0, shanghai),
		Paras: []string{
			"淘宝宣布正式接入微信支付，用户在结算时可以直接选择微信支付完成付款。",
			"淘宝方面表示，该功能已面向全部用户开放。",
		},
	},
	{
		Path: "/news/taobao-wechat-pay-live.html", Lang: "en",
		Title:     "Taobao starts accepting WeChat Pay at checkout",
		Published: time.Date(2024, 9, 5, 10, 0, 0, 0, time.UTC),
		Paras: []string{
			"Alibaba's Taobao now lets shoppers pay with Tencent's WeChat Pay at checkout, the company said on Wednesday.",
			"The option is available to all users after an update this week, a Taobao spokesperson said.",
		},
	},
	{
		Path: "/news/dingtalk-wechat-meetings.html", Lang: "en",
		Title:     HostileTitle,
		Published: time.Date(2024, 6, 20, 7, 0, 0, 0, time.UTC),
		Paras: []string{
			"WeChat users can now join DingTalk meetings directly from their chats, DingTalk said on Thursday.",
		},
	},
	{
		Path: "/news/tmall-moments-ads.html", Lang: "en",
		Title:     "Tmall ads now appear in WeChat Moments",
		Published: time.Date(2024, 7, 10, 6, 0, 0, 0, time.UTC),
		Paras: []string{
			"Tmall ads now appear in WeChat Moments.",
			"Since November, WeChat has let users open Taobao links, and in March Taobao started testing WeChat Pay.",
		},
	},
	{
		Path: "/news/quarterly-results.html", Lang: "en",
		Title:     "Tencent and Alibaba report quarterly results",
		Published: time.Date(2024, 8, 14, 12, 0, 0, 0, time.UTC),
		Paras: []string{
			"Tencent reported a rise in games revenue while Alibaba's cloud unit grew faster than expected.",
			"Neither company commented on competition between WeChat and Taobao.",
		},
	},
}

// Site is the site's server.
type Site struct {
	*httptest.Server
}

// New serves the site until the test ends.
func New(tb testing.TB) *Site {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Generated news</title><link>/</link>`)
		for _, p := range Pages {
			fmt.Fprintf(w, "<item><title>%s</title><link>%s</link><pubDate>%s</pubDate></item>",
				html.EscapeString(p.Title), p.Path, p.Published.Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	for _, p := range Pages {
		body := render(p)
		mux.HandleFunc("GET "+p.Path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		})
	}
	s := &Site{Server: httptest.NewServer(mux)}
	tb.Cleanup(s.Close)
	return s
}

// FeedURL is the address of the site's RSS feed.
func (s *Site) FeedURL() string { return s.URL + "/feed.xml" }

func render(p Page) string {
	var b strings.Builder
	t := html.EscapeString(p.Title)
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title>
<meta property="article:published_time" content="%s"></head><body><nav><a href="/">Home</a></nav><article><h1>%s</h1>`,
		p.Lang, t, p.Published.Format(time.RFC3339), t)
	for _, para := range p.Paras {
		fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(para))
	}
	b.WriteString(`</article><footer><p>© Generated news</p></footer></body></html>`)
	return b.String()
}

// RunOnce runs one worker pass over the site into st, alerting through n.
func (s *Site) RunOnce(tb testing.TB, st *store.Store, n alerts.Notifier) worker.Report {
	tb.Helper()
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	f, err := feed.New("generated", s.FeedURL(), client, time.UTC)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: n,
		Sources: []worker.Source{{Source: f, URL: s.FeedURL()}}, Location: time.UTC,
	})
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if failed := rep.Failed(); len(failed) > 0 {
		tb.Fatalf("run-once over the generated site: %v", failed[0].Err)
	}
	return rep
}
