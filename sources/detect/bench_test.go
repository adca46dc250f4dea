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
