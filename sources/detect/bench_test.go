package detect

import (
	"strings"
	"testing"

	"github.com/wallwatch/worker/sources"
)

// Typical pages of a news stream: most name neither giant, or only one.
var (
	plainEN = sources.Article{
		Title:     "Xiaomi's electric SUV orders top 200,000 as price war deepens",
		Published: day(2025, 6, 27),
		Text: strings.Repeat("Xiaomi said on Thursday that orders for its new electric SUV passed 200,000 within 18 hours of launch, "+
			"putting pressure on rivals such as BYD, NIO and Tesla in the world's largest car market. "+
			"The company priced the base model at 253,500 yuan, about 4% below the Tesla Model Y, and said deliveries would start next month. "+
			"Analysts at Jefferies expect price competition to intensify in the second half as carmakers fight for market share.\n"+
			"Shares of Xiaomi rose 6% in Hong Kong trading. Lei Jun, the company's founder, told reporters that the factory in Beijing "+
			"would add a second production line by the end of the year, doubling capacity.\n", 3),
	}
	plainZH = sources.Article{
		Title:     "小米YU7大定突破20万台 新能源车价格战持续升级",
		Published: day(2025, 6, 27),
		Text: strings.Repeat("6月26日晚，小米集团发布旗下首款SUV车型YU7，上市18小时锁定订单突破20万台。"+
			"该车起售价为25.35万元，较特斯拉Model Y低约4%，预计下月开始交付。"+
			"分析人士认为，下半年新能源汽车市场的价格竞争将进一步加剧，比亚迪、蔚来等车企面临更大压力。\n"+
			"受此消息影响，小米集团股价在港股市场上涨6%。雷军表示，北京工厂二期将于年底前投产，产能将翻一番。\n", 3),
	}
	// One giant only: the other side is missing, so nothing can connect.
	oneSideEN = sources.Article{
		Title:     "Alibaba's Taobao rolls out AI shopping assistant to all users",
		Published: day(2025, 6, 27),
		Text: strings.Repeat("Alibaba's Taobao said on Friday that its AI shopping assistant is now available to all users, "+
			"after a three-month test with merchants on Tmall. The assistant can compare prices, summarise reviews and "+
			"answer questions about delivery times, the company said.\n"+
			"Alipay, the payment service run by Ant Group, will support the assistant's one-tap checkout from next month.\n", 3),
	}
)

// corpusArticle returns the corpus article with the given label ID.
func corpusArticle(b *testing.B, id string) sources.Article {
	labels, arts := corpusArticles(b)
	for i, l := range labels {
		if l.ID == id {
			return arts[i]
		}
	}
	b.Fatalf("no corpus article %q", id)
	return sources.Article{}
}

// BenchmarkDetect measures detection alone (parsing excluded) on typical
// pages without an interconnection, on event articles and over the whole
// corpus; it reports articles per second.
func BenchmarkDetect(b *testing.B) {
	det := New(DefaultLexicon())
	run := func(b *testing.B, arts ...sources.Article) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			det.Detect(arts[n%len(arts)], corpusNow)
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
	}
	b.Run("plain-en", func(b *testing.B) { run(b, plainEN) })
	b.Run("plain-zh", func(b *testing.B) { run(b, plainZH) })
	b.Run("one-side-en", func(b *testing.B) { run(b, oneSideEN) })
	b.Run("event-en", func(b *testing.B) { run(b, corpusArticle(b, "en-taobao-wechatpay-trial-2024")) })
	b.Run("event-zh", func(b *testing.B) { run(b, corpusArticle(b, "zh-taote-wechatpay")) })
	b.Run("corpus", func(b *testing.B) {
		_, arts := corpusArticles(b)
		run(b, arts...)
	})
}

// BenchmarkNew measures compiling the default lexicon and cue vocabulary.
func BenchmarkNew(b *testing.B) {
	l := DefaultLexicon()
	for b.Loop() {
		New(l)
	}
}

// streamPages returns pages like those of a news stream without an
// interconnection: words of the trade in English, common characters in
// Chinese, 10 to 22 paragraphs each.
func streamPages(zh bool, n int) []sources.Article {
	words := strings.Fields("market platform users payment growth quarter revenue cloud model launch service app merchants " +
		"traffic advertising video social commerce logistics data privacy regulation policy analysts " +
		"investors shares competition strategy technology consumers retail online mobile customers " +
		"delivery feature update partners ecosystem network content creators live streaming search")
	chars := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质")
	seed := uint32(11)
	next := func(k int) int { // a small LCG: the pages are the same on every run
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % k
	}
	pages := make([]sources.Article, n)
	for i := range pages {
		var b strings.Builder
		for p := 10 + next(13); p > 0; p-- {
			if zh {
				for c := 120 + next(141); c > 0; c-- {
					b.WriteRune(chars[next(len(chars))])
				}
				b.WriteString("。\n")
				continue
			}
			for w := 60 + next(81); w > 0; w-- {
				b.WriteString(words[next(len(words))])
				b.WriteByte(' ')
			}
			b.WriteString("end.\n")
		}
		title := "Source report: market platform users"
		if zh {
			title = "第12号源 报道 3"
		}
		pages[i] = sources.Article{Title: title, Text: b.String()}
	}
	return pages
}

// BenchmarkMayConnect measures the presence scan alone on stream pages
// without an interconnection; it reports bytes per second of text.
func BenchmarkMayConnect(b *testing.B) {
	det := New(DefaultLexicon())
	run := func(b *testing.B, arts []sources.Article) {
		size := 0
		for _, a := range arts {
			size += len(a.Title) + len(a.Text)
		}
		b.SetBytes(int64(size / len(arts)))
		n := 0
		for b.Loop() {
			a := arts[n%len(arts)]
			if det.mayConnect(a.Title, a.Text) {
				b.Fatal("a stream page without names passes")
			}
			n++
		}
	}
	b.Run("stream-en", func(b *testing.B) { run(b, streamPages(false, 16)) })
	b.Run("stream-zh", func(b *testing.B) { run(b, streamPages(true, 16)) })
	b.Run("plain-en", func(b *testing.B) { run(b, []sources.Article{plainEN}) })
	b.Run("plain-zh", func(b *testing.B) { run(b, []sources.Article{plainZH}) })
	b.Run("one-side-en", func(b *testing.B) { run(b, []sources.Article{oneSideEN}) })
}
