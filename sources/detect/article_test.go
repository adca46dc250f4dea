package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 9, 30, 0, 0, shanghai) }

// brief is the part of an event these tests look at.
type brief struct {
	A, B     string // canonical names joined with "+"
	Kind     sources.Kind
	Stage    sources.Stage
	Date     string
	Headline bool
}

func briefOf(e sources.Event) brief {
	return brief{strings.Join(e.A, "+"), strings.Join(e.B, "+"), e.Kind, e.Stage, e.Date.String(), e.Headline}
}

// TestDetectArticles runs whole articles written for this test, in the
// styles of wire copy, tech blogs and Chinese portals, positives and
// negatives alike.
func TestDetectArticles(t *testing.T) {
	det := New(DefaultLexicon())
	tests := []struct {
		name string
		art  sources.Article
		want []brief // headline events, in order; nil: none
		bg   []brief // background events that must be among the rest
	}{
		{
			name: "en full rollout with earlier trial as background",
			art: sources.Article{
				Title:     "Taobao and Tmall roll out WeChat Pay to all shoppers",
				Published: day(2024, 9, 5),
				Text: "Alibaba's Taobao and Tmall began offering WeChat Pay to every user on Wednesday, finishing a rollout that started with a small trial in February.\n" +
					"Shoppers can now pick Tencent's wallet on the checkout page alongside Alipay.\n" +
					"Back in March 2022, Taobao let some users pay by scanning a WeChat QR code, a clumsy workaround that few people used.",
			},
			want: []brief{{"Taobao+Tmall", "WeChat Pay", kPayment, kLaunched, "2024-09-04", true}},
			bg:   []brief{{"Taobao", "WeChat+WeChat Pay", kPayment, kTesting, "2022-03", false}},
		},
		{
			name: "zh full rollout",
			art: sources.Article{
				Title:     "淘宝天猫全面接入微信支付",
				Published: day(2024, 9, 4),
				Text: "9月4日，淘宝、天猫宣布全面接入微信支付，用户下单时可以在收银台直接选择微信支付。\n" +
					"今年2月，淘宝曾面向部分用户小范围测试微信支付。\n" +
					"业内人士认为，此举有望为淘宝带来更多下沉市场用户。",
			},
			want: []brief{{"Taobao+Tmall", "WeChat Pay", kPayment, kLaunched, "2024-09-04", true}},
			bg:   []brief{{"Taobao", "WeChat Pay", kPayment, kTesting, "2024-02", false}},
		},
		{
			name: "en plan to share product cards",
			art: sources.Article{
				Title:     "Tmall plans to let shoppers share product cards in WeChat chats",
				Published: day(2024, 11, 7),
				Text: "Tmall plans to let shoppers send product cards with a picture and a price straight into WeChat conversations, a person familiar with the matter said on Thursday.\n" +
					"The feature is expected to go live before the end of the year. Tencent declined to comment.",
			},
			want: []brief{{"Tmall", "WeChat", kLinks, kAnnounced, "2024-11-07", true}},
		},
		{
			name: "zh payment option removed",
			art: sources.Article{
				Title:     "饿了么下线微信支付选项",
				Published: day(2025, 3, 12),
				Text: "近日，多名用户反映，饿了么App在结算页面已找不到微信支付入口，只能使用支付宝付款。\n" +
					"饿了么客服表示，相关调整属于支付渠道优化，暂无恢复时间表。\n" +
					"2021年9月，饿了么曾接入微信支付。",
			},
			want: []brief{{"Ele.me", "WeChat Pay", kPayment, kHalted, "2025-03", true}},
			bg:   []brief{{"Ele.me", "WeChat Pay", kPayment, kLaunched, "2021-09", false}},
		},
		{
			name: "en parcel tracking",
			art: sources.Article{
				Title:     "WeChat users can now track Cainiao parcels without leaving the app",
				Published: day(2024, 6, 18),
				Text: "Alibaba's logistics arm Cainiao said on Tuesday that WeChat users can now follow their deliveries and pick-up codes inside the messaging app.\n" +
					"Until now, shoppers had to open Cainiao's own app or Taobao to see where a parcel was.",
			},
			want: []brief{{"Cainiao", "WeChat", kLogistics, kLaunched, "2024-06-18", true}},
		},
		{
			name: "en amap mini program",
			art: sources.Article{
				Title:     "Amap opens a ride-hailing mini program inside WeChat",
				Published: day(2024, 5, 20),
				Text: "Alibaba's navigation app Amap has launched a mini program on Tencent's WeChat, letting users hail rides and look up routes without installing Amap.\n" +
					"The mini program went online last week, according to screenshots shared on Weibo.",
			},
			want: []brief{{"Amap", "WeChat+WeChat Mini Programs", kMiniProgram, kLaunched, "2024-05", true}},
		},
		{
			name: "zh ads on channels expanded",
			art: sources.Article{
				Title:     "阿里妈妈进一步扩大视频号广告投放 淘宝商家可直接购买朋友圈流量",
				Published: day(2024, 4, 2),
				Text: "4月1日，阿里妈妈宣布扩大与腾讯广告的合作范围，更多淘宝商家可以通过阿里妈妈在微信视频号和朋友圈投放广告，用户点击后直接跳转到淘宝店铺。\n" +
					"去年9月，双方已打通视频号广告与淘宝直播间。",
			},
			want: []brief{{"Taobao+Alimama", "WeChat Channels+Moments+Tencent Ads", kAdvertising, kExpanded, "2024-04-01", true}},
		},
		{
			name: "zh gray test of share cards",
			art: sources.Article{
				Title:     "闲鱼灰度测试商品卡片分享至微信",
				Published: day(2024, 7, 9),
				Text: "有网友发现，闲鱼App近日开始灰度测试新的分享功能，部分用户可以把商品以卡片形式直接分享到微信聊天，好友点击即可打开商品页面。\n" +
					"闲鱼客服称，该功能仍在测试中，后续将逐步开放给更多用户。",
			},
			want: []brief{{"Xianyu", "WeChat", kLinks, kTesting, "2024-07", true}},
		},
		{
			name: "en group chat links expanded",
			art: sources.Article{
				Title:     "WeChat extends Taobao link access to group chats",
				Published: day(2022, 2, 16),
				Text: "WeChat has widened the reach of its link rules: Taobao product links now open directly in group chats as well, users found on Tuesday.\n" +
					"Since November, such links could already be opened in one-to-one chats.",
			},
			want: []brief{{"Taobao", "WeChat", kLinks, kExpanded, "2022-02-15", true}},
		},
		{
			name: "zh workplace interop",
			art: sources.Article{
				Title:     "钉钉会议支持企业微信用户直接入会",
				Published: day(2025, 1, 8),
				Text: "钉钉1月7日宣布，企业微信用户收到钉钉会议链接后，无需下载钉钉即可直接加入会议。\n" +
					"钉钉方面表示，此举旨在方便跨组织协作。",
			},
			want: []brief{{"DingTalk", "WeCom", kWorkplace, kLaunched, "2025-01-07", true}},
		},
		{
			name: "en undated page, headline by text",
			art: sources.Article{
				Title: "Youku memberships can now be paid with WeChat Pay",
				Text: "Alibaba's streaming service Youku now accepts WeChat Pay for membership fees, the company said in a notice in May 2024.\n" +
					"Youku first added Tencent's wallet for some purchases in September 2021.",
			},
			want: []brief{{"Youku", "WeChat Pay", kPayment, kLaunched, "2024-05", true}},
		},
		// Second batch: other outlets' phrasing and harder negatives.
		{
			name: "en wire style with dateline and quote",
			art: sources.Article{
				Title:     "Alibaba's Fliggy adds WeChat Pay in latest thaw with Tencent",
				Published: day(2024, 10, 15),
				Text: "HANGZHOU, Oct 15 (Wire) - Alibaba's travel booking platform Fliggy has started accepting Tencent's WeChat Pay, a company spokesperson confirmed on Tuesday.\n" +
					"\"We want to give users more choice,\" the spokesperson said.\n" +
					"Fliggy is the latest Alibaba unit to take the rival wallet after Taobao and Tmall opened their checkouts to WeChat Pay in September.",
			},
			want: []brief{{"Fliggy", "WeChat Pay", kPayment, kLaunched, "2024-10-15", true}},
		},
		{
			name: "zh portal style links restored for QQ",
			art: sources.Article{
				Title:     "QQ率先解除对淘宝链接的屏蔽",
				Published: day(2021, 9, 14),
				Text: "9月13日晚，有网友发现，在QQ聊天中发送的淘宝链接已经可以直接打开，不再提示需要复制到浏览器。\n" +
					"此前，工信部要求各平台在9月17日前按标准解除屏蔽。\n" +
					"截至发稿，微信中的淘宝链接仍无法直接打开。",
			},
			want: []brief{{"Taobao", "QQ", kLinks, kLaunched, "2021-09-13", true}},
		},
		{
			name: "zh competition is not a connection",
			art: sources.Article{
				Title:     "微信上线“送礼物”功能 剑指淘宝",
				Published: day(2024, 12, 19),
				Text: "12月18日，微信小店上线“送礼物”功能，用户可以在微信中直接给好友送出商品。\n" +
					"有分析认为，这一功能将与淘宝、京东等电商平台形成直接竞争。",
			},
		},
		{
			name: "en jd logistics inside taobao has no tencent side",
			art: sources.Article{
				Title:     "Taobao adds JD Logistics as a delivery option",
				Published: day(2024, 9, 24),
				Text: "Alibaba's Taobao now lets merchants ship orders with JD Logistics, a unit of rival JD.com, the latest sign of China's platforms opening up.\n" +
					"Earlier this month Taobao began accepting Tencent's WeChat Pay for all users.",
			},
		},
		{
			name: "en both launch chatbots",
			art: sources.Article{
				Title:     "Tencent and Alibaba race to put chatbots into WeChat and Taobao",
				Published: day(2025, 2, 20),
				Text: "Tencent has added a chatbot search box to WeChat, while Alibaba is testing a shopping chatbot inside Taobao.\n" +
					"Both companies said the tools will be rolled out to more users in the coming weeks.",
			},
		},
		{
			name: "zh negated group chat and payment",
			art: sources.Article{
				Title:     "微信群聊仍无法直接打开淘宝链接",
				Published: day(2022, 3, 3),
				Text: "记者测试发现，目前在微信群聊中发送淘宝商品链接，仍需复制到浏览器才能打开。\n" +
					"淘宝也尚未接入微信支付。",
			},
		},
		{
			name: "en investment in the same startup",
			art: sources.Article{
				Title:     "Alibaba, Tencent back model maker Moonshot in new round",
				Published: day(2024, 8, 5),
				Text: "Moonshot raised US$300 million from investors including Alibaba and Tencent, people familiar with the deal said.\n" +
					"The start-up's Kimi chatbot competes with Alibaba's Tongyi and Tencent's Yuanbao.",
			},
		},
		{
			name: "zh cainiao mini program launched",
			art: sources.Article{
				Title:     "菜鸟裹裹上线微信小程序 可查询快递寄件",
				Published: day(2022, 8, 10),
				Text: "8月9日，菜鸟裹裹微信小程序正式上线，用户无需下载App，在微信内即可查询物流信息、预约上门取件。\n" +
					"这是菜鸟首次在微信推出官方小程序。",
			},
			want: []brief{{"Cainiao", "WeChat+WeChat Mini Programs", kMiniProgram, kLaunched, "2022-08-09", true}},
		},
		{
			name: "en halted mini program",
			art: sources.Article{
				Title:     "Tmall Youpin's WeChat mini program disappears weeks after launch",
				Published: day(2023, 8, 2),
				Text: "The Tmall Youpin mini program, which went live on WeChat in June, can no longer be found in WeChat search, users noticed this week.\n" +
					"Alibaba did not respond to a request for comment.",
			},
			want: []brief{{"Tmall", "WeChat+WeChat Mini Programs", kMiniProgram, kHalted, "2023-08", true}},
		},
		// Third batch: headline grammar, unblocking, rivalry.
		{
			name: "en headline infinitive is a plan",
			art: sources.Article{
				Title:     "Taobao to accept WeChat Pay from next month",
				Published: day(2024, 8, 28),
				Text: "Alibaba's Taobao will start taking Tencent's WeChat Pay for all orders from September, according to a notice sent to merchants on Wednesday.\n" +
					"Merchants do not need to change their settings, the notice said.",
			},
			want: []brief{{"Taobao", "WeChat Pay", kPayment, kAnnounced, "2024-09", true}},
		},
		{
			name: "zh restriction lifted",
			art: sources.Article{
				Title:     "微信解除对淘宝商品链接的限制",
				Published: day(2025, 2, 10),
				Text: "2月9日起，用户在微信中分享的淘宝商品链接可以直接打开，无需再复制到浏览器。\n" +
					"此前，淘宝链接在微信中长期受到限制。",
			},
			want: []brief{{"Taobao", "WeChat", kLinks, kLaunched, "2025-02-09", true}},
		},
		{
			name: "en arrives",
			art: sources.Article{
				Title:     "WeChat Pay arrives on Freshippo",
				Published: day(2022, 1, 12),
				Text:      "Shoppers at Alibaba's Freshippo supermarkets can now pay with WeChat Pay in the app and at self-checkout machines, the grocer said on Tuesday.",
			},
			want: []brief{{"Freshippo", "WeChat Pay", kPayment, kLaunched, "2022-01-11", true}},
		},
		{
			name: "en rivalry",
			art: sources.Article{
				Title:     "Alipay launches mini program push to rival WeChat",
				Published: day(2023, 5, 9),
				Text: "Alipay is offering merchants cash incentives to build mini programs on its platform, a bid to compete with Tencent's WeChat for small businesses.\n" +
					"WeChat hosts more than 3.5 million mini programs.",
			},
		},
		{
			name: "zh rivalry",
			art: sources.Article{
				Title:     "钉钉对标企业微信 推出免费会议功能",
				Published: day(2024, 6, 3),
				Text:      "钉钉近日推出免费视频会议功能，被视为与企业微信、腾讯会议争夺中小企业用户的举措。",
			},
		},
		{
			name: "en stops accepting",
			art: sources.Article{
				Title:     "Youku stops accepting WeChat Pay for auto-renewing memberships",
				Published: day(2025, 4, 1),
				Text:      "Youku said on Monday it had stopped accepting WeChat Pay for memberships that renew automatically; one-off purchases are unaffected.",
			},
			want: []brief{{"Youku", "WeChat Pay", kPayment, kHalted, "2025-03-31", true}},
		},
		{
			name: "en both sides each do their own thing",
			art: sources.Article{
				Title:     "DingTalk and WeCom both add automatic meeting notes",
				Published: day(2024, 4, 18),
				Text: "Alibaba's DingTalk and Tencent's WeCom both rolled out features that summarise meetings this week.\n" +
					"DingTalk said its summaries are free for small teams, while WeCom charges per seat.",
			},
		},
		{
			name: "zh expanded to more merchants with background launch",
			art: sources.Article{
				Title:     "淘宝微信支付扩大至全部商家",
				Published: day(2024, 10, 9),
				Text: "淘宝10月8日宣布，微信支付将覆盖平台全部商家和商品，此前部分商家的商品仍不支持微信支付。\n" +
					"今年9月，淘宝宣布全面接入微信支付。",
			},
			want: []brief{{"Taobao", "WeChat Pay", kPayment, kExpanded, "2024-10-08", true}},
		},
		// Fourth batch: longer pieces with quotes, analysis and history.
		{
			name: "en long wire story on full rollout",
			art: sources.Article{
				Title:     "Alibaba's Taobao opens fully to Tencent's WeChat Pay, ending decade-long standoff",
				Published: day(2024, 9, 5),
				Text: "SHANGHAI, Sept 5 - Alibaba Group's Taobao and Tmall shopping platforms will support Tencent's WeChat Pay for all orders starting Sept 12, according to a notice posted on Alibaba's merchant service site on Wednesday.\n" +
					"The move removes one of the most visible barriers between China's two largest internet groups, which for years kept their ecosystems walled off from each other.\n" +
					"Taobao had been testing WeChat Pay with some users since February, a spokesperson said, adding that merchants did not need to take any action.\n" +
					"\"This is good news for consumers and merchants,\" said Li Chengdong, head of e-commerce think tank Dolphin. He said the change could help Taobao win back shoppers from PDD Holdings.\n" +
					"Regulators have pushed large platforms since 2021 to end the practice of blocking rivals' links and payment services. In September that year, Alibaba's food delivery app Ele.me and streaming service Youku began accepting WeChat Pay.\n" +
					"Tencent declined to comment.",
			},
			want: []brief{{"Taobao+Tmall", "WeChat Pay", kPayment, kAnnounced, "2024-09-12", true}},
			bg:   []brief{{"Ele.me+Youku", "WeChat Pay", kPayment, kLaunched, "2021-09", false}},
		},
		{
			name: "zh long portal story on dingtalk meetings",
			art: sources.Article{
				Title:     "微信与钉钉实现会议互通 用户无需下载钉钉即可入会",
				Published: day(2024, 3, 14),
				Text: "3月13日，“微信可以开钉钉会议了”登上微博热搜。记者实测发现，微信用户点击钉钉会议链接后，可直接在微信内加入会议，无需下载钉钉App。\n" +
					"钉钉方面表示，此次互通基于钉钉会议的开放能力，后续还将支持更多场景。\n" +
					"事实上，这并非两大平台首次在办公领域“握手”。此前，企业微信已支持与部分第三方办公软件互通。\n" +
					"有业内人士认为，办公软件的互联互通有望降低协作门槛，但消息、通讯录等核心能力的互通仍需时日。\n" +
					"今年1月，闲鱼上线微信小程序，并支持微信支付。",
			},
			want: []brief{{"DingTalk", "WeChat", kWorkplace, kLaunched, "2024-03-13", true}},
			bg:   []brief{{"Xianyu", "WeChat Pay", kPayment, kLaunched, "2024-01", false}},
		},
		{
			name: "en blog on taote with analysis",
			art: sources.Article{
				Title:     "Taote quietly adds WeChat Pay — is Taobao next?",
				Published: day(2024, 8, 21),
				Text: "Shoppers on Taote, Alibaba's budget marketplace, noticed on Monday that WeChat Pay had appeared as a payment option next to Alipay.\n" +
					"Taote's customer service said the feature is being rolled out gradually and not every account will see it yet.\n" +
					"Will Taobao follow? Analysts think it is only a matter of time, but Alibaba has said nothing.\n" +
					"Taobao itself began letting a limited number of users pay with WeChat Pay in February.",
			},
			want: []brief{{"Taote", "WeChat Pay", kPayment, kTesting, "2024-08-19", true}},
			bg:   []brief{{"Taobao", "WeChat Pay", kPayment, kTesting, "2024-02", false}},
		},
		{
			name: "zh earnings call mention is not news",
			art: sources.Article{
				Title:     "腾讯二季度营收增长8% 金融科技业务稳步增长",
				Published: day(2024, 8, 15),
				Text: "腾讯控股8月14日公布二季度财报，营收1611亿元，同比增长8%。\n" +
					"腾讯管理层在电话会上表示，微信支付的交易笔数保持增长。\n" +
					"对于淘宝接入微信支付的传闻，腾讯未予置评。\n" +
					"同日，阿里巴巴股价上涨2%。",
			},
		},
		{
			name: "en opinion with hypotheticals",
			art: sources.Article{
				Title:     "Why Tmall should open its doors to WeChat",
				Published: day(2023, 3, 3),
				Text: "Imagine being able to send a Tmall product card to a WeChat group and have your aunt pay for it with WeChat Pay.\n" +
					"That would be a win for everyone. Yet Tmall still only lets you copy a link.\n" +
					"If Alibaba wants growth, it should let WeChat users in.",
			},
		},
		// Fifth batch: other outlets' takes on known developments.
		{
			name: "en other outlet on alipay transfer codes",
			art: sources.Article{
				Title:     "Alipay users can now send money to WeChat friends via QR codes",
				Published: day(2022, 10, 18),
				Text: "Ant Group's Alipay has added a feature that lets users generate a QR code to transfer money to friends on WeChat or QQ, who then claim the funds in Alipay.\n" +
					"The money does not go into the recipient's WeChat Pay balance, and there is still no direct transfer between the two wallets.",
			},
			want: []brief{{"Alipay", "WeChat+WeChat Pay+QQ", kPayment, kLaunched, "2022-10", true}},
		},
		{
			name: "zh other outlet on tmall moments ads",
			art: sources.Article{
				Title:     "天猫品牌广告现身朋友圈 可一键跳转天猫店铺",
				Published: day(2022, 6, 16),
				Text: "近期，不少微信用户在朋友圈看到了带有“天猫旗舰店”标识的广告，点击后可直接跳转至天猫App或淘宝内的品牌店铺。\n" +
					"据悉，此类广告由阿里妈妈投放，目前仅对品牌商家开放。",
			},
			want: []brief{{"Taobao+Tmall", "WeChat+Moments", kAdvertising, kLaunched, "2022-06", true}},
		},
		{
			name: "en other outlet on taobao scan to pay",
			art: sources.Article{
				Title:     "Taobao trials WeChat payment option",
				Published: day(2022, 3, 29),
				Text: "Alibaba's Taobao is running a limited trial that lets shoppers pay for orders through Tencent's WeChat, according to screenshots circulating online.\n" +
					"Buyers can either scan a QR code with WeChat or send a payment request to a WeChat contact. Taobao customer service confirmed the test but gave no date for a wider rollout.",
			},
			want: []brief{{"Taobao", "WeChat Pay", kPayment, kTesting, "2022-03", true}},
		},
		{
			name: "zh other outlet on wechat links in group chats",
			art: sources.Article{
				Title:     "微信群聊可直接打开淘宝链接 互联互通再进一步",
				Published: day(2022, 1, 28),
				Text: "1月27日，有网友发现，淘宝商品链接在微信群聊中也可以直接打开并下单，无需再复制口令。\n" +
					"去年11月，微信已开放单聊中直接访问淘宝等外部链接。",
			},
			want: []brief{{"Taobao", "WeChat", kLinks, kExpanded, "2022-01-27", true}},
		},
		{
			name: "en other outlet on eleme and friends",
			art: sources.Article{
				Title:     "Ele.me, Youku now take WeChat Pay as Alibaba opens up",
				Published: day(2021, 9, 29),
				Text: "Alibaba has switched on Tencent's WeChat Pay in food delivery app Ele.me, video platform Youku and ticketing service Damai, the company confirmed on Tuesday.\n" +
					"Second-hand marketplace Xianyu and grocery chain Freshippo have applied to add the payment option too.",
			},
			want: []brief{
				{"Ele.me+Youku+Damai", "WeChat Pay", kPayment, kLaunched, "2021-09-28", true},
				{"Xianyu+Freshippo", "WeChat Pay", kPayment, kAnnounced, "2021-09-28", true},
			},
		},
		{
			name: "zh other outlet on taote mini program plan",
			art: sources.Article{
				Title:     "淘宝特价版拟上线微信小程序",
				Published: day(2021, 3, 17),
				Text: "据知情人士透露，阿里巴巴旗下的淘宝特价版正在筹备微信小程序，上线后或可使用微信支付。\n" +
					"淘宝特价版客服表示，小程序仍在优化中，上线时间暂未确定。",
			},
			want: []brief{
				{"Taote", "WeChat Mini Programs", kMiniProgram, kAnnounced, "2021-03", true},
				{"Taote", "WeChat Pay", kPayment, kAnnounced, "2021-03", true},
			},
		},
		{
			name: "en other outlet on alimama channels deal",
			art: sources.Article{
				Title:     "Tencent opens WeChat Channels ad inventory to Alibaba merchants",
				Published: day(2023, 9, 26),
				Text: "Merchants on Taobao and Tmall can now buy ads on WeChat Channels through Alimama, the two companies announced on Monday, deepening an advertising partnership that already covered Moments.\n" +
					"Ads will link directly to Taobao stores and live-streaming rooms.",
			},
			want: []brief{{"Taobao+Tmall+Alimama", "WeChat Channels", kAdvertising, kExpanded, "2023-09-25", true}},
		},
		{
			name: "en recent aside after the opening is not a second headline",
			art: sources.Article{
				Title:     "WeChat users can now join DingTalk meetings",
				Published: day(2024, 3, 14),
				Text: "Tencent's WeChat now lets users join meetings hosted on Alibaba's DingTalk without installing the app, DingTalk said on Wednesday.\n" +
					"The feature works from a meeting link shared in a chat.\n" +
					"Analysts said the move was small but symbolic.\n" +
					"Recently, Taobao also began testing WeChat Pay with some shoppers.",
			},
			want: []brief{{"DingTalk", "WeChat", kWorkplace, kLaunched, "2024-03-13", true}},
			bg:   []brief{{"Taobao", "WeChat Pay", kPayment, kTesting, "2024-03", false}},
		},
		{
			name: "zh traditional script",
			art: sources.Article{
				Title:     "淘寶全面支援微信支付 阿里騰訊再破牆",
				Published: day(2024, 9, 5),
				Text: "淘寶9月5日宣布，即日起全面接入微信支付，所有用戶下單時均可選擇微信支付付款。\n" +
					"今年2月，淘寶曾面向部分用戶測試微信支付。",
			},
			want: []brief{{"Taobao", "WeChat Pay", kPayment, kLaunched, "2024-09-05", true}},
			bg:   []brief{{"Taobao", "WeChat Pay", kPayment, kTesting, "2024-02", false}},
		},
		// Negatives.
		{
			name: "en earnings naming both wallets",
			art: sources.Article{
				Title:     "Tencent and Alibaba payment volumes grow as consumers return",
				Published: day(2024, 8, 15),
				Text: "Transaction volumes on WeChat Pay and Alipay both rose in the second quarter, Tencent and Alibaba said in their earnings reports.\n" +
					"Tencent's fintech revenue grew 4%, while Ant Group, which runs Alipay, does not report quarterly.",
			},
		},
		{
			name: "en rival takes WeChat Pay, Taobao still does not",
			art: sources.Article{
				Title:     "JD.com adds WeChat Pay installments; Taobao still has no WeChat option",
				Published: day(2023, 6, 1),
				Text: "JD.com now lets shoppers split WeChat Pay purchases into installments, the company said on Thursday.\n" +
					"Taobao still does not accept WeChat Pay at checkout, and Alibaba has not said whether it ever will.",
			},
		},
		{
			name: "en analyst speculation",
			art: sources.Article{
				Title:     "Analysts: Taobao could add WeChat Pay next year",
				Published: day(2023, 11, 20),
				Text: "Taobao may start accepting WeChat Pay as soon as next year, analysts at a Shanghai brokerage wrote in a note on Monday.\n" +
					"If it did, Tencent's wallet would reach hundreds of millions of new shoppers, they said.",
			},
		},
		{
			name: "zh regulator order",
			art: sources.Article{
				Title:     "工信部要求平台限期解除网址屏蔽",
				Published: day(2021, 9, 13),
				Text: "工信部有关负责人表示，已要求阿里巴巴、腾讯等平台在9月17日前按标准解除对网址链接的屏蔽。\n" +
					"对于微信能否直接打开淘宝链接，腾讯方面暂未回应。",
			},
		},
		{
			name: "zh question title",
			art: sources.Article{
				Title:     "淘宝何时接入微信支付？",
				Published: day(2022, 5, 6),
				Text: "淘宝是否会接入微信支付，一直是网友关心的话题。\n" +
					"目前淘宝仍未支持微信支付，阿里方面也没有给出时间表。",
			},
		},
		{
			name: "en counterfactual",
			art: sources.Article{
				Title:     "What if WeChat opened its doors to Taobao?",
				Published: day(2021, 4, 2),
				Text: "If WeChat allowed Taobao links to open in chats, sellers would save hours every week.\n" +
					"For now, users still have to copy a text code to share a Taobao item on WeChat.",
			},
		},
		{
			name: "zh parallel cloud price cuts",
			art: sources.Article{
				Title:     "阿里云、腾讯云同日宣布降价",
				Published: day(2024, 2, 29),
				Text: "2月29日，阿里云与腾讯云先后宣布下调多款云产品价格，最高降幅超过50%。\n" +
					"分析人士认为，云厂商之间的价格战仍将持续。",
			},
		},
		{
			name: "zh alipay mini program with meituan",
			art: sources.Article{
				Title:     "美团外卖小程序上线支付宝",
				Published: day(2023, 7, 3),
				Text: "美团外卖小程序近日正式上线支付宝，用户在支付宝首页即可下单。\n" +
					"此前，美团的小程序主要集中在微信生态。",
			},
		},
		{
			name: "en other giants",
			art: sources.Article{
				Title:     "Douyin lets users share videos to WeChat Moments again",
				Published: day(2024, 3, 1),
				Text: "ByteDance's Douyin has restored the option to share short videos directly to WeChat Moments, users said on Friday.\n" +
					"Alibaba, meanwhile, reported slower growth at its Taobao unit.",
			},
		},
		{
			name: "en related link line is not the article",
			art: sources.Article{
				Title:     "Tencent's games revenue climbs 9%",
				Published: day(2024, 8, 14),
				Text: "Tencent said its domestic games revenue rose 9% in the second quarter.\n" +
					"Related: Taobao starts accepting WeChat Pay for some users\n" +
					"The company also reported higher advertising sales on WeChat Channels.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := det.Detect(tt.art, day(2026, 1, 1))
			var heads []brief
			var rest []brief
			for _, e := range evs {
				if e.Headline {
					heads = append(heads, briefOf(e))
				} else {
					rest = append(rest, briefOf(e))
				}
			}
			if diff := cmp.Diff(tt.want, heads); diff != "" {
				t.Errorf("headline events (-want +got):\n%s\nall: %s", diff, dump(evs))
			}
			for _, b := range tt.bg {
				found := false
				for _, r := range rest {
					found = found || r == b
				}
				if !found {
					t.Errorf("background %+v not found in %s", b, dump(evs))
				}
			}
		})
	}
}

func dump(evs []sources.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %+v %q", briefOf(e), e.Evidence)
	}
	return b.String()
}
