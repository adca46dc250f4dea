package detect

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

// heads returns the headline events of a one-paragraph-per-line article in
// brief.
func heads(title, text string, pub ...int) []brief {
	p := day(2024, 6, 12)
	if len(pub) == 3 {
		p = day(pub[0], pub[1], pub[2])
	}
	var out []brief
	for _, b := range one(defaultDetector, title, text, p) {
		if b.Headline {
			out = append(out, b)
		}
	}
	return out
}

// TestParticipants checks who an event lists: owners named in possessives,
// appositions and 旗下 are not participants, nor a wallet that was there
// before, nor the app of a payment named as such.
func TestParticipants(t *testing.T) {
	tests := []struct {
		name        string
		title, text string
		a, b        string // canonical names joined with "+"
	}{
		{"possessive owner", "", "Alibaba's Taobao now accepts Tencent's WeChat Pay.", "Taobao", "WeChat Pay"},
		{"owner of the same side before a descriptor", "", "Alibaba's second-hand platform Xianyu has launched a WeChat mini program.", "Xianyu", "WeChat Mini Programs"},
		{"owner app of a product", "", "Advertisers can now place Tmall ads in WeChat's Channels feed.", "Tmall", "WeChat Channels"},
		{"hyphenated owner", "", "Alibaba-owned Ele.me began accepting WeChat Pay on Tuesday.", "Ele.me", "WeChat Pay"},
		{"appositive after the name", "", "Cainiao, Alibaba Group's logistics arm, now delivers parcels for merchants on WeChat.", "Cainiao", "WeChat"},
		{"appositive before the name", "", "Now, the bargain app of the Taobao family, Taote, supports WeChat Pay for some users.", "Taote", "WeChat Pay"},
		{"owned by after the name", "", "Amap, the navigation app owned by Alibaba, has launched a WeChat mini program.", "Amap", "WeChat Mini Programs"},
		{"zh 旗下", "", "6月11日，淘宝旗下的淘特App新增了微信支付。", "Taote", "WeChat Pay"},
		{"zh 旗下 with a descriptor", "", "阿里巴巴旗下二手交易平台闲鱼已在微信上线小程序。", "Xianyu", "WeChat+WeChat Mini Programs"},
		{"zh 的 right before the name", "", "微信的视频号现已可以投放淘宝商家的广告。", "Taobao", "WeChat Channels"},
		{"the owner is also the subject", "", "淘宝旗下的淘特和淘宝都已接入微信支付。", "Taobao+Taote", "WeChat Pay"},
		{"several participants stay", "", "Ele.me, Youku and Damai added WeChat Pay on Tuesday.", "Ele.me+Youku+Damai", "WeChat Pay"},
		{"the wallet that was there before", "", "Taote now offers WeChat Pay at checkout next to Alipay.", "Taote", "WeChat Pay"},
		{"zh the default wallet", "", "淘特App结算页默认显示支付宝，现在也可以选择微信支付付款。", "Taote", "WeChat Pay"},
		{"the app of a named payment", "淘特上线微信支付", "选择微信支付后会跳转到微信完成付款。", "Taote", "WeChat Pay"},
		{"the app alone stands for its payment", "", "Taobao shoppers can now pay with WeChat.", "Taobao", "WeChat+WeChat Pay"},
		{"alipay reaching wechat friends keeps both", "", "Alipay users can now transfer money to WeChat friends.", "Alipay", "WeChat+WeChat Pay"},
		{"a company with the other side's wallet", "", "Alibaba has opened its apps to WeChat Pay.", "Alibaba", "WeChat Pay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := heads(tt.title, tt.text)
			if len(got) != 1 {
				t.Fatalf("got %+v, want one headline event", got)
			}
			if got[0].A != tt.a || got[0].B != tt.b {
				t.Errorf("got %s × %s, want %s × %s", got[0].A, got[0].B, tt.a, tt.b)
			}
		})
	}
}

// TestHeadlineDates checks that a headline event with no date of its own
// takes the main headline development's date, else the publication month.
func TestHeadlineDates(t *testing.T) {
	tests := []struct {
		name  string
		title string
		text  string
		pub   bool
		want  []brief
	}{
		{
			name:  "second headline takes the first's day",
			title: "Xianyu adds WeChat Pay and a WeChat mini program",
			text:  "Xianyu launched a WeChat mini program on Tuesday.\nXianyu shoppers can also pay with WeChat Pay.",
			pub:   true,
			want: []brief{
				{"Xianyu", "WeChat Mini Programs", kMiniProgram, kLaunched, "2024-06-11", true},
				{"Xianyu", "WeChat Pay", kPayment, kLaunched, "2024-06-11", true},
			},
		},
		{
			name:  "no date in the text: the publication month",
			title: "淘特上线微信支付",
			text:  "淘特App的付款方式中新增了微信支付。",
			pub:   true,
			want:  []brief{{"Taote", "WeChat Pay", kPayment, kLaunched, "2024-06", true}},
		},
		{
			name:  "no publication date: the dated headline lends its date",
			title: "闲鱼上线微信小程序 支持微信支付",
			text:  "闲鱼已在微信上线小程序。\n据了解，闲鱼小程序于2024年1月上线。",
			want: []brief{
				{"Xianyu", "WeChat+WeChat Mini Programs", kMiniProgram, kLaunched, "2024-01", true},
				{"Xianyu", "WeChat Pay", kPayment, kLaunched, "2024-01", true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sources.Article{Title: tt.title, Text: tt.text}
			if tt.pub {
				a.Published = day(2024, 6, 12)
			}
			var got []brief
			for _, e := range defaultDetector.Detect(a, day(2026, 1, 1)) {
				if e.Headline {
					got = append(got, briefOf(e))
				}
			}
			sortBriefs(got)
			sortBriefs(tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func sortBriefs(bs []brief) {
	slices.SortFunc(bs, func(a, b brief) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
}

// TestWidening checks the ways news says an existing connection now
// reaches more users, places or products.
func TestWidening(t *testing.T) {
	tests := []struct {
		name        string
		title, text string
		pub         [3]int
		want        sources.Stage
	}{
		{"further opening", "", "微信进一步开放淘宝链接，群聊中也可直接打开。", [3]int{2024, 6, 12}, kExpanded},
		{"widened to", "", "淘宝的微信支付已扩大到全部商家。", [3]int{2024, 6, 12}, kExpanded},
		{"extends to all", "", "Taote has extended WeChat Pay to all of its users.", [3]int{2024, 6, 12}, kExpanded},
		{"now also", "", "WeChat now also lets Taobao links open in group chats.", [3]int{2024, 6, 12}, kExpanded},
		{"more users", "", "Tmall opened WeChat Pay to more users on Monday.", [3]int{2024, 6, 12}, kExpanded},
		{"a restriction lifted", "", "Taote now shows WeChat Pay on every order instead of only for some accounts.", [3]int{2024, 6, 12}, kExpanded},
		{
			"anaphor after the statement", "",
			"阿里妈妈宣布，淘宝商家现可在微信搜一搜投放广告。这是双方广告合作的进一步扩大。",
			[3]int{2024, 4, 16}, kExpanded,
		},
		{
			"more places said with also, further down", "微信内可直接打开淘宝商品链接",
			"1月27日，网友发现微信对话框里已可直接打开淘宝商品链接。\n" +
				"链接页面与淘宝App内基本一致。\n点击后可加入购物车。\n" +
				"除了一对一聊天，微信群聊中的淘宝链接同样可以直接打开。",
			[3]int{2022, 1, 27}, kExpanded,
		},
		{
			"a launch after a live partial opening", "",
			"WeChat now lets users open Taobao links in group chats.\n" +
				"On November 29, WeChat let users open Taobao links in private chats, while group chats only got a trial.",
			[3]int{2022, 1, 27}, kExpanded,
		},
		// Not widenings.
		{"full launch after a trial", "", "Taobao now accepts WeChat Pay for all shoppers.\nIn February, Taobao had tested WeChat Pay with some users.", [3]int{2024, 9, 12}, kLaunched},
		{"another mini program is a launch", "", "Tmall Youpin launched a WeChat mini program on Monday.\nIn October 2022, Tmall Supermarket launched a WeChat mini program.", [3]int{2023, 5, 29}, kLaunched},
		{"more users as a purpose", "", "菜鸟裹裹寄件新增微信支付，是为了方便更多用户使用。", [3]int{2024, 6, 12}, kLaunched},
		{"further as an adverb", "", "夸克App新增微信登录，进一步降低了注册门槛。", [3]int{2024, 6, 12}, kLaunched},
		{"a trial for now, in the next sentence", "", "Youku has started posting clips to WeChat Channels with links back to its app.\nThe arrangement is a trial for now.", [3]int{2024, 8, 21}, kTesting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := heads(tt.title, tt.text, tt.pub[0], tt.pub[1], tt.pub[2])
			if len(got) != 1 || got[0].Stage != tt.want {
				t.Errorf("got %+v, want one headline %s event", got, tt.want)
			}
		})
	}
}

// TestContextNames checks names that need context: generic names next to
// a word of their kind, stop phrases, places.
func TestContextNames(t *testing.T) {
	tests := []struct {
		name  string
		title string
		want  []brief
	}{
		{"damai alone", "大麦正式接入微信支付", []brief{{"Damai", "WeChat Pay", kPayment, kLaunched, "2025-05", true}}},
		{"barley tea is not damai", "大麦茶品牌接入微信支付", nil},
		{"moments next to an ad word", "阿里妈妈开始在朋友圈投放淘宝商家广告", []brief{{"Taobao+Alimama", "Moments", kAdvertising, kLaunched, "2025-05", true}}},
		{"circle of friends is not moments", "阿里云扩大生态朋友圈", nil},
		{"channels placement", "阿里妈妈开始在视频号投放淘宝商家广告", []brief{{"Taobao+Alimama", "WeChat Channels", kAdvertising, kLaunched, "2025-05", true}}},
		{"a mini program as the place of ads", "阿里妈妈开始在微信小程序投放淘宝商家广告", []brief{{"Taobao+Alimama", "WeChat Mini Programs", kAdvertising, kLaunched, "2025-05", true}}},
		{"english placement", "Alimama now places ads for Tmall merchants in Channels", []brief{{"Tmall+Alimama", "WeChat Channels", kAdvertising, kLaunched, "2025-05", true}}},
		{"a descriptive name for the wallet", "Alibaba opens Ele.me to Tencent's payment service", []brief{{"Ele.me", "WeChat Pay", kPayment, kLaunched, "2025-05", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, heads(tt.title, "", 2025, 5, 20)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotEventsInContext holds sentences and short articles that name both
// sides and a connecting word without an interconnection between them.
func TestNotEventsInContext(t *testing.T) {
	tests := []struct {
		name        string
		title, text string
	}{
		{"parallel subjects with also", "微信灰度测试接入DeepSeek 钉钉、阿里云也已接入", ""},
		{"parallel clauses with their own reporting verbs", "", "DingTalk said its assistant can join meetings, and WeCom said its version will be available in June."},
		{"a third party across a semicolon", "", "小红书与淘宝达成合作，笔记中可以挂淘宝商品链接；同时，小红书也上线了微信小程序。"},
		{"owned lists are lists", "", "腾讯旗下的元宝、腾讯云，以及阿里旗下的夸克等产品，均已接入DeepSeek。"},
		{"a court case", "淘宝起诉售假团伙", "法院查明，被告通过微信群将买家引流至其淘宝店铺。"},
		{"the main clause negates the time clause", "", "在微信内打开淘宝链接下单时，付款仍只能通过支付宝完成。"},
		{"a question with 什么时候", "微信里什么时候能用支付宝付款？", ""},
		{"analysis of what it helps", "", "分析人士认为，淘宝接入微信支付有助于触达更多用户。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := heads(tt.title, tt.text); len(got) > 0 {
				t.Errorf("got %+v, want no headline event", got)
			}
		})
	}
}

// TestSubordinateClauses checks that a time clause is read with its main
// clause: the main clause's payment, not the time clause's place.
func TestSubordinateClauses(t *testing.T) {
	got := heads("", "飞猪上线微信小程序。\n在飞猪小程序内下单时，付款页面会直接调起微信支付。", 2024, 6, 20)
	kinds := map[sources.Kind]bool{}
	for _, b := range got {
		kinds[b.Kind] = true
	}
	if !kinds[kPayment] || !kinds[kMiniProgram] {
		t.Errorf("got %+v, want a mini program and a payment headline", got)
	}
	// A time clause whose main clause says nothing of the connection is
	// context, not the news.
	if got := heads("", "淘宝天猫接入微信支付后，不少网友在社交平台提问。"); len(got) > 0 {
		t.Errorf("got %+v, want the time clause read as context", got)
	}
}
