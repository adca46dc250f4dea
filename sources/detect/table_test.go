package detect

import (
	"strings"
	"testing"

	"github.com/wallwatch/worker/sources"
)

// none marks a sentence that reports no event.
const none sources.Stage = ""

// stageCase is a sentence and the headline stage it must give (none: no
// headline event at all).
type stageCase struct {
	text string
	want sources.Stage
}

// runStages reads each sentence as the opening paragraph of an article
// published on 2024-06-12 and checks its headline stage.
func runStages(t *testing.T, cases []stageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			got := heads("", tc.text)
			switch {
			case tc.want == none && len(got) > 0:
				t.Errorf("got %+v, want no headline event", got)
			case tc.want != none && (len(got) != 1 || got[0].Stage != tc.want):
				t.Errorf("got %+v, want one headline %s event", got, tc.want)
			}
		})
	}
}

// TestDecisionTable holds, for each row of the decision table in
// cues.yaml, sentences in both languages (written for this test) and the
// stage the row must give them.
func TestDecisionTable(t *testing.T) {
	rows := map[string][]stageCase{
		"negated": {
			{"Taobao shoppers still cannot pay with WeChat Pay.", none},
			{"Tmall has not yet opened its checkout to WeChat Pay.", none},
			{"淘宝目前仍未接入微信支付。", none},
			{"天猫尚未开放微信支付选项。", none},
		},
		"condition": {
			{"If Taobao accepted WeChat Pay, shoppers would save a step.", none},
			{"如果淘宝接入微信支付，用户付款会更方便。", none},
		},
		"question": {
			{"Will Taobao ever accept WeChat Pay?", none},
			{"淘宝什么时候能用微信支付？", none},
		},
		"speculation": {
			{"Analysts believe Tmall may add WeChat Pay this year.", none},
			{"业内人士认为，天猫可能接入微信支付。", none},
		},
		"rivalry": {
			{"DingTalk launched free video calls to compete with WeCom.", none},
			{"钉钉推出免费会议功能，对标企业微信。", none},
		},
		"a court case": {
			{"A court ruled that sellers who moved Taobao buyers into WeChat groups broke the law.", none},
			{"法院判决，被告通过微信群将买家引流至淘宝店铺构成侵权。", none},
		},
		"a regulator's order": {
			{"Regulators ordered WeChat and Taobao to stop blocking each other's links.", none},
			{"监管部门要求微信与淘宝停止屏蔽彼此的链接。", none},
			// An order that is only the connection's context does not count.
			{"Ele.me began accepting WeChat Pay after regulators ordered an end to platform blocking.", kLaunched},
		},
		"each side to a third party": {
			{"Alipay and WeChat Pay each connected to UnionPay's QuickPass network.", none},
			{"支付宝和微信支付分别接入了银联云闪付。", none},
		},
		"only the two groups": {
			{"Alibaba and Tencent both reported higher quarterly revenue.", none},
			{"阿里巴巴和腾讯都发布了季度财报。", none},
		},
		"named as a list": {
			{"Alipay and WeChat Pay launched new features for foreign visitors.", none},
			{"支付宝、微信支付放宽外籍用户限制。", none},
		},
		"halt": {
			{"Taobao has paused its WeChat Pay test.", kHalted},
			{"WeChat re-blocked Taobao links in group chats on Monday.", kHalted},
			{"Xianyu suspended WeChat Pay at checkout.", kHalted},
			{"淘宝暂停了微信支付测试。", kHalted},
			{"微信再次屏蔽淘宝链接。", kHalted},
			{"天猫优品小程序已从微信下架。", kHalted},
			{"Users say the Xianyu mini program in WeChat can not be found anymore.", kHalted},
		},
		"a halt lifted": {
			{"WeChat stopped blocking Taobao links in private chats.", kLaunched},
			{"微信解除对淘宝链接的屏蔽。", kLaunched},
			{"The Xianyu mini program is back on WeChat after a three-week pause.", kLaunched},
			{"闲鱼微信小程序暂停服务三周后重新上线。", kLaunched},
		},
		"a plan": {
			{"Alibaba said on Wednesday it plans to let Taobao shoppers pay with WeChat Pay.", kAnnounced},
			{"Taobao will gradually open WeChat Pay to all shoppers from September 12.", kAnnounced},
			{"Tmall is set to accept WeChat Pay next month.", kAnnounced},
			{"淘宝拟接入微信支付。", kAnnounced},
			{"天猫计划于下月开通微信支付。", kAnnounced},
		},
		"a consultation": {
			{"Taobao published draft rules seeking comments on letting merchants accept WeChat Pay.", kAnnounced},
			{"淘宝发布意见征集，拟向商家开放微信支付。", kAnnounced},
		},
		"a report or talks": {
			{"Taobao is reportedly in talks with Tencent over WeChat Pay.", kAnnounced},
			{"Alimama is said to be haggling with Tencent Ads over ad placements in Moments.", kAnnounced},
			{"消息称，淘宝正与微信支付洽谈接入事宜。", kAnnounced},
		},
		"asked for": {
			{"Xianyu has applied for access to WeChat Pay.", kAnnounced},
			{"闲鱼已向微信支付提交接入申请。", kAnnounced},
		},
		"expansion": {
			{"Taote extended WeChat Pay to all of its users.", kExpanded},
			{"WeChat now also lets Taobao links open in group chats.", kExpanded},
			{"淘宝的微信支付已扩大到全部商家。", kExpanded},
			{"微信进一步开放淘宝链接，群聊中也可直接打开。", kExpanded},
			// A pilot widened is an expansion; 此前 qualifying a noun is no history.
			{"Alipay users can scan WeChat Pay codes in a pilot that expands to 20 cities.", kExpanded},
			{"支付宝扫描微信支付收款码的试点城市，本周由此前的5个扩大至20个。", kExpanded},
		},
		"a restriction lifted": {
			{"Taote now shows WeChat Pay on every order instead of only for some accounts.", kExpanded},
			{"淘特的微信支付不再仅限部分用户使用。", kExpanded},
		},
		"a trial": {
			{"Taobao began trialling WeChat Pay on a trial basis in Hangzhou.", kTesting},
			{"WeChat is testing Taobao links in group chats.", kTesting},
			{"淘宝开始内测微信支付。", kTesting},
			{"微信群聊灰度开放淘宝链接。", kTesting},
			// The scope of a nameless lead-in clause.
			{"Under a pilot backed by the central bank, Alipay users can now scan WeChat Pay codes.", kTesting},
		},
		"some users": {
			{"Taobao opened WeChat Pay to a portion of its users.", kTesting},
			{"Some Tmall shoppers can now pay with WeChat Pay.", kTesting},
			{"淘宝向部分用户开放微信支付。", kTesting},
			{"阿里妈妈的朋友圈广告仅对品牌商家开放。", kTesting},
			// Some users as the source of a report, some apps: no test.
			{"Taote now accepts WeChat Pay, though some users said the option took a while to appear.", kLaunched},
			{"Alibaba has begun accepting WeChat Pay in a handful of its apps, including Ele.me.", kLaunched},
			{"部分用户反映，淘特已可使用微信支付。", kLaunched},
		},
		"in batches": {
			{"Merchants on Tmall are invited in batches to place ads in WeChat Channels.", kTesting},
			{"淘宝正分批向商家开通微信支付。", kTesting},
		},
		"a full launch": {
			{"Taobao now accepts WeChat Pay for all shoppers.", kLaunched},
			{"淘宝已全面接入微信支付。", kLaunched},
		},
		"done": {
			{"Xianyu launched a WeChat mini program on Tuesday.", kLaunched},
			{"Ele.me now accepts WeChat Pay.", kLaunched},
			{"闲鱼上线微信小程序。", kLaunched},
			{"饿了么App新增微信支付。", kLaunched},
		},
		"no connecting word": {
			{"Taobao and WeChat Pay are two of China's best-known brands.", none},
			{"淘宝、微信支付的用户都超过十亿。", none},
		},
	}
	for name, cases := range rows {
		t.Run(name, func(t *testing.T) { runStages(t, cases) })
	}
}

// TestTableRows checks that every row of the embedded decision table is
// covered by TestDecisionTable's names and documented.
func TestTableRows(t *testing.T) {
	v := defaultVocab()
	if len(v.table) < 20 {
		t.Fatalf("the decision table has %d rows", len(v.table))
	}
	for i, r := range v.table {
		if strings.TrimSpace(r.why) == "" {
			t.Errorf("row %d has no why", i)
		}
	}
	last := v.table[len(v.table)-1]
	if last.all != 0 || last.stage != "" {
		t.Errorf("the last row must catch everything and report no event, got %+v", last)
	}
}

// TestFrames checks what a sentence's frame holds: its sides (borrowed
// across clauses and sentences, without owners, channels and precedents)
// and its kind.
func TestFrames(t *testing.T) {
	tests := []struct {
		name, title, text string
		a, b              string
		kind              sources.Kind
	}{
		{"sides in adjacent sentences", "", "Taobao has updated its checkout page. The app now accepts WeChat Pay.", "Taobao", "WeChat Pay", kPayment},
		{"zh sides in adjacent clauses", "", "淘宝宣布，即日起接入微信支付。", "Taobao", "WeChat Pay", kPayment},
		{"a storefront inside WeChat", "", "Freshippo opened a storefront inside WeChat on Monday.", "Freshippo", "WeChat+WeChat Mini Programs", kMiniProgram},
		{"account linking", "", "Quark users can now log in with their WeChat accounts.", "Quark", "WeChat", kData},
		{"zh account linking", "", "夸克App新增微信登录，用户授权后即可用微信账号直接登录。", "Quark", "WeChat", kData},
		{"the channel is not a participant", "", "Alibaba announced through its WeChat official account that Taobao now accepts WeChat Pay.", "Taobao", "WeChat Pay", kPayment},
		{"all lowercase machine translation", "", "recently, taobao is launched wechat pay for all user, user can choose wechat pay in the settle page.", "Taobao", "WeChat Pay", kPayment},
		{"traditional characters", "", "淘寶已全面開通微信支付。", "Taobao", "WeChat Pay", kPayment},
		{"traditional mini program", "", "閒魚微信小程式已於本週重新上線。", "Xianyu", "WeChat Mini Programs", kMiniProgram},
		{"setting up shop", "", "Tmall Supermarket sets up shop in WeChat as Alibaba courts Tencent users.", "Tmall", "WeChat+WeChat Mini Programs", kMiniProgram},
		{"zh opening a shop", "", "淘特在微信里开店了。", "Taote", "WeChat+WeChat Mini Programs", kMiniProgram},
		{"an owner's description in the same phrase", "", "Alibaba's bargain app Taobao Deals opens a storefront inside WeChat.", "Taote", "WeChat+WeChat Mini Programs", kMiniProgram},
		{"a continuation with too", "", "Ele.me began accepting WeChat Pay on Tuesday.\nXianyu has applied to add the payment option too.", "Ele.me", "WeChat Pay", kPayment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := heads(tt.title, tt.text)
			if len(got) == 0 {
				t.Fatalf("no headline event")
			}
			if got[0].A != tt.a || got[0].B != tt.b || got[0].Kind != tt.kind {
				t.Errorf("got %s × %s %s, want %s × %s %s", got[0].A, got[0].B, got[0].Kind, tt.a, tt.b, tt.kind)
			}
		})
	}
}

// TestNotParticipants checks sentences whose names are not the two sides
// of an event.
func TestNotParticipants(t *testing.T) {
	for _, text := range []string{
		"Alibaba unveiled its new AI model in a post on its WeChat official account.",
		"阿里巴巴通过微信公众号发布了新款AI模型。",
		"Tencent denied a report that WeChat Channels would carry Taobao Live streams.",
		"对于淘宝接入微信支付的传闻，腾讯未予置评。",
		"WeChat Pay added new features for merchants. Alibaba also reported higher profits.",
	} {
		t.Run(text, func(t *testing.T) {
			if got := heads("", text); len(got) > 0 {
				t.Errorf("got %+v, want no headline event", got)
			}
		})
	}
}
