package detect

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wallwatch/worker/sources"
)

// namesBothSides reads the article in full (paragraphs, folding, generic
// names resolved) and reports whether some watch has names on both sides.
func namesBothSides(det *Detector, a sources.Article) bool {
	for _, w := range det.watchesNamed(det.prepare(a)) {
		if w == 3 {
			return true
		}
	}
	return false
}

// watchesNamed returns, per watch, the bits of the sides its names in the
// paragraphs belong to, after generic names are resolved.
func (d *Detector) watchesNamed(paras []*para) []int {
	d.resolveWeak(paras)
	out := make([]int, len(d.watches))
	for _, p := range paras {
		for _, m := range p.mentions {
			out[m.watch] |= 1 << m.side
		}
	}
	return out
}

func TestMayConnect(t *testing.T) {
	ext, err := DefaultLexicon().Extend([]sources.Watch{{Name: "bytedance-tencent", Sides: [2]sources.Side{
		{Key: "bytedance", Entities: []sources.Entity{{Name: "ByteDance", Aliases: []string{"字节跳动"}}, {Name: "Douyin", Aliases: []string{"抖音"}}}},
		{Key: "tencent", Entities: []sources.Entity{{Name: "Tencent"}, {Name: "WeChat", Aliases: []string{"微信"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	two := New(ext)
	tests := []struct {
		name  string
		det   *Detector
		title string
		text  string
		want  bool
	}{
		{"neither side", defaultDetector, "Xiaomi's SUV orders top 200,000", "BYD and NIO cut prices.", false},
		{"one side only", defaultDetector, "Taobao adds an AI assistant", "Alipay and Tmall follow.", false},
		{"both sides", defaultDetector, "Taobao adds WeChat Pay", "", true},
		{"sides split over title and text", defaultDetector, "Taobao changes checkout", "Tencent said nothing.", true},
		{"chinese", defaultDetector, "", "淘特接入微信支付", true},
		{"traditional script", defaultDetector, "", "淘寶接入騰訊的支付工具", true},
		{"full-width letters", defaultDetector, "", "ＱＱ和Ｔｍａｌｌ", true},
		{"case and possessive", defaultDetector, "", "TENCENT's deal with ALIBABA's unit", true},
		{"plural", defaultDetector, "", "two Alibabas and several WeChats", true},
		{"no-break space inside a name", defaultDetector, "", "Alibaba said WeChat\u00a0Pay was live", true},
		{"hyphenated name", defaultDetector, "", "Ali-Mama bought space from Tencent", true},
		{"names inside words do not count", defaultDetector, "", "Alien quality: the Tencentish Taobaoesque look", false},
		{"generic names alone do not count", defaultDetector, "", "Alipay mini programs and video accounts", false},
		{"generic names that count next to a kind word pass", defaultDetector, "", "Alimama placed ads in Moments", true},
		{"generic name with its own side", defaultDetector, "", "Alipay added mini programs from WeChat", true},
		{"second watch", two, "", "抖音与微信互通", true},
		{"second watch, one side", two, "", "抖音与字节跳动", false},
		{"empty", defaultDetector, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sources.Article{Title: tt.title, Text: tt.text}
			if got := tt.det.mayConnect(tt.title, tt.text); got != tt.want {
				t.Errorf("mayConnect = %v, want %v", got, tt.want)
			}
			// The scan never rules out what the full reading finds.
			if full := namesBothSides(tt.det, a); full && !tt.det.mayConnect(tt.title, tt.text) {
				t.Errorf("the full reading names both sides, the scan says no")
			}
		})
	}
}

// TestMayConnectCorpus checks the scan against the full reading on every
// article of both labelled sets, and that it rules out at least the pages
// without both sides.
func TestMayConnectCorpus(t *testing.T) {
	_, shared := corpusArticles(t)
	_, own := loadCorpus(t, heldOutDir)
	for i, a := range append(shared, own...) {
		full := namesBothSides(defaultDetector, a)
		if full && !defaultDetector.mayConnect(a.Title, a.Text) {
			t.Errorf("article %d (%q): the full reading names both sides, the scan says no", i, a.Title)
		}
	}
	for _, a := range []sources.Article{plainEN, plainZH, oneSideEN} {
		if defaultDetector.mayConnect(a.Title, a.Text) {
			t.Errorf("%q: the scan lets a page through that names at most one side", a.Title)
		}
	}
	if strings.Count(plainEN.Text, "\n") < 2 {
		t.Fatal("benchmark pages are too short")
	}
}

// TestMayConnectRawAgrees checks the scan's automaton over raw bytes
// against the scan that folds every character and reads it byte by byte,
// on random mixes of names, words, marks and broken bytes.
func TestMayConnectRawAgrees(t *testing.T) {
	fast := New(DefaultLexicon())
	slow := New(DefaultLexicon())
	slow.pres.raw = nil // every character through fold and feed
	pieces := []string{
		"Alibaba", "ALIBABA's", "Tencent", "tencents", "WeChat", "Pay", "WeChat\u00a0Pay", "Ali-Mama", "Taobao", "Tmall",
		"淘宝", "淘寶", "騰訊", "微信", "支付", "ＱＱ", "Ｔｍａｌｌ", "Ele.me", "DingTalk", "Alien", "xTencent", "Taobaoesque",
		"market", "platform", "小米", "汽车", "the", "s", "S", "1", "-", "`", "'", ".", "（", "，", "\u200b", "\ufeff",
		"\u3000", " ", "\n", "\t", "\xff", "\xe4\xb8", "\xed\xa0\x80", "é", "Ａ", "mini program", "Moments", "Idle", "Fish", "Ant", "Group", "Uni", "Desk", "VooV", "Meeting", "Ding Talk", "Idle\tFish",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	positive := 0
	for range 100000 {
		var b strings.Builder
		for k := rng.IntN(10); k >= 0; k-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		cut := rng.IntN(len(s) + 1)
		got, want := fast.mayConnect(s[:cut], s[cut:]), slow.mayConnect(s[:cut], s[cut:])
		if got != want {
			t.Fatalf("%q / %q: raw automaton %v, byte by byte %v", s[:cut], s[cut:], got, want)
		}
		if got {
			positive++
		}
	}
	if positive < 1000 || positive > 99000 {
		t.Fatalf("%d of 100000 mixes pass: the mixes test too little", positive)
	}
}
