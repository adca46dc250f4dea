package detect

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
)

// FuzzDetect feeds arbitrary titles and texts to Detect and checks the
// shape of what comes out: known kinds and stages, names on both sides,
// evidence taken from the article, headline events first.
func FuzzDetect(f *testing.F) {
	f.Add("Taobao now supports WeChat Pay", "Some Taobao users can pay with WeChat Pay.\nBack in 2021, Ele.me added WeChat Pay.", int64(1725500000))
	f.Add("淘宝内测微信支付：部分用户可用", "8月19日，淘特App新增微信支付。\n此前，淘宝曾小范围测试。", int64(0))
	f.Add("", "除支付宝外，饿了么已可选择微信支付；闲鱼、盒马已提交申请。", int64(1632800000))
	f.Add("Will WeChat open Taobao links?", "If it did, users would not copy codes. It was not until October 2022 that a mini program went online.", int64(1600000000))
	f.Add("a\u200bb\u3000Ｔａｏｂａｏ－ＷｅＣｈａｔ", "\xff\xfe；；：\n\n- - -", int64(-1))
	det := New(DefaultLexicon())
	kinds, stages := sources.Kinds, sources.Stages
	f.Fuzz(func(t *testing.T, title, text string, pub int64) {
		a := sources.Article{Title: title, Text: text}
		if pub > 0 {
			a.Published = time.Unix(pub%4102444800, 0).In(shanghai)
		}
		// The presence scan never rules out a page the full reading
		// finds both sides in.
		if !det.mayConnect(title, text) && namesBothSides(det, a) {
			t.Fatalf("the scan rules out a page that names both sides")
		}
		evs := det.Detect(a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		seenBackground := false
		for _, e := range evs {
			if !slices.Contains(kinds, e.Kind) || !slices.Contains(stages, e.Stage) {
				t.Fatalf("kind %q stage %q", e.Kind, e.Stage)
			}
			if len(e.A) == 0 || len(e.B) == 0 || e.Pair != sources.DefaultPair {
				t.Fatalf("sides %+v", e)
			}
			if e.Evidence == "" || !utf8.ValidString(e.Evidence) && utf8.ValidString(title) && utf8.ValidString(text) {
				t.Fatalf("evidence %q", e.Evidence)
			}
			if !strings.Contains(title, e.Evidence) && !strings.Contains(text, e.Evidence) {
				t.Fatalf("evidence %q is not from the article", e.Evidence)
			}
			if e.Headline && seenBackground {
				t.Fatal("a headline event after a background event")
			}
			seenBackground = seenBackground || !e.Headline
			if _, err := e.MarshalJSON(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
