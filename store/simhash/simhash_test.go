package simhash

import (
	"strings"
	"testing"
)

// Stories for the distance tests. Each "copy" is the same report as
// republished elsewhere: another headline prefix, a few words changed,
// punctuation and width differences, an outlet's closing line.
const (
	enStory = `Taobao begins testing WeChat Pay at checkout
Alibaba's Taobao has started letting some users pay for orders with WeChat Pay, according to people familiar with the matter and screenshots shared on social media.
The option appears on the checkout page of the Taobao app for a small group of users, who can choose WeChat Pay next to Alipay when they confirm an order.
Taobao said it is running a limited trial and that the scope will be widened step by step depending on user feedback.
The move follows years in which the two largest internet companies in China kept their ecosystems apart, with Taobao links blocked in WeChat chats and WeChat Pay absent from Alibaba's shopping apps.
Analysts said merchants on the platform would welcome any change that brings more payment choices to shoppers.`

	enCopy = `UPDATE: Taobao begins testing WeChat Pay at checkout
Alibaba's Taobao has started letting some users pay for their orders with WeChat Pay, according to people familiar with the matter and screenshots shared on social media.
The option appears on the checkout page of the Taobao app for a small group of users, who can pick WeChat Pay next to Alipay when they confirm an order.
Taobao said it is running a limited trial, and that the scope will be widened step by step depending on user feedback.
The move follows years in which the two largest internet companies in China kept their ecosystems apart, with Taobao links blocked in WeChat chats and WeChat Pay absent from Alibaba's shopping apps.
Analysts said merchants on the platform would welcome any change that brings more payment choices to shoppers.
Reporting by our technology desk.`

	enOther = `Tencent's games revenue rebounds in second quarter
Tencent reported a rise in domestic games revenue for the second quarter, helped by new mobile titles and a recovery in spending on older franchises.
International games also grew, while the online advertising business benefited from demand for video ads in its short video service.
The company said it would keep investing in artificial intelligence models and in cloud infrastructure for enterprise customers.
Shares rose in Hong Kong trading after the results were published on Wednesday evening.`

	zhStory = `淘宝测试接入微信支付
据多位用户反馈，淘宝App近日开始小范围测试微信支付，部分用户在确认订单时可以在支付宝之外选择微信支付完成付款。
淘宝方面表示，目前仍处于测试阶段，后续将根据用户反馈逐步扩大开放范围。
此前多年，阿里与腾讯的生态相互隔离，淘宝链接无法在微信中直接打开，阿里旗下购物应用也不支持微信支付。
有分析人士认为，此举将为商家带来更多支付选择，也意味着互联互通进入新阶段。`

	zhCopy = `【快讯】淘宝测试接入微信支付！
据多位用户反馈，淘宝App近日开始小范围测试微信支付，部分用户在确认订单时，可以在支付宝之外选择微信支付完成付款。
淘宝方面表示，目前仍处于测试阶段，后续会根据用户反馈逐步扩大开放范围。
此前多年，阿里与腾讯的生态相互隔离，淘宝链接无法在微信中直接打开，阿里旗下购物应用也不支持微信支付。
有分析人士认为，此举将为商家带来更多支付选择，也意味着互联互通进入新阶段。（本文来自财经快报）`

	zhOther = `阿里云宣布大模型降价
阿里云今日宣布旗下多款通义千问大模型API价格大幅下调，其中主力模型输入价格降幅超过九成。
此前，字节跳动、百度等公司也相继公布了大模型降价方案，行业价格战持续升级。
业内人士指出，价格下调有助于吸引更多中小企业开发者使用云端模型服务，但也将压缩厂商利润空间。`
)

func TestNormalize(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"empty":               {"", ""},
		"only punctuation":    {" —,!? ", ""},
		"case and spaces":     {"  Taobao   adds\tWeChat Pay. ", "taobao adds wechat pay"},
		"full width":          {"ＷｅＣｈａｔ　Ｐａｙ，２０２４", "wechat pay 2024"},
		"chinese punctuation": {"【快讯】淘宝：接入微信支付！", "快讯 淘宝 接入微信支付"},
		"digits kept":         {"Q3-2022 results", "q3 2022 results"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	tests := map[string]struct {
		a, b uint64
		want int
	}{
		"equal":     {0xdeadbeef, 0xdeadbeef, 0},
		"one bit":   {0, 1 << 63, 1},
		"all bits":  {0, ^uint64(0), 64},
		"some bits": {0b1011, 0b0110, 3},
		"symmetric": {0b0110, 0b1011, 3},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%#x, %#x) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestFingerprintEdges(t *testing.T) {
	if got := Fingerprint(""); got != 0 {
		t.Errorf("Fingerprint(\"\") = %#x, want 0", got)
	}
	if got := Fingerprint("!!! ..."); got != 0 {
		t.Errorf("Fingerprint of punctuation = %#x, want 0", got)
	}
	if Fingerprint("ab") == 0 || Fingerprint("ab") == Fingerprint("ba") {
		t.Errorf("texts shorter than a shingle must still hash, and differently")
	}
	if a, b := Fingerprint(enStory), Fingerprint(strings.ToUpper(enStory)+"  !!"); a != b {
		t.Errorf("case and trailing punctuation changed the fingerprint: %#x vs %#x", a, b)
	}
}

func TestNearDuplicates(t *testing.T) {
	tests := map[string]struct {
		a, b string
		near bool
	}{
		"english copy":             {enStory, enCopy, true},
		"chinese copy":             {zhStory, zhCopy, true},
		"english unrelated":        {enStory, enOther, false},
		"chinese unrelated":        {zhStory, zhOther, false},
		"same story two languages": {enStory, zhStory, false},
		"copy against unrelated":   {enCopy, enOther, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := Fingerprint(tt.a), Fingerprint(tt.b)
			d := Distance(a, b)
			t.Logf("distance %d", d)
			if got := Near(a, b); got != tt.near {
				t.Errorf("Near = %v (distance %d), want %v", got, d, tt.near)
			}
			// Unrelated stories must be far from the threshold, not just over it.
			if !tt.near && d <= 2*NearDuplicate {
				t.Errorf("distance %d between unrelated stories is within %d", d, 2*NearDuplicate)
			}
		})
	}
}

func BenchmarkFingerprint(b *testing.B) {
	text := strings.Repeat(zhStory+enStory, 4) // about 6 KB, a long article
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Fingerprint(text)
	}
}

// reference is the definition Fingerprint implements, written plainly: a
// vote of every distinct shingle hash on every bit.
func reference(text string) uint64 {
	s := Normalize(text)
	if s == "" {
		return 0
	}
	rs := []rune(s)
	var v [64]int
	seen := map[uint64]bool{}
	for i := 0; i == 0 || i+Shingle <= len(rs); i++ {
		h := uint64(fnvOffset)
		for _, c := range []byte(string(rs[i:min(i+Shingle, len(rs))])) {
			h ^= uint64(c)
			h *= fnvPrime
		}
		h = mix(h)
		if seen[h] {
			continue
		}
		seen[h] = true
		for bit := range 64 {
			if h&(1<<bit) != 0 {
				v[bit]++
			} else {
				v[bit]--
			}
		}
	}
	var fp uint64
	for bit := range 64 {
		if v[bit] > 0 {
			fp |= 1 << bit
		}
	}
	return fp
}

func TestFingerprintIsTheVote(t *testing.T) {
	texts := []string{"a", "ab", "abc", "abcd", "淘", "淘宝", "淘宝测试", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		enStory, enCopy, enOther, zhStory, zhCopy, zhOther,
		strings.Repeat(zhStory+enStory, 4), // more distinct shingles than a lane holds
		strings.Repeat(enOther, 30)}
	for _, text := range texts {
		if got, want := Fingerprint(text), reference(text); got != want {
			t.Errorf("Fingerprint(%.20q…) = %#x, want %#x", text, got, want)
		}
	}
}
