package detect

import (
	"testing"

	"github.com/wallwatch/worker/sources"
)

// TestStatementClasses holds, per class of wording, invented sentences in
// both languages and the headline events they must give (kind/stage by
// kind; "" when the kind must not be reported).
func TestStatementClasses(t *testing.T) {
	tests := []struct {
		class, name string
		title, text string
		want        map[sources.Kind]sources.Stage
	}{
		// A participle naming an entity of another kind is a statement of
		// its own, not a widening of the one before.
		{"participle of another kind", "en", "", "Alibaba's Fliggy has opened a hotel-booking mini program inside WeChat, letting travellers pay with WeChat Pay at checkout.",
			map[sources.Kind]sources.Stage{kMiniProgram: kLaunched, kPayment: kLaunched}},
		{"participle of another kind", "en lowercase", "", "youku launched a mini program on wechat this week, allowing members to renew with wechat pay.",
			map[sources.Kind]sources.Stage{kMiniProgram: kLaunched, kPayment: kLaunched}},
		{"participle of the same kind", "en", "", "Taobao has added WeChat Pay at checkout, allowing shoppers to settle orders with it.",
			map[sources.Kind]sources.Stage{kPayment: kLaunched}},
		// "The payment method is WeChat Pay" states the connection.
		{"payment method is", "zh", "", "盒马已在微信上线小程序，付款方式为微信支付。",
			map[sources.Kind]sources.Stage{kMiniProgram: kLaunched, kPayment: kLaunched}},
		{"payment method is", "en", "", "Orders in Freshippo's new WeChat storefront are paid with WeChat Pay.",
			map[sources.Kind]sources.Stage{kPayment: kLaunched}},
		// A wallet named only as a place on the screen is no participant.
		{"wallet as a position", "en", "", "Some users now see the WeChat Pay option on Fliggy's checkout, listed below the Alipay button.",
			map[sources.Kind]sources.Stage{kPayment: kTesting}},
		{"wallet as a position", "zh", "", "飞猪收银台已新增微信支付选项，位置在支付宝下方。",
			map[sources.Kind]sources.Stage{kPayment: kLaunched}},
		// "to" after enables/lets/allows is a complement, not a future.
		{"governed infinitive", "en title", "Cainiao Enables Shoppers to Track Parcels in WeChat", "",
			map[sources.Kind]sources.Stage{kLogistics: kLaunched}},
		{"governed infinitive", "en title, future kept", "Cainiao to Let Shoppers Track Parcels in WeChat", "",
			map[sources.Kind]sources.Stage{kLogistics: kAnnounced}},
		// A first batch or an initial audience restricts a roll-out.
		{"initial audience", "en", "", "For now only the first batch of brand merchants can buy WeChat Moments ads through Alimama.",
			map[sources.Kind]sources.Stage{kAdvertising: kTesting}},
		{"initial audience", "zh", "", "阿里妈妈已开放朋友圈广告投放，首批仅面向品牌商家。",
			map[sources.Kind]sources.Stage{kAdvertising: kTesting}},
		// A market-share comparison is rivalry, not a connection.
		{"market share", "en lowercase", "what ant's ipo halt means for alipay and wechat pay competition", "in mobile payment, alipay share is about 55 percent and wechat pay share is about 39 percent.",
			map[sources.Kind]sources.Stage{}},
		{"market share", "zh", "支付宝与微信支付的市场份额之争", "移动支付市场中，支付宝占据约五成份额，微信支付占比约四成。",
			map[sources.Kind]sources.Stage{}},
		// Under a title that asks or says what does not work, news further
		// down is an aside.
		{"explainer title", "en", "Why you still cannot send a Taobao link to a WeChat group", "Group chats still show a warning page for Taobao links.\nThe walls came down only partly.\nThe reason is old.\nAt the margins, Alibaba apps such as Youku now take WeChat Pay.",
			map[sources.Kind]sources.Stage{}},
		{"explainer title", "zh", "为什么微信群里还是打不开淘宝链接", "微信群里的淘宝链接仍然无法直接打开。\n原因由来已久。\n业内人士说，墙只拆了一半。\n不过，饿了么等阿里系应用现已支持微信支付。",
			map[sources.Kind]sources.Stage{}},
		// A rumour denied, or a plan denied in the same clause, is no event.
		{"plan denied", "zh traditional", "騰訊否認微信將全面開放淘寶群組連結", "網上近日流傳微信將全面開放群組內的淘寶連結，騰訊回應指消息不實。",
			map[sources.Kind]sources.Stage{}},
		{"plan denied", "en", "Tencent denies WeChat will open group chats to Taobao links", "Rumours circulating online said WeChat would fully open group chats to Taobao links; Tencent called the report false.",
			map[sources.Kind]sources.Stage{}},
		// A side that joins without an object joins the statement before.
		{"joining side", "zh title", "淘宝闪购在微信小范围测试小程序 饿了么门店供给接入", "",
			map[sources.Kind]sources.Stage{kMiniProgram: kTesting}},
		// A barrier still in place (copy the link, a warning, intercepted)
		// describes how things are, not a connection; one removed is.
		{"barrier in place", "en", "", "Tapping a Taobao link inside WeChat brings up a prompt to copy it and open it in a browser.",
			map[sources.Kind]sources.Stage{}},
		{"barrier in place", "zh", "", "目前，微信里的淘宝商品链接点击后会被拦截，用户需复制到浏览器中打开。",
			map[sources.Kind]sources.Stage{}},
		{"barrier in place", "zh forum", "", "在淘宝里点分享到微信，页面提示已复制口令，去微信粘贴给好友。",
			map[sources.Kind]sources.Stage{}},
		{"barrier removed", "en", "", "Taobao links now open directly in WeChat, with no need to copy them into a browser.",
			map[sources.Kind]sources.Stage{kLinks: kLaunched}},
		{"barrier removed", "zh", "", "微信已可直接打开淘宝链接，无需复制口令。",
			map[sources.Kind]sources.Stage{kLinks: kLaunched}},
		{"barrier with a halt", "zh", "", "微信再次屏蔽淘宝链接，用户需复制口令才能打开。",
			map[sources.Kind]sources.Stage{kLinks: kHalted}},
		// Each side on its own (分别, 各自, respectively): what follows about
		// each is no event between them.
		{"each on its own", "zh title", "微信支付、支付宝分别与银联云闪付互认 各自覆盖商户扩大", "",
			map[sources.Kind]sources.Stage{}},
		{"each on its own", "en", "", "Alipay and WeChat Pay opened their codes to UnionPay's QuickPass respectively, and each now reaches more merchants.",
			map[sources.Kind]sources.Stage{}},
		// A generic mini program housed in the other side's app is that
		// app's, not WeChat's.
		{"mini program in another app", "en", "WeChat adds a new chat feature", "Freshippo has also opened a mini program inside the Alipay app.",
			map[sources.Kind]sources.Stage{}},
		{"mini program in another app", "zh", "微信上线新功能", "盒马在支付宝里的小程序已经上线。",
			map[sources.Kind]sources.Stage{}},
		{"mini program in WeChat", "en", "WeChat adds a new chat feature", "Freshippo has also opened a mini program inside WeChat.",
			map[sources.Kind]sources.Stage{kMiniProgram: kLaunched}},
		// A wallet a third party relied on before is no participant.
		{"wallet relied on before", "en lowercase", "", "douyin mall recently let more users use alipay pay order, before mainly use douyin pay and wechat pay.",
			map[sources.Kind]sources.Stage{}},
		{"wallet relied on before", "zh", "", "抖音商城近日向更多用户开放支付宝付款，此前主要使用抖音支付和微信支付。",
			map[sources.Kind]sources.Stage{}},
		// The barrier may follow a colon that spells it out.
		{"barrier in place", "en after a colon", "", "Send a Taobao link to a WeChat group and see: a warning page, then a detour through the browser.",
			map[sources.Kind]sources.Stage{}},
		{"barrier in place", "zh after a colon", "", "在微信群里发一条淘宝链接试试：弹出风险提示，只能复制到浏览器。",
			map[sources.Kind]sources.Stage{}},
		{"mini program in another app", "zh launched on", "微信支付新增商户", "饿了么近日在支付宝上线小程序，用户可直接点外卖。",
			map[sources.Kind]sources.Stage{}},
		{"mini program in another app", "en launched in", "WeChat Pay adds merchants", "Ele.me has launched a mini program in Alipay for ordering takeaway.",
			map[sources.Kind]sources.Stage{}},
		// A contest between the two is rivalry.
		{"contest", "zh title", "钉钉、企业微信AI之争：一个免费开放大模型，一个押注客户连接", "",
			map[sources.Kind]sources.Stage{}},
		{"contest", "en title", "The DingTalk-WeCom showdown: one opens its AI for free, the other bets on customer ties", "",
			map[sources.Kind]sources.Stage{}},
		// A wallet that only says which users are meant qualifies them.
		{"wallet qualifying users", "en", "", "Taobao shoppers who pay with WeChat Pay can now follow their parcels in WeChat.",
			map[sources.Kind]sources.Stage{kLogistics: kLaunched}},
		{"wallet qualifying users", "zh", "", "使用微信支付下单的淘宝用户，现在可以在微信里查看物流详情。",
			map[sources.Kind]sources.Stage{kLogistics: kLaunched}},
		// A headline's future: "X to appear in WeChat".
		{"headline future", "en title", "Taobao parcel updates to appear in WeChat", "",
			map[sources.Kind]sources.Stage{kLogistics: kAnnounced}},
		{"headline future", "en title, a debut", "Taote to debut a storefront inside WeChat", "",
			map[sources.Kind]sources.Stage{kMiniProgram: kAnnounced}},
	}
	for _, tt := range tests {
		t.Run(tt.class+"/"+tt.name, func(t *testing.T) {
			got := map[sources.Kind]sources.Stage{}
			for _, b := range heads(tt.title, tt.text) {
				if _, dup := got[b.Kind]; dup {
					t.Errorf("two headline events of kind %s: %+v", b.Kind, heads(tt.title, tt.text))
				}
				got[b.Kind] = b.Stage
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for k, st := range tt.want {
				if got[k] != st {
					t.Errorf("%s: got %q, want %q (all: %v)", k, got[k], st, got)
				}
			}
		})
	}
}
