package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/feed"
	"github.com/wallwatch/worker/sources/fetch"
	"github.com/wallwatch/worker/store"
	"github.com/wallwatch/worker/worker"
)

// storyArticle is one outlet's report on the storyline site.
type storyArticle struct {
	path, lang, outlet, published, title, lead string
}

// One development, Taobao taking WeChat Pay, told by outlets that disagree
// on its stage (will add / gray test / now open), its platforms (Taobao and
// Tmall, Taobao, Alibaba only) and its kind (payment, links), in English and
// Chinese; then, after the news cycle, a real step forward and its
// coverage; one unrelated development, and an article with no event.
var storyArticles = []storyArticle{
	{"/a/plan.html", "en", "Wire", "2024-09-04T09:00:00+08:00", "Taobao to add WeChat Pay",
		"Taobao and Tmall said on Wednesday they will add WeChat Pay as a payment option for all shoppers."},
	{"/a/gray.html", "zh", "快报", "2024-09-05T10:00:00+08:00", "淘宝灰度测试微信支付",
		"淘宝开始灰度测试微信支付，部分用户已可在结算时选择微信支付。"},
	{"/a/links.html", "zh", "科技日报", "2024-09-06T11:00:00+08:00", "淘宝链接可在微信打开",
		"微信宣布用户现在可以在聊天中直接打开淘宝链接并用微信支付付款。"},
	{"/a/meetings.html", "en", "Wire", "2024-09-10T09:00:00+08:00", "DingTalk meetings open to WeChat",
		"DingTalk users can now join DingTalk meetings directly from WeChat, Alibaba said."},
	{"/a/results.html", "en", "Markets", "2024-09-12T09:00:00+08:00", "Tencent and Alibaba report results",
		"Tencent reported a rise in games revenue while Alibaba's cloud unit grew faster than expected."},
	{"/a/open.html", "en", "Daily", "2024-09-25T09:00:00+08:00", "Taobao fully opens WeChat Pay",
		"Taobao has fully opened WeChat Pay to all users, the company said."},
	{"/a/live.html", "en", "Markets", "2024-09-26T09:00:00+08:00", "WeChat Pay live across Alibaba shopping apps",
		"Alibaba said that WeChat Pay is now live in its shopping apps."},
	{"/a/still.html", "zh", "快报", "2024-09-30T09:00:00+08:00", "淘宝微信支付仍在测试",
		"据悉，淘宝仍在小范围测试微信支付，部分用户可用。"},
}

func (a storyArticle) html() string {
	return fmt.Sprintf(`<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:site_name" content="%s"><meta property="article:published_time" content="%s"></head>
<body><nav><a href="/">Home</a></nav><article><h1>%s</h1><p>%s</p><p>Further details were not given.</p></article></body></html>`,
		a.lang, a.title, a.outlet, a.published, a.title, a.lead)
}

// storySite serves the articles through one RSS feed, listing the first
// listed of them (all by default).
type storySite struct {
	*httptest.Server
	listed atomic.Int64
}

func newStorySite(t *testing.T) *storySite {
	s := &storySite{}
	s.listed.Store(int64(len(storyArticles)))
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>news</title>`)
		for _, a := range storyArticles[:s.listed.Load()] {
			pub, _ := time.Parse(time.RFC3339, a.published)
			fmt.Fprintf(w, "<item><title>%s</title><link>%s</link><pubDate>%s</pubDate></item>", a.title, a.path, pub.Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	for _, a := range storyArticles {
		mux.HandleFunc(a.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, a.html())
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// runStoryPass opens the database at path, makes one pass with a fresh
// worker (as a new process would) and closes it again.
func runStoryPass(t *testing.T, site *storySite, slack *slackfake.Server, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bot, err := alerts.NewBot(secret.New(slack.Token()), slackfake.DefaultChannelID, slack.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	client := fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	f, err := feed.New("news", site.URL+"/feed.xml", client, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Store: st, Fetch: client, Detector: detect.New(detect.DefaultLexicon()), Notifier: bot,
		Sources: []worker.Source{{Source: f, URL: site.URL + "/feed.xml"}}, Location: time.UTC,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(ctx, worker.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if failed := rep.Failed(); len(failed) > 0 {
		t.Fatalf("failed sources: %+v", failed)
	}
}

// channelSummary describes the channel: each top-level message by its
// text, each reply by the number of the top-level message whose thread it
// is in and its text.
func channelSummary(slack *slackfake.Server, site string) (summary []string, tops []slackfake.Message) {
	n := map[string]int{}
	for _, m := range slack.Messages(slackfake.DefaultChannelID) {
		text := strings.ReplaceAll(m.Text, site, "")
		if m.IsReply() {
			summary = append(summary, fmt.Sprintf("  in #%d: %s", n[m.ThreadTS], text))
			continue
		}
		tops = append(tops, m)
		n[m.TS] = len(tops)
		summary = append(summary, fmt.Sprintf("#%d %s", len(tops), text))
	}
	return summary, tops
}

// TestStorylineEndToEnd runs the worker over a site whose outlets disagree
// about one development, and checks every message posted: one alert for
// the development, its coverage in the thread, one alert for its real step
// forward that says what changed and links the first alert's thread, and
// that step's coverage in its own thread. The result is the same in one
// run and in two runs with a restart between them, and a further run posts
// nothing.
func TestStorylineEndToEnd(t *testing.T) {
	want := []string{
		"#1 WeChat Pay on Taobao and Tmall (announced, 4 Sep 2024) — </a/plan.html|Taobao to add WeChat Pay> (Wire, 2024-09-04)",
		"#2 DingTalk linked with WeChat for work (launched, Sep 2024) — </a/meetings.html|DingTalk meetings open to WeChat> (Wire, 2024-09-10)",
		"#3 WeChat Pay on Taobao (launched, Sep 2024) — </a/open.html|Taobao fully opens WeChat Pay> (Daily, 2024-09-25)" +
			" — Now launched — first reported as announced on 4 Sep 2024",
		"  in #1: Also reported by 快报, as testing: </a/gray.html|淘宝灰度测试微信支付> (2024-09-05)" +
			"\nGist: Tencent's WeChat Pay on Alibaba's Taobao: being tested with some users (Sep 2024).",
		"  in #1: Also reported by 科技日报, as launched: </a/links.html|淘宝链接可在微信打开> (2024-09-06)" +
			"\nGist: Alibaba's Taobao links open in Tencent's WeChat Pay and WeChat: live for users (Sep 2024).",
		"  in #3: Also reported by Markets, as launched: </a/live.html|WeChat Pay live across Alibaba shopping apps> (2024-09-26)" +
			"\nGist: Tencent's WeChat Pay on Alibaba: live for users (Sep 2024).",
		"  in #3: Also reported by 快报, as testing: </a/still.html|淘宝微信支付仍在测试> (2024-09-30)" +
			"\nGist: Tencent's WeChat Pay on Alibaba's Taobao: being tested with some users (Sep 2024).",
	}
	for name, phases := range map[string][]int{
		"one run":                     {len(storyArticles)},
		"two runs, restarted between": {5, len(storyArticles)},
	} {
		t.Run(name, func(t *testing.T) {
			site := newStorySite(t)
			slack := slackfake.New(t)
			db := filepath.Join(t.TempDir(), "w.db")
			for _, n := range phases {
				site.listed.Store(int64(n))
				runStoryPass(t, site, slack, db)
			}
			got, tops := channelSummary(slack, site.URL)
			if n := len(phases); n == 1 {
				// Alerts in the order things happened (the later step once
				// the first is posted), replies after their alerts.
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("channel (-want +got):\n%s", diff)
				}
			} else if diff := cmp.Diff(sortedLines(want), sortedLines(got)); diff != "" {
				t.Errorf("channel (-want +got):\n%s", diff)
			}
			if len(tops) != 3 {
				t.Fatalf("%d top-level messages, want 3", len(tops))
			}
			link := slack.URL() + "/archives/" + slackfake.DefaultChannelID + "/p" + strings.Replace(tops[0].TS, ".", "", 1)
			if blocks := string(tops[2].Blocks); !strings.Contains(blocks, link) || !strings.Contains(blocks, "first alert") {
				t.Errorf("the new step does not link the first alert's thread %s:\n%s", link, blocks)
			}

			before := len(slack.Messages(slackfake.DefaultChannelID))
			runStoryPass(t, site, slack, db)
			if after := len(slack.Messages(slackfake.DefaultChannelID)); after != before {
				t.Errorf("a run with nothing new posted %d messages", after-before)
			}
		})
	}
}

func sortedLines(xs []string) []string { return slices.Sorted(slices.Values(xs)) }
