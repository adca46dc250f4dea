package main

import (
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// renderPage writes an article page as a news site would serve it: a head
// full of meta, Open Graph and JSON-LD, inline styles and an application
// state blob, navigation, the article, a sidebar, reader comments, a footer
// and tracking scripts; 30–60 KB in all. It sets p.title and p.summary.
func renderPage(r *rand.Rand, p *page, url string) string {
	o := p.outlet
	zh := o.zh
	target := 30_000 + r.IntN(30_001)

	// The article itself.
	var paras []string
	if p.event != nil {
		p.title = p.event.title
		paras = append(paras, p.event.lead+sep(zh)+p.event.follow)
	} else {
		p.title = genericTitle(r, zh)
	}
	for range 5 + r.IntN(8) {
		paras = append(paras, paragraph(r, 3+r.IntN(3), zh))
	}
	p.summary = firstSentence(paras[0], zh)

	var head, body, tail strings.Builder
	writeHead(&head, r, p, url, paras)
	if zh && o.layout == 1 {
		writePortalBody(&body, r, p, paras)
	} else {
		writeStoryBody(&body, r, p, paras)
	}
	writeFooter(&tail, r, p)

	// Reader comments fill the page up to its size.
	var comments strings.Builder
	if zh {
		comments.WriteString(`<div class="comment-box"><h3>网友评论</h3><ul class="comment-list">` + "\n")
	} else {
		comments.WriteString(`<section class="comments" id="comments"><h3>Comments</h3><ol class="comment-list">` + "\n")
	}
	for n := 0; head.Len()+body.Len()+comments.Len()+tail.Len() < target; n++ {
		writeComment(&comments, r, p, n)
	}
	if zh {
		comments.WriteString("</ul></div>\n")
	} else {
		comments.WriteString("</ol></section>\n")
	}
	return head.String() + body.String() + comments.String() + "</main>\n" + tail.String()
}

func sep(zh bool) string {
	if zh {
		return ""
	}
	return " "
}

func firstSentence(s string, zh bool) string {
	end := ". "
	if zh {
		end = "。"
	}
	if i := strings.Index(s, end); i >= 0 {
		return s[:i+len(strings.TrimSpace(end))]
	}
	return s
}

func htmlEsc(s string) string { return html.EscapeString(s) }

func xmlEsc(s string) string { return html.EscapeString(s) }

func writeHead(b *strings.Builder, r *rand.Rand, p *page, url string, paras []string) {
	o := p.outlet
	pub := p.published.Format(time.RFC3339)
	b.WriteString("<!DOCTYPE html>\n")
	if o.zh {
		b.WriteString(`<html lang="zh-CN">` + "\n<head>\n")
		switch {
		case o.gbk && o.layout == 0:
			b.WriteString(`<meta http-equiv="Content-Type" content="text/html; charset=gbk">` + "\n")
		case o.gbk:
			b.WriteString(`<meta charset="gbk">` + "\n")
		default:
			b.WriteString(`<meta charset="utf-8">` + "\n")
		}
	} else {
		b.WriteString(`<html lang="en">` + "\n<head>\n" + `<meta charset="utf-8">` + "\n")
	}
	title := htmlEsc(p.title)
	desc := htmlEsc(p.summary)
	fmt.Fprintf(b, `<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>%s | %s</title>
<meta name="description" content="%s">
<meta name="keywords" content="%s">
<meta name="robots" content="index,follow,max-image-preview:large">
<link rel="canonical" href="%s">
<link rel="alternate" type="application/rss+xml" title="%s" href="%s">
<meta property="og:site_name" content="%s">
<meta property="og:type" content="article">
<meta property="og:title" content="%s">
<meta property="og:description" content="%s">
<meta property="og:url" content="%s">
<meta property="og:image" content="https://img.%s.example/%d/lead.jpg">
<meta property="article:published_time" content="%s">
<meta property="article:section" content="%s">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@%s">
`, title, htmlEsc(o.brand), desc, htmlEsc(keywords(r, o.zh)), url, htmlEsc(o.brand), o.feedPath(), htmlEsc(o.brand),
		title, desc, url, o.name, p.id, pub, o.section, o.name)
	ld := map[string]any{
		"@context": "https://schema.org", "@type": "NewsArticle", "headline": p.title,
		"description": p.summary, "datePublished": pub, "dateModified": pub,
		"author":           []map[string]string{{"@type": "Person", "name": author(p)}},
		"publisher":        map[string]any{"@type": "Organization", "name": o.brand, "logo": map[string]string{"@type": "ImageObject", "url": "https://img." + o.name + ".example/logo.png"}},
		"mainEntityOfPage": map[string]string{"@type": "WebPage", "@id": url},
		"inLanguage":       lang(o),
	}
	if r.IntN(3) == 0 {
		ld["articleBody"] = strings.Join(paras, "\n")
	}
	j, _ := json.Marshal(ld)
	fmt.Fprintf(b, `<script type="application/ld+json">%s</script>
<link rel="preconnect" href="https://cdn.%s.example">
<link rel="stylesheet" href="https://cdn.%s.example/css/app.%08x.css">
<link rel="icon" href="/favicon.ico">
`, j, o.name, o.name, r.Uint32())
	b.WriteString("<style>\n")
	writeCSS(b, r)
	b.WriteString("</style>\n")
	b.WriteString("<script>window.__APP_STATE__ = ")
	writeState(b, r, p)
	b.WriteString(";</script>\n")
	fmt.Fprintf(b, `<script async src="https://tags.analytics.example/gtag/js?id=G-%08X"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-%08X',{content_group:'%s'});</script>
</head>
`, r.Uint32(), r.Uint32(), o.section)
}

func keywords(r *rand.Rand, zh bool) string {
	ws := enSections
	if zh {
		ws = zhSections
	}
	out := make([]string, 4)
	for i := range out {
		out[i] = pick(r, ws)
	}
	return strings.Join(out, ",")
}

var cssSelectors = []string{
	".masthead", ".brand", ".sections a", ".ticker li", ".story .kicker", ".headline", ".dek", ".byline",
	".lead-image img", ".article-body p", ".article-body blockquote", ".related-inline", ".tags li",
	".sidebar section", ".most-read ol li", ".newsletter input", ".comment", ".comment-meta",
	".site-footer nav a", ".ad-slot", ".share button", "#nav a", ".info", ".txt p", ".box h4",
}

var cssProps = []string{
	"margin:0 auto", "padding:12px 16px", "font-size:15px", "line-height:1.6", "color:#222",
	"background:#f7f7f7", "border-bottom:1px solid #e5e5e5", "display:flex", "gap:8px",
	"font-weight:600", "text-decoration:none", "max-width:720px", "letter-spacing:.02em",
	"border-radius:4px", "font-family:Georgia,serif", "min-height:250px", "overflow:hidden",
}

// writeCSS writes 4–8 KB of inline stylesheet.
func writeCSS(b *strings.Builder, r *rand.Rand) {
	n := 60 + r.IntN(60)
	for i := range n {
		sel := pick(r, cssSelectors)
		if i%5 == 0 {
			fmt.Fprintf(b, "@media (max-width:%dpx){%s{%s;%s}}\n", 480+r.IntN(600), sel, pick(r, cssProps), pick(r, cssProps))
			continue
		}
		fmt.Fprintf(b, "%s{%s;%s;%s}\n", sel, pick(r, cssProps), pick(r, cssProps), pick(r, cssProps))
	}
}

// writeState writes an application state blob of 3–10 KB, as single-page
// news front ends embed.
func writeState(b *strings.Builder, r *rand.Rand, p *page) {
	o := p.outlet
	type slot struct {
		ID      string   `json:"id"`
		Sizes   []string `json:"sizes"`
		Refresh int      `json:"refresh"`
		Targets []string `json:"targeting"`
	}
	type navItem struct {
		Label string `json:"label"`
		Href  string `json:"href"`
		Items int    `json:"items"`
	}
	state := map[string]any{
		"page":        map[string]any{"id": p.id, "section": o.section, "lang": lang(o), "paywall": r.IntN(4) == 0, "words": 400 + r.IntN(900)},
		"experiments": map[string]string{},
		"ads":         []slot{},
		"nav":         []navItem{},
		"user":        map[string]any{"loggedIn": false, "region": pick(r, []string{"CN", "HK", "SG", "US", "DE"}), "consent": r.IntN(2) == 0},
	}
	exp := state["experiments"].(map[string]string)
	for i := range 10 + r.IntN(20) {
		exp[fmt.Sprintf("exp_%03d_%x", i, r.Uint32())] = pick(r, []string{"control", "variant_a", "variant_b", "holdout"})
	}
	var ads []slot
	for i := range 6 + r.IntN(10) {
		ads = append(ads, slot{ID: fmt.Sprintf("ad-%s-%d", o.section, i), Sizes: []string{"300x250", "728x90", "320x50"}[:1+r.IntN(3)],
			Refresh: 30 + r.IntN(60), Targets: []string{"sec=" + o.section, fmt.Sprintf("pos=%d", i), fmt.Sprintf("kw=%x", r.Uint64())}})
	}
	state["ads"] = ads
	secs := enSections
	if o.zh {
		secs = zhSections
	}
	var nav []navItem
	for _, s := range secs {
		nav = append(nav, navItem{Label: s, Href: "/" + strings.ToLower(s) + "/", Items: r.IntN(50)})
	}
	state["nav"] = nav
	j, _ := json.Marshal(state)
	b.Write(j)
}

// writeStoryBody is a modern article layout.
func writeStoryBody(b *strings.Builder, r *rand.Rand, p *page, paras []string) {
	o := p.outlet
	zh := o.zh
	secs := enSections
	if zh {
		secs = zhSections
	}
	fmt.Fprintf(b, `<body class="page-article section-%s">
<div class="topbar"><a href="/subscribe">%s</a> <a href="/login">%s</a> <span class="edition">%s</span></div>
<header class="masthead"><a class="brand" href="/">%s</a>
<nav class="sections"><ul>
`, o.section, tr(zh, "Subscribe", "订阅"), tr(zh, "Sign in", "登录"), tr(zh, "International edition", "国际版"), htmlEsc(o.brand))
	for _, s := range secs {
		fmt.Fprintf(b, `<li><a href="/%s/">%s</a></li>`, strings.ToLower(s), s)
	}
	fmt.Fprintf(b, "\n</ul></nav>\n"+`<form class="search" action="/search"><input type="search" name="q" placeholder="%s"><button>%s</button></form>
</header>
<div class="ticker"><span>%s</span><ul>`, tr(zh, "Search", "搜索"), tr(zh, "Go", "搜索"), tr(zh, "Latest", "最新"))
	for i := range 5 {
		fmt.Fprintf(b, `<li><a href="/%s/latest-%d-%d.html">%s</a></li>`, o.section, p.id, i, htmlEsc(genericTitle(r, zh)))
	}
	byline := p.published.Format("Jan 2, 2006 15:04")
	if zh {
		byline = p.published.Format("2006-01-02 15:04")
	}
	fmt.Fprintf(b, `</ul></div>
<main id="main-content">
<article class="story" data-id="%d">
<div class="kicker"><a href="/%s/">%s</a></div>
<h1 class="headline">%s</h1>
<p class="dek">%s</p>
<div class="byline">%s <a href="/author/%d">%s</a> <span class="sep">&middot;</span> <time datetime="%s">%s</time></div>
<div class="share"><button data-net="wechat">WeChat</button><button data-net="weibo">Weibo</button><button data-net="x">X</button><button data-net="mail">Email</button></div>
<figure class="lead-image"><img src="https://img.%s.example/%d/lead.jpg" alt="" width="1200" height="675" loading="eager"><figcaption>%s</figcaption></figure>
<div class="article-body" data-component="body">
`, p.id, o.section, pick(r, secs), htmlEsc(p.title), htmlEsc(p.summary), tr(zh, "By", "作者"), p.id%97, author(p),
		p.published.Format(time.RFC3339), byline, o.name, p.id, tr(zh, "Photo: Handout", "图片来源：网络"))
	for i, para := range paras {
		fmt.Fprintf(b, "<p>%s</p>\n", htmlEsc(para))
		if i == 2 {
			fmt.Fprintf(b, `<div class="related-inline"><strong>%s</strong> <a href="/%s/related-%d.html">%s</a></div>`+"\n",
				tr(zh, "Read more:", "相关阅读："), o.section, r.IntN(1e6), htmlEsc(genericTitle(r, zh)))
		}
		if i == 4 {
			fmt.Fprintf(b, `<div class="ad-slot" id="ad-inarticle-%d" data-size="300x250"></div>`+"\n", i)
		}
	}
	b.WriteString(`</div>` + "\n" + `<ul class="tags">`)
	for range 3 + r.IntN(4) {
		t := pick(r, secs)
		fmt.Fprintf(b, `<li><a href="/tag/%s">%s</a></li>`, strings.ToLower(t), t)
	}
	fmt.Fprintf(b, "</ul>\n</article>\n"+`<aside class="sidebar">
<section class="most-read"><h3>%s</h3><ol>`, tr(zh, "Most read", "热门文章"))
	for i := range 10 {
		fmt.Fprintf(b, `<li><a href="/%s/popular-%d-%d.html">%s</a></li>`, o.section, p.id, i, htmlEsc(genericTitle(r, zh)))
	}
	fmt.Fprintf(b, `</ol></section>
<div class="ad-slot" id="ad-mpu-1" data-size="300x250"></div>
<section class="newsletter"><h3>%s</h3><form><input type="email" placeholder="Email"><button>%s</button></form></section>
<section class="related"><h3>%s</h3><ul>
`, tr(zh, "Get our newsletter", "订阅我们的新闻简报"), tr(zh, "Sign up", "订阅"), tr(zh, "More from "+o.section, "更多报道"))
	for i := range 8 {
		fmt.Fprintf(b, `<li><a href="/%s/more-%d-%d.html"><span class="t">%s</span><span class="teaser">%s</span></a></li>`+"\n",
			o.section, p.id, i, htmlEsc(genericTitle(r, zh)), htmlEsc(paragraph(r, 1, zh)))
	}
	b.WriteString("</ul></section>\n</aside>\n")
}

// writePortalBody is the older layout of Chinese portals.
func writePortalBody(b *strings.Builder, r *rand.Rand, p *page, paras []string) {
	o := p.outlet
	fmt.Fprintf(b, `<body>
<div id="top"><a href="/">%s</a> <span class="slogan">关注互联网行业动态</span> <a href="/app/">客户端下载</a></div>
<div id="nav">`, htmlEsc(o.brand))
	for _, s := range zhSections {
		fmt.Fprintf(b, `<a href="/list/%x/">%s</a>`, []byte(s)[:2], s)
	}
	date := p.published.Format("2006年01月02日 15:04")
	if p.id%2 == 0 {
		date = p.published.Format("2006-01-02 15:04")
	}
	fmt.Fprintf(b, `</div>
<main id="container">
<div class="content">
<div class="crumb"><a href="/">首页</a> &gt; <a href="/%s/">%s</a> &gt; 正文</div>
<div class="title"><h1>%s</h1></div>
<div class="info">%s&nbsp;&nbsp;来源：%s&nbsp;&nbsp;编辑：%s&nbsp;&nbsp;<a href="javascript:;" class="fontsize">【字号 大 中 小】</a></div>
<div class="txt">
`, o.section, pick(r, zhSections), htmlEsc(p.title), date, htmlEsc(o.brand), author(p))
	for i, para := range paras {
		fmt.Fprintf(b, "<p>%s</p>\n", htmlEsc(para))
		if i == 3 {
			fmt.Fprintf(b, `<div class="adbox"><a href="/ad/%d"><img src="/ad/%d.gif" alt="广告"></a></div>`+"\n", r.IntN(100), r.IntN(100))
		}
	}
	fmt.Fprintf(b, `<p class="editor">（责任编辑：%s）</p>
</div>
<div class="pages"><a href="/%s/prev-%d.shtml" class="prev">上一篇：%s</a><br><a href="/%s/next-%d.shtml" class="next">下一篇：%s</a></div>
</div>
<div class="sidebar"><div class="box"><h4>推荐阅读</h4><ul>
`, author(p), o.section, p.id, htmlEsc(genericTitle(r, true)), o.section, p.id, htmlEsc(genericTitle(r, true)))
	for i := range 10 {
		fmt.Fprintf(b, `<li><a href="/%s/rec-%d-%d.shtml">%s</a></li>`+"\n", o.section, p.id, i, htmlEsc(genericTitle(r, true)))
	}
	b.WriteString(`</ul></div><div class="box"><h4>排行榜</h4><ol>`)
	for i := range 10 {
		fmt.Fprintf(b, `<li><em>%d</em><a href="/%s/top-%d-%d.shtml">%s</a></li>`, i+1, o.section, p.id, i, htmlEsc(genericTitle(r, true)))
	}
	b.WriteString("</ol></div></div>\n")
}

func writeComment(b *strings.Builder, r *rand.Rand, p *page, n int) {
	zh := p.outlet.zh
	lines, people := enCommentLines, enPeople
	if zh {
		lines, people = zhCommentLines, zhPeople
	}
	at := p.published.Add(time.Duration(5+r.IntN(600)) * time.Minute)
	text := pick(r, lines)
	if r.IntN(2) == 0 {
		text += sep(zh) + pick(r, lines)
	}
	fmt.Fprintf(b, `<li class="comment" id="c-%d-%d"><div class="comment-meta"><img class="avatar" src="/avatars/%d.png" alt=""><span class="author">%s</span> <time datetime="%s">%s</time></div><p>%s</p><div class="comment-actions"><button class="like" data-count="%d">%s</button><button class="reply">%s</button></div></li>`+"\n",
		p.id, n, r.IntN(5000), pick(r, people), at.Format(time.RFC3339), at.Format("2006-01-02 15:04"), htmlEsc(text), r.IntN(300),
		tr(zh, "Like", "赞"), tr(zh, "Reply", "回复"))
}

func writeFooter(b *strings.Builder, r *rand.Rand, p *page) {
	o := p.outlet
	zh := o.zh
	b.WriteString(`<footer class="site-footer">` + "\n")
	groups := [][]string{
		{"About us", "Contact", "Careers", "Advertise", "Licensing"},
		{"Privacy", "Terms of use", "Cookie settings", "Accessibility", "Corrections"},
		{"Newsletters", "Podcasts", "Events", "Apps", "RSS"},
	}
	if zh {
		groups = [][]string{
			{"关于我们", "联系方式", "加入我们", "广告服务", "版权声明"},
			{"隐私政策", "用户协议", "违法和不良信息举报", "网站地图", "意见反馈"},
			{"新闻简报", "播客", "活动", "客户端", "RSS订阅"},
		}
	}
	for _, g := range groups {
		b.WriteString("<nav>")
		for _, l := range g {
			fmt.Fprintf(b, `<a href="/%x">%s</a> `, []byte(l)[:3], l)
		}
		b.WriteString("</nav>\n")
	}
	if zh {
		fmt.Fprintf(b, "<p>%s 版权所有 &copy; 2025 京ICP备%08d号</p>\n</footer>\n", htmlEsc(o.brand), r.IntN(1e8))
	} else {
		fmt.Fprintf(b, "<p>&copy; 2025 %s. All rights reserved.</p>\n</footer>\n", htmlEsc(o.brand))
	}
	fmt.Fprintf(b, `<script>(function(){var s=document.createElement('script');s.src='https://metrics.%s.example/t.js?pid=%d&r='+Math.random();s.async=true;document.body.appendChild(s);window.addEventListener('scroll',function(){var d=document.documentElement;var pct=Math.round(100*d.scrollTop/(d.scrollHeight-d.clientHeight));if(pct%%25===0){navigator.sendBeacon&&navigator.sendBeacon('/beacon?depth='+pct)}});})();</script>
<script src="https://cdn.%s.example/js/vendor.%08x.js" defer></script>
<script src="https://cdn.%s.example/js/app.%08x.js" defer></script>
</body>
</html>
`, o.name, p.id, o.name, r.Uint32(), o.name, r.Uint32())
}

func tr(zh bool, en, zhs string) string {
	if zh {
		return zhs
	}
	return en
}
