package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

var defaultDetector = New(DefaultLexicon())

// names returns the canonical names a paragraph mentions, in order, after
// generic names without context have been dropped.
func names(det *Detector, paras ...string) [][]string {
	var ps []*para
	for i, text := range paras {
		p := &para{idx: i, text: text, f: foldText(text)}
		det.scanPara(p)
		ps = append(ps, p)
	}
	det.resolveWeak(ps)
	var out [][]string
	for _, p := range ps {
		var got []string
		for _, m := range p.mentions {
			got = append(got, det.watches[m.watch].names[m.side][m.entity])
		}
		out = append(out, got)
	}
	return out
}

func TestEntityNames(t *testing.T) {
	tests := []struct {
		name  string
		paras []string
		want  [][]string
	}{
		{"longest chinese name wins", []string{"淘宝接入微信支付，微信用户可以直接付款"}, [][]string{{"Taobao", "WeChat Pay", "WeChat"}}},
		{"longest latin name wins", []string{"WeChat Pay arrives on Taobao Deals"}, [][]string{{"WeChat Pay", "Taote"}}},
		{"chinese aliases", []string{"淘宝特价版、天猫超市、企业微信、微信视频号和财付通"}, [][]string{{"Taote", "Tmall", "WeCom", "WeChat Channels", "WeChat Pay"}}},
		{"case and word boundaries", []string{"Ali Mama, ALIBABA and the alien Alibabas"}, [][]string{{"Alimama", "Alibaba", "Alibaba"}}},
		{"exact case short name", []string{"Ali said the talks with ali baba traders failed"}, [][]string{{"Alibaba"}}},
		{"possessive and plural", []string{"Tencent's WeChat mini-programs and Alibaba's Ele.me"}, [][]string{{"Tencent", "WeChat Mini Programs", "Alibaba", "Ele.me"}}},
		{"generic name needs its side nearby", []string{"Merchants built mini programs and tracked Moments of fame", "WeChat mini programs and 小程序 in WeChat"}, [][]string{nil, {"WeChat Mini Programs", "WeChat Mini Programs", "WeChat"}}},
		{"generic name borrows the previous paragraph", []string{"WeChat opened up to outside platforms.", "Its Channels and Moments now carry Taobao ads."}, [][]string{{"WeChat"}, {"WeChat Channels", "Moments", "Taobao"}}},
		{"alipay's own mini programs", []string{"支付宝小程序接入了微信扫码"}, [][]string{{"Alipay", "WeChat"}}},
		{"UC needs Alibaba nearby", []string{"UC Berkeley researchers", "阿里旗下UC浏览器和UC"}, [][]string{nil, {"Alibaba", "UC Browser", "UC Browser"}}},
		{"lower-case moments is a word", []string{"moments later, WeChat went down"}, [][]string{{"WeChat"}}},
		{"full-width letters", []string{"ＱＱ和Ｔｍａｌｌ"}, [][]string{{"QQ", "Tmall"}}},
		{"traditional script", []string{"淘寶、天貓、餓了麼、騰訊廣告和釘釘會議"}, [][]string{{"Taobao", "Tmall", "Ele.me", "Tencent Ads", "DingTalk"}}},
		{"a stop phrase keeps the name inside from matching", []string{"大麦茶和大麦App"}, [][]string{{"Damai"}}},
		{"a generic name next to a word of its kind", []string{"商家可以在朋友圈投放广告", "打造生态朋友圈", "Brands can buy ads in Moments"}, [][]string{{"Moments"}, nil, {"Moments"}}},
		{"a descriptive name", []string{"Ele.me now takes Tencent's payment service"}, [][]string{{"Ele.me", "WeChat Pay"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, names(defaultDetector, tt.paras...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// one runs a one-paragraph article and returns its events in brief.
func one(det *Detector, title, text string, pub time.Time) []brief {
	var out []brief
	for _, e := range det.Detect(sources.Article{Title: title, Text: text, Published: pub}, day(2026, 1, 1)) {
		out = append(out, briefOf(e))
	}
	return out
}

func TestKinds(t *testing.T) {
	pub := day(2024, 6, 12)
	tests := []struct {
		title string
		kind  sources.Kind
	}{
		{"Taobao shoppers can now check out with WeChat Pay", kPayment},
		{"淘宝新增微信支付付款方式", kPayment},
		{"淘寶正式支援微信支付", kPayment},
		{"Alipay users can now send transfer codes to WeChat friends", kPayment},
		{"Alimama starts placing Tmall ads in WeChat Moments", kAdvertising},
		{"腾讯广告流量接入阿里妈妈", kAdvertising},
		{"WeChat lets Taobao links open directly in chats", kLinks},
		{"微信内可直接打开淘宝商品链接", kLinks},
		{"Xianyu launches a WeChat mini program", kMiniProgram},
		{"天猫超市小程序上线微信", kMiniProgram},
		{"WeChat users can now join DingTalk meetings", kWorkplace},
		{"微信用户可直接加入钉钉会议", kWorkplace},
		{"Cainiao parcel tracking comes to WeChat", kLogistics},
		{"菜鸟物流信息接入微信", kLogistics},
		{"Alimama and Tencent Ads launch federated learning for brand data", kData},
		{"淘宝支持微信账号登录", kData},
		// A payment inside a mini program is about the payment.
		{"Taobao's WeChat mini program now accepts WeChat Pay at checkout", kPayment},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := one(defaultDetector, tt.title, "", pub)
			if len(got) == 0 || got[0].Kind != tt.kind || !got[0].Headline {
				t.Errorf("got %+v, want a headline %s event", got, tt.kind)
			}
		})
	}
}

func TestStages(t *testing.T) {
	pub := day(2024, 6, 12)
	tests := []struct {
		title string
		stage sources.Stage
	}{
		{"Taobao plans to add WeChat Pay", kAnnounced},
		{"Taobao to add WeChat Pay at checkout", kAnnounced},
		{"Xianyu has applied to add WeChat Pay", kAnnounced},
		{"淘宝计划接入微信支付", kAnnounced},
		{"闲鱼已提交微信支付接入申请", kAnnounced},
		{"Taobao tests WeChat Pay with a small group of shoppers", kTesting},
		{"Some Taobao users can now pay with WeChat Pay", kTesting},
		{"淘宝内测微信支付", kTesting},
		{"淘宝灰度上线微信支付，部分用户可用", kTesting},
		{"Taobao now supports WeChat Pay", kLaunched},
		{"WeChat Pay is officially available on Tmall", kLaunched},
		{"淘宝正式接入微信支付", kLaunched},
		{"淘宝全面支持微信支付", kLaunched},
		{"WeChat expands Taobao link access to group chats", kExpanded},
		{"阿里妈妈与腾讯广告深化合作", kExpanded},
		{"淘宝微信支付扩大至全部商家", kExpanded},
		{"WeChat blocks Taobao links again", kHalted},
		{"Tmall's mini program has been pulled from WeChat", kHalted},
		{"微信再次屏蔽淘宝链接", kHalted},
		{"天猫优品小程序已在微信下线", kHalted},
		{"WeChat lifts its block on Taobao links", kLaunched},
		{"微信解除对淘宝链接的屏蔽", kLaunched},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := one(defaultDetector, tt.title, "", pub)
			if len(got) == 0 || got[0].Stage != tt.stage || !got[0].Headline {
				t.Errorf("got %+v, want a headline %s event", got, tt.stage)
			}
		})
	}
}

// TestNotEvents holds sentences that name both sides without an
// interconnection having happened.
func TestNotEvents(t *testing.T) {
	pub := day(2024, 6, 12)
	for _, text := range []string{
		// Negation.
		"Taobao still does not accept WeChat Pay.",
		"Users still cannot share Taobao links to WeChat chats.",
		"Taobao has not yet added WeChat Pay.",
		"For now Alipay remains the only wallet on Taobao, not WeChat Pay.",
		"Tmall launched its store without WeChat Pay.",
		"淘宝仍未支持微信支付。",
		"微信中的淘宝链接仍无法直接打开。",
		"淘宝并未接入微信支付。",
		"淘宝尚未开放微信支付。",
		"淘宝App中分享到微信仍只能复制链接。",
		// Hedges and speculation.
		"Taobao may follow suit and add WeChat Pay.",
		"Analysts believe Tmall could add WeChat Pay soon.",
		"分析人士认为，淘宝或许会接入微信支付。",
		"淘宝有望接入微信支付。",
		// Counterfactuals and conditions.
		"If Taobao were to accept WeChat Pay, sales would rise.",
		"Unless WeChat opens Taobao links, sellers will keep using codes.",
		"如果淘宝全面接入微信支付，将吸引更多用户。",
		"若微信开放淘宝链接，用户体验将大幅改善。",
		// Questions.
		"Will Taobao ever accept WeChat Pay?",
		"Is it possible that WeChat will open Taobao links?",
		"淘宝会接入微信支付吗？",
		"淘宝是否会接入微信支付，目前尚无定论。",
		"淘宝能否接入微信支付？",
		// Orders and parallel statements.
		"Regulators ordered Alibaba and Tencent to stop blocking each other's links.",
		"工信部要求阿里与腾讯解除屏蔽。",
		"Alipay and WeChat Pay both raised limits for foreign cards.",
		"支付宝和微信支付均支持绑定境外银行卡。",
		"Alibaba and Tencent both invested in the start-up.",
		// Two wallets side by side, a third party in between.
		"美团接入支付宝后，微信支付仍是主要支付方式。",
		"Meituan now accepts Alipay again; WeChat Pay is also offered.",
		"JD.com now accepts WeChat Pay installments, unlike Taobao.",
		"Tencent's fintech revenue, which includes WeChat Pay, rose 4%, while Taobao grew 1%.",
		"阿里云故障导致钉钉、淘宝无法使用，腾讯云表示未受影响。",
		"SAMR fined Alibaba and Tencent over deals involving Taobao and WeChat.",
		// Rivalry.
		"Alipay is courting merchants to compete with WeChat Pay.",
		"钉钉推出新功能，与企业微信展开竞争。",
	} {
		t.Run(text, func(t *testing.T) {
			if got := one(defaultDetector, "", text, pub); len(got) > 0 {
				t.Errorf("got %+v, want no event", got)
			}
		})
	}
}

func TestHeadlineAndBackground(t *testing.T) {
	tests := []struct {
		name string
		pub  time.Time
		text string
		want []brief
	}{
		{
			name: "weekday resolves against publication",
			pub:  day(2021, 11, 30), // a Tuesday
			text: "WeChat said on Monday that Taobao links now open in one-to-one chats.",
			want: []brief{{"Taobao", "WeChat", kLinks, kLaunched, "2021-11-29", true}},
		},
		{
			name: "chinese day without year",
			pub:  day(2024, 8, 20),
			text: "8月19日，淘特App新增微信支付。",
			want: []brief{{"Taote", "WeChat Pay", kPayment, kLaunched, "2024-08-19", true}},
		},
		{
			name: "chinese day late in the year read in january",
			pub:  day(2022, 1, 5),
			text: "12月28日，闲鱼上线微信小程序。",
			want: []brief{{"Xianyu", "WeChat Mini Programs", kMiniProgram, kLaunched, "2021-12-28", true}},
		},
		{
			name: "history by date and by marker",
			pub:  day(2024, 2, 21),
			text: "Some Taobao users can now pay with WeChat Pay directly.\n" +
				"Back in 2013, Alibaba and Tencent began blocking each other, and Taobao links could not be opened in WeChat.\n" +
				"Last month Xianyu launched a WeChat mini program.\n" +
				"Previously, Ele.me had added WeChat Pay.",
			want: []brief{
				{"Taobao", "WeChat Pay", kPayment, kTesting, "2024-02", true},
				{"Xianyu", "WeChat Mini Programs", kMiniProgram, kLaunched, "2024-01", false},
				{"Ele.me", "WeChat Pay", kPayment, kLaunched, "", false},
			},
		},
		{
			name: "that year and later",
			pub:  day(2024, 9, 2),
			text: "Taote now supports WeChat Pay for some users.\n" +
				"In 2022, Alibaba widened the scope. In February of that year, Taobao opened WeChat Pay for internal testing. Two months later, Tmall added WeChat Pay.",
			want: []brief{
				{"Taote", "WeChat Pay", kPayment, kTesting, "2024-09", true},
				{"Taobao", "WeChat Pay", kPayment, kTesting, "2022-02", false},
				{"Tmall", "WeChat Pay", kPayment, kLaunched, "2022-04", false},
			},
		},
		{
			name: "chinese relative years",
			pub:  day(2024, 3, 14),
			text: "微信用户现在可以直接加入钉钉会议。\n去年9月，闲鱼向微信支付提交了接入申请。\n三年前，淘宝与微信互相屏蔽链接。",
			want: []brief{
				{"DingTalk", "WeChat", kWorkplace, kLaunched, "2024-03", true},
				{"Xianyu", "WeChat Pay", kPayment, kAnnounced, "2023-09", false},
				{"Taobao", "WeChat", kLinks, kHalted, "2021", false},
			},
		},
		{
			name: "since marks history",
			pub:  day(2022, 6, 15),
			text: "Tmall ads now appear in WeChat Moments.\nSince November, WeChat has let users open Taobao links, and in March Taobao started testing WeChat Pay.",
			want: []brief{
				{"Tmall", "Moments", kAdvertising, kLaunched, "2022-06", true},
				{"Taobao", "WeChat", kLinks, kLaunched, "2021-11", false},
				{"Taobao", "WeChat Pay", kPayment, kTesting, "2022-03", false},
			},
		},
		{
			name: "no publication date: the latest development is the news",
			text: "闲鱼于2024年1月上线微信小程序。\n早在2021年9月，闲鱼就向微信支付提交过接入申请。",
			want: []brief{
				{"Xianyu", "WeChat Mini Programs", kMiniProgram, kLaunched, "2024-01", true},
				{"Xianyu", "WeChat Pay", kPayment, kAnnounced, "2021-09", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, one(defaultDetector, "", tt.text, tt.pub)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvidenceAndMerging(t *testing.T) {
	det := defaultDetector
	art := sources.Article{
		Title:     "Taobao and Tmall add WeChat Pay; Xianyu applies",
		Published: day(2021, 9, 28),
		Text: "  Alibaba's Taobao and Tmall now let shoppers pay with WeChat Pay, the company said on Tuesday.  \n" +
			"Xianyu has filed an application to add WeChat Pay as well. Ele.me also accepts WeChat Pay now.\n" +
			"Taobao customers welcomed the change.",
	}
	evs := det.Detect(art, day(2026, 1, 1))
	var got []brief
	for _, e := range evs {
		got = append(got, briefOf(e))
	}
	want := []brief{
		{"Taobao+Tmall+Ele.me", "WeChat Pay", kPayment, kLaunched, "2021-09-28", true},
		{"Xianyu", "WeChat Pay", kPayment, kAnnounced, "2021-09-28", true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	// Evidence is the opening's whole sentence, trimmed.
	if want := "Alibaba's Taobao and Tmall now let shoppers pay with WeChat Pay, the company said on Tuesday."; evs[0].Evidence != want {
		t.Errorf("evidence %q, want %q", evs[0].Evidence, want)
	}
	if want := "Xianyu has filed an application to add WeChat Pay as well."; evs[1].Evidence != want {
		t.Errorf("evidence %q, want %q", evs[1].Evidence, want)
	}
	for _, e := range evs {
		if e.Pair != sources.DefaultPair {
			t.Errorf("pair %+v, want %+v", e.Pair, sources.DefaultPair)
		}
	}
}

// TestTitleOnly covers a title without text and a text without title.
func TestTitleOnly(t *testing.T) {
	if got := one(defaultDetector, "淘宝天猫全面接入微信支付", "", day(2024, 9, 5)); len(got) != 1 || got[0].A != "Taobao+Tmall" {
		t.Errorf("title only: %+v", got)
	}
	if got := one(defaultDetector, "", "", day(2024, 9, 5)); got != nil {
		t.Errorf("empty article: %+v", got)
	}
}

// TestRobustBoilerplate checks lines the article parser may leave in.
func TestRobustBoilerplate(t *testing.T) {
	text := strings.Join([]string{
		"Tencent reported higher games revenue on Wednesday.",
		"SEE ALSO: Taobao starts accepting WeChat Pay",
		"相关阅读：淘宝全面接入微信支付",
		"Read more: WeChat opens Taobao links",
	}, "\n")
	if got := one(defaultDetector, "Tencent games revenue climbs", text, day(2024, 8, 15)); got != nil {
		t.Errorf("got %+v, want nothing", got)
	}
}
