package article

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func doc(head, body string) []byte {
	return []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + head + "</head><body>" + body + "</body></html>")
}

// para returns n sentences of filler prose for article bodies.
func para(topic string) string {
	return "<p>" + topic + " was announced on a busy morning, and the company said the change would reach most users within weeks, according to people familiar with the plan.</p>"
}

func TestParseTitle(t *testing.T) {
	body := func(h1 string) string {
		return `<header class="site-header"><a href="/" class="logo">Daily Wire</a></header><article>` + h1 +
			`<div class="entry-content">` + para("The update") + para("The rollout") + `</div></article>`
	}
	tests := []struct {
		name string
		head string
		body string
		want string
	}{
		{
			name: "og title agrees with h1",
			head: `<title>Taobao adds WeChat Pay – Daily Wire</title><meta property="og:title" content="Taobao adds WeChat Pay">`,
			body: body(`<h1>Taobao adds WeChat Pay</h1>`),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "title tag en dash site suffix",
			head: `<title>Taobao adds WeChat Pay – Daily Wire</title>`,
			body: body(``),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "title tag pipe site suffix with og site name",
			head: `<title>Taobao adds WeChat Pay | Daily Wire</title><meta property="og:site_name" content="Daily Wire">`,
			body: body(``),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "chinese channel and site suffix",
			head: `<title>淘宝正式接入微信支付_科技频道_新闻网</title>`,
			body: body(`<h1>淘宝正式接入微信支付</h1>`),
			want: "淘宝正式接入微信支付",
		},
		{
			name: "chinese suffix without h1",
			head: `<title>淘宝正式接入微信支付_科技频道_新闻网</title>`,
			body: body(``),
			want: "淘宝正式接入微信支付",
		},
		{
			name: "og title with site suffix, h1 without",
			head: `<title>x</title><meta property="og:title" content="Taobao adds WeChat Pay - Daily Wire">`,
			body: body(`<h1>Taobao adds WeChat Pay</h1>`),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "h1 that names the site is not the headline",
			head: `<title>Taobao adds WeChat Pay | Daily Wire</title>`,
			body: `<h1 class="logo"><a href="/">Daily Wire</a></h1><div class="entry-content">` + para("The update") + `</div>`,
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "kicker inside h1 is left out",
			head: `<title>Kicker: Taobao adds WeChat Pay</title><meta property="og:title" content="Payments: Taobao adds WeChat Pay">`,
			body: body(`<h1><span class="kicker">Payments</span> Taobao adds WeChat Pay</h1>`),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "json-ld headline when there is no og title",
			head: `<title>Daily Wire</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Taobao adds WeChat Pay"}</script>`,
			body: body(`<h1>Taobao adds WeChat Pay</h1>`),
			want: "Taobao adds WeChat Pay",
		},
		{
			name: "h1 over the article wins over an unrelated og title",
			head: `<title>Daily Wire</title><meta property="og:title" content="Read the latest on e-commerce">`,
			body: body(`<h1>Taobao adds WeChat Pay at checkout for all users</h1>`),
			want: "Taobao adds WeChat Pay at checkout for all users",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, err := Parse(doc(tt.head, tt.body), "", "https://dailywire.example/a/1", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if art.Title != tt.want {
				t.Errorf("Title = %q, want %q", art.Title, tt.want)
			}
			if strings.Contains(art.Text, tt.want) && tt.want != "" && strings.Contains(tt.body, "<h1>"+tt.want) {
				t.Errorf("the headline is repeated in Text: %q", art.Text)
			}
		})
	}
}

func TestParsePublished(t *testing.T) {
	plus8 := time.FixedZone("", 8*3600)
	article := func(byline string) string {
		return `<article><h1>Taobao adds WeChat Pay</h1>` + byline + `<div class="entry-content">` +
			para("The update") + para("Back in September 2021, a similar change") + `</div></article>`
	}
	comments := `<div id="comments"><ol><li><time datetime="2020-01-02T10:00:00+08:00">Jan 2, 2020</time><p>Nice.</p></li></ol></div>`
	tests := []struct {
		name    string
		head    string
		body    string
		pageURL string
		loc     *time.Location
		want    time.Time // zero: no date
	}{
		{
			name: "json-ld datePublished inside @graph",
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle","datePublished":"2024-09-04T08:30:00+08:00","dateModified":"2024-09-06T08:30:00+08:00"}]}</script>`,
			body: article(""),
			want: time.Date(2024, 9, 4, 8, 30, 0, 0, plus8),
		},
		{
			name: "json-ld in an array",
			head: `<script type="application/ld+json">[{"@type":"BreadcrumbList"},{"@type":"Article","datePublished":"2023-03-29"}]</script>`,
			body: article(""),
			want: time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "article published_time over modified_time",
			head: `<meta property="article:modified_time" content="2021-09-30T10:15:00+08:00"><meta property="article:published_time" content="2021-09-28T10:15:00+08:00">`,
			body: article(""),
			want: time.Date(2021, 9, 28, 10, 15, 0, 0, plus8),
		},
		{
			name: "the page's offset is kept: an early morning in Beijing stays that day",
			head: `<meta property="article:published_time" content="2024-09-04T00:30:00+08:00">`,
			body: article(""),
			loc:  time.UTC,
			want: time.Date(2024, 9, 4, 0, 30, 0, 0, plus8),
		},
		{
			name: "meta publishdate without offset reads the configured zone",
			head: `<meta name="publishdate" content="2022-01-27 13:40:00">`,
			body: article(""),
			loc:  shanghai,
			want: time.Date(2022, 1, 27, 13, 40, 0, 0, shanghai),
		},
		{
			name: "microdata datePublished",
			body: `<div itemscope itemtype="https://schema.org/NewsArticle"><h1 itemprop="headline">Tencent revenue falls</h1><span itemprop="datePublished" content="2022-11-16T19:30:00+08:00">16 November 2022</span><div itemprop="articleBody">` + para("Revenue") + `</div></div>`,
			want: time.Date(2022, 11, 16, 19, 30, 0, 0, plus8),
		},
		{
			name: "byline time element, not the comments' times",
			body: comments + article(`<div class="entry-meta"><time class="entry-date published" datetime="2021-11-30T08:05:00+08:00">November 30, 2021</time></div>`) + comments,
			want: time.Date(2021, 11, 30, 8, 5, 0, 0, plus8),
		},
		{
			name: "time elements only in comments and sidebars give no date",
			body: article("") + comments + `<aside class="sidebar"><time datetime="2019-05-05">May 5</time></aside>`,
			want: time.Time{},
		},
		{
			name: "utc metadata, local byline: the page's own offset",
			head: `<meta property="article:published_time" content="2023-11-09T01:49:09+00:00">`,
			body: article(`<div class="time">PUBLISHED: <time datetime="2023-11-08 17:49:09">November 8, 2023 at 5:49 p.m.</time></div>`),
			want: time.Date(2023, 11, 8, 17, 49, 9, 0, time.FixedZone("", -8*3600)),
		},
		{
			name:    "date in the url",
			body:    article(""),
			pageURL: "https://news.example/2024/09/04/taobao-wechat-pay/",
			want:    time.Date(2024, 9, 4, 0, 0, 0, 0, time.UTC),
		},
		{
			name:    "compact date in the url",
			body:    article(""),
			pageURL: "http://www.caijing.example/ds/20240820/n45817.html",
			want:    time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "chinese byline text",
			body: `<div class="title"><h1>无需下载钉钉 微信用户可直接加入钉钉会议</h1></div><div class="info">2024年03月14日 16:20&nbsp;&nbsp;来源：职场科技</div><div class="txt"><p>记者了解到，收到钉钉会议邀请的微信用户，现在可以在微信内直接加入会议，无需另外下载钉钉App。早在2021年9月，双方就有过接触。</p><p>对经常需要与外部客户开会的用户来说，这意味着不必再要求对方先安装一款新软件。</p></div>`,
			loc:  shanghai,
			want: time.Date(2024, 3, 14, 16, 20, 0, 0, shanghai),
		},
		{
			name: "english byline text",
			body: article(`<div class="post-meta"><span class="author">Wei Sheng</span> <span>Sep 27, 2023</span></div>`),
			want: time.Date(2023, 9, 27, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "a date an inline script writes into the byline",
			body: `<table><tr><td class="topic">The board</td></tr><tr><td class="main-text"><script>showDate("2020/04/17 01:43:09")</script> views 7</td></tr></table>` + article(""),
			want: time.Date(2020, 4, 17, 1, 43, 9, 0, time.UTC),
		},
		{
			name: "a script in a sidebar writes no byline",
			body: article("") + `<aside class="sidebar"><script>showDate("2020/04/17 01:43:09")</script></aside>`,
			want: time.Time{},
		},
		{
			name: "a two-digit-year day in the byline",
			body: `<div class="text"><div class="date"> Party, 30.10.23 </div><h1>Halloween party</h1><div class="entry-content">` + para("The club") + para("The night") + `</div></div>`,
			want: time.Date(2023, 10, 30, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "a month alone is not a day",
			body: `<article><h1>Film review</h1><div class="entry-content">` + para("Seen in 03.2015") + para("The film") + `</div></article>`,
			want: time.Time{},
		},
		{
			name: "last resort: a labelled date in a fact box far from the headline",
			body: article("") + strings.Repeat(para("More"), 30) + `<ul class="facts"><li><strong>Date</strong> 23.05.2011</li><li><strong>Author</strong> K. M.</li></ul>`,
			want: time.Date(2011, 5, 23, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "last resort: an update in the footer bounds the age when nothing else dates the page",
			body: article("") + `<div id="footer"><p>Updated: $Date: 2016/11/18 06:31:41 $</p></div>`,
			want: time.Date(2016, 11, 18, 6, 31, 41, 0, time.UTC),
		},
		{
			name: "a labelled date in a sidebar is not the page's",
			body: article("") + `<aside class="sidebar"><p>Date: 2019-05-05</p></aside>`,
			want: time.Time{},
		},
		{
			name: "an updated date is not the publication date where the byline gives one",
			body: article(`<div class="post-meta">Posted Sep 27, 2023 · Updated Sep 29, 2023</div>`),
			want: time.Date(2023, 9, 27, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "an update is the last resort; a time element in the footer is not the page's",
			body: article(`<div class="post-meta">Updated Sep 29, 2023</div>`) + `<footer><time datetime="2023-09-30">x</time></footer>`,
			want: time.Date(2023, 9, 29, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "no date: dates in the article text describe events",
			body: `<div class="flash"><h1>闲鱼上线微信小程序 支持微信支付</h1><div class="flash-body"><p>阿里巴巴旗下二手交易平台闲鱼已在微信上线小程序，用户在微信内即可浏览闲置商品并下单购买。</p><p>据了解，闲鱼小程序于2024年1月上线。早在2021年9月，闲鱼就已向微信支付提交过接入申请。</p></div></div>`,
			want: time.Time{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pageURL := tt.pageURL
			if pageURL == "" {
				pageURL = "https://news.example/a/123"
			}
			art, err := Parse(doc(`<title>Taobao adds WeChat Pay</title>`+tt.head, tt.body), "", pageURL, Options{Location: tt.loc})
			if err != nil {
				t.Fatal(err)
			}
			if !art.Published.Equal(tt.want) {
				t.Fatalf("Published = %v, want %v", art.Published, tt.want)
			}
			if !tt.want.IsZero() {
				_, gotOff := art.Published.Zone()
				_, wantOff := tt.want.Zone()
				if gotOff != wantOff {
					t.Errorf("offset = %d, want %d", gotOff, wantOff)
				}
			}
		})
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []string // paragraphs that must be lines of Text, in order
		without []string // strings that must not appear
	}{
		{
			name: "wordpress post with comments, post navigation and sidebar",
			body: `<header id="masthead"><nav><a href="/">Home</a><a href="/c">China Tech</a></nav></header>
<main><article class="post"><header class="entry-header"><h1 class="entry-title">Alibaba apps take WeChat Pay</h1>
<div class="entry-meta">by <a href="/a">Daniel Ho</a></div></header>
<div class="entry-content"><p>Several consumer apps owned by Alibaba Group now let shoppers check out with WeChat Pay, the wallet run by Tencent.</p>
<p>Alibaba confirmed the change, which comes two weeks after regulators told platforms to stop blocking each other.</p>
<p class="see-also"><strong>SEE ALSO: </strong><a href="/x">Taobao adds WeChat Pay for all merchants</a></p>
<p>In a short statement, Alibaba said it was willing to work with other platforms, and move forward together.</p></div>
<footer class="entry-footer">Tagged <a href="/t/a">Alibaba</a></footer></article>
<nav class="navigation post-navigation"><a rel="prev" href="#">Previous Post: MIIT tells platforms to lift link blocking</a></nav>
<div id="comments" class="comments-area"><ol class="comment-list"><li class="comment"><div class="comment-content"><p>Finally. Now do Taobao and Tmall, which still do not take WeChat Pay at all.</p></div></li></ol></div></main>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2><ul><li><a href="/1">WeChat lets users open Taobao links directly in chats</a></li><li><a href="/2">Meituan pulls Alipay from checkout for some users</a></li></ul></section></aside>
<footer class="site-footer">© Daily Wire. Proudly powered by WordPress.</footer>`,
			want: []string{
				"Several consumer apps owned by Alibaba Group now let shoppers check out with WeChat Pay, the wallet run by Tencent.",
				"Alibaba confirmed the change, which comes two weeks after regulators told platforms to stop blocking each other.",
				"In a short statement, Alibaba said it was willing to work with other platforms, and move forward together.",
			},
			without: []string{"SEE ALSO", "Taobao adds WeChat Pay for all merchants", "Previous Post", "Finally. Now do", "Recent Posts", "WeChat lets users open", "Meituan pulls", "Daniel Ho", "Tagged", "Proudly powered", "China Tech"},
		},
		{
			name: "lead paragraph outside the body container",
			body: `<div class="article-wrap"><h1 class="headline">Some Taobao shoppers can now pay with WeChat Pay directly</h1>
<p class="dek">Unlike the QR-code workaround trialled since 2022, the new option hands the payment straight to WeChat.</p>
<div class="byline">By <a href="/p">Priya</a> · Feb 21, 2024</div>
<div class="article-body"><p>A number of Taobao users found this week that they could check out with WeChat Pay directly, without the QR-code workaround.</p>
<p>Taobao customer service said the option is being opened gradually, to some users and for some products only, and it will cover everyone.</p>
<p>Neither Alibaba nor Tencent commented on the latest test, and the companies did not say when the trial would end.</p></div>
<div class="newsletter-cta"><p>Sign up for our China Tech newsletter and get the briefing every weekday in your inbox.</p></div>
<aside class="read-more"><h4>Read more</h4><ul><li><a href="/x">Alimama and Tencent Ads open WeChat Channels traffic to Taobao</a></li></ul></aside></div>`,
			want: []string{
				"Unlike the QR-code workaround trialled since 2022, the new option hands the payment straight to WeChat.",
				"A number of Taobao users found this week that they could check out with WeChat Pay directly, without the QR-code workaround.",
			},
			without: []string{"Sign up", "Alimama and Tencent Ads", "Read more", "Priya"},
		},
		{
			name: "chinese portal page with related news, hot ranking and comments",
			body: `<div class="top-nav"><a href="/">首页</a> | <a href="/tech/">科技</a></div>
<div class="main"><div class="left"><div class="article"><h1 class="article-title">淘特App悄然上线微信支付</h1>
<div class="article-info"><span class="pubtime">2024-08-20 07:45</span><span class="source">来源：财经快报</span></div>
<div class="article-content" id="artibody"><p>8月19日，有消费者向记者反映，淘宝旗下的淘特App在付款方式中新增了微信支付。</p>
<p>淘特客服表示，微信支付能力正在逐步开放，用户能否使用以订单页面显示的信息为准。</p>
<p>今年以来，淘宝也开始面向部分用户开放微信支付，业内人士认为这是全面接入的前奏。</p></div>
<div class="editor">（责任编辑：何伟）</div><div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></div>
<div class="related-news"><h3>相关新闻</h3><ul><li><a href="/1">无需下载钉钉 微信用户可直接加入钉钉会议</a></li></ul></div>
<div class="comment-box"><h3>网友评论</h3><p class="tip">已有95人参与 | 登录后发表评论</p></div></div>
<div class="right"><div class="hot-rank"><h3>热门排行</h3><ol><li><a href="#">淘宝天猫发布公告：拟全面接入微信支付</a></li></ol></div></div></div>`,
			want: []string{
				"8月19日，有消费者向记者反映，淘宝旗下的淘特App在付款方式中新增了微信支付。",
				"淘特客服表示，微信支付能力正在逐步开放，用户能否使用以订单页面显示的信息为准。",
				"今年以来，淘宝也开始面向部分用户开放微信支付，业内人士认为这是全面接入的前奏。",
			},
			without: []string{"责任编辑", "分享到", "相关新闻", "钉钉", "网友评论", "热门排行", "拟全面接入", "来源", "首页"},
		},
		{
			name: "paragraphs split by br in one div",
			body: `<div id="content"><h1>Title of the story here</h1><div class="text">First paragraph of the story, with enough words to count as one.<br><br>Second paragraph, which also carries enough words, commas, and weight.<br>Third line, short but part of it.</div></div>`,
			want: []string{
				"First paragraph of the story, with enough words to count as one.",
				"Second paragraph, which also carries enough words, commas, and weight.",
				"Third line, short but part of it.",
			},
		},
		{
			name: "a wrapper with an advertising class does not hide the article",
			body: `<div class="page-ad-margins"><div class="article-body">` + para("The update") + para("The rollout") + para("The trial") + `</div></div><div class="sidebar"><p>Unrelated sidebar text that should not show up in the article text at all.</p></div>`,
			want: []string{
				"The update was announced on a busy morning, and the company said the change would reach most users within weeks, according to people familiar with the plan.",
			},
			without: []string{"Unrelated sidebar"},
		},
		{
			name: "hidden and script content",
			body: `<article><h1>Story</h1><div class="entry-content">` + para("The update") + `<p style="display:none">Hidden teaser text here.</p><script>var x = "script text";</script><p hidden>Hidden too.</p></div></article>`,
			want: []string{
				"The update was announced on a busy morning, and the company said the change would reach most users within weeks, according to people familiar with the plan.",
			},
			without: []string{"Hidden", "script text"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, err := Parse(doc(`<title>Story</title>`, tt.body), "text/html; charset=utf-8", "https://news.example/a/1", Options{})
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(art.Text, "\n")
			i := 0
			for _, l := range lines {
				if i < len(tt.want) && l == tt.want[i] {
					i++
				}
			}
			if i < len(tt.want) {
				t.Errorf("Text lacks paragraph %q as a line, in order; Text:\n%s", tt.want[i], art.Text)
			}
			for _, w := range tt.without {
				if strings.Contains(art.Text, w) {
					t.Errorf("Text contains %q:\n%s", w, art.Text)
				}
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	long := para("The update") + para("The rollout")
	tests := []struct {
		name    string
		head    string
		body    string
		pageURL string
		want    map[string]string // field → value
	}{
		{
			name:    "canonical resolved against base href",
			head:    `<base href="https://cdn.example/news/"><link rel="canonical" href="2024/09/story.html#top">`,
			body:    long,
			pageURL: "https://news.example/a?id=1",
			want:    map[string]string{"canonical": "https://cdn.example/news/2024/09/story.html", "url": "https://news.example/a?id=1"},
		},
		{
			name:    "og:url when there is no canonical link",
			head:    `<meta property="og:url" content="/story/1">`,
			body:    long,
			pageURL: "https://news.example/amp/story/1",
			want:    map[string]string{"canonical": "https://news.example/story/1"},
		},
		{
			name:    "no canonical",
			body:    long,
			pageURL: "https://news.example/a",
			want:    map[string]string{"canonical": ""},
		},
		{
			name: "site name from og:site_name",
			head: `<title>Story | Something Else</title><meta property="og:site_name" content="Daily Wire">`,
			body: long,
			want: map[string]string{"site": "Daily Wire"},
		},
		{
			name: "site name cut from the title",
			head: `<title>Taobao adds WeChat Pay – Daily Wire</title>`,
			body: `<h1>Taobao adds WeChat Pay</h1>` + long,
			want: map[string]string{"site": "Daily Wire", "title": "Taobao adds WeChat Pay"},
		},
		{
			name: "english text is en",
			body: long,
			want: map[string]string{"lang": "en"},
		},
		{
			name: "chinese text is zh whatever html lang says",
			head: `<title>淘宝</title>`,
			body: `<p>淘宝正式接入微信支付，用户在淘宝下单时可以选择微信支付付款，阿里巴巴与腾讯的互联互通又向前迈了一步。</p>`,
			want: map[string]string{"lang": "zh"},
		},
		{
			name: "german from html lang",
			body: `<p>Die Bundesregierung hat am Dienstag neue Regeln für digitale Plattformen vorgestellt, die ab dem kommenden Jahr gelten sollen.</p>`,
			want: map[string]string{"lang": "de"},
		},
		{
			name: "japanese",
			body: `<p>トレンドマイクロは、公衆無線LANを安全に使うためのアプリを発表した。これにより、ユーザーは安心して接続できるようになる。</p>`,
			want: map[string]string{"lang": "ja"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := doc(tt.head, tt.body)
			if tt.name == "german from html lang" {
				page = []byte(strings.Replace(string(page), "<html>", `<html lang="de-DE">`, 1))
			}
			art, err := Parse(page, "", tt.pageURL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k := range tt.want {
				switch k {
				case "canonical":
					got[k] = art.Canonical
				case "url":
					got[k] = art.URL
				case "site":
					got[k] = art.SiteName
				case "title":
					got[k] = art.Title
				case "lang":
					got[k] = art.Lang
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCharset(t *testing.T) {
	html := `<html><head><title>淘宝正式接入微信支付_科技_新闻网</title></head><body><h1>淘宝正式接入微信支付</h1>` +
		`<div class="info">2024年09月04日 10:30</div><div class="txt"><p>淘宝正式接入微信支付，用户在淘宝下单时可以选择微信支付付款。𠀀</p></div></body></html>`
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"", "text/html", "text/html; charset=gbk", "text/html; charset=utf-8"} {
		art, err := Parse([]byte(gbk), ct, "", Options{Location: shanghai})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"淘宝正式接入微信支付", "2024-09-04", "淘宝正式接入微信支付，用户在淘宝下单时可以选择微信支付付款。𠀀", "zh"}
		got := []string{art.Title, art.Published.Format("2006-01-02"), art.Text, art.Lang}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("content type %q (-want +got):\n%s", ct, diff)
		}
	}
}

func TestParseTooDeep(t *testing.T) {
	body := strings.Repeat("<div>", 600) + "text" + strings.Repeat("</div>", 600)
	_, err := Parse([]byte(body), "", "https://news.example/a", Options{})
	if !errors.Is(err, ErrUnparsable) {
		t.Errorf("Parse of a page nested 600 deep: error = %v, want ErrUnparsable", err)
	}
}

func TestParseEmpty(t *testing.T) {
	_, err := Parse(nil, "", "https://news.example/a", Options{})
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("Parse(nil) error = %v, want ErrEmpty", err)
	}
	art, err := Parse([]byte("<html><body></body></html>"), "", "https://news.example/a", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("https://news.example/a", art.URL); diff != "" || art.Title != "" || art.Text != "" || !art.Published.IsZero() {
		t.Errorf("empty page gave %+v", art)
	}
}
