package detect

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/sources"
)

func TestDefaultLexicon(t *testing.T) {
	ws := DefaultLexicon().Watches()
	if len(ws) != 1 || ws[0].Sides[0].Key != "alibaba" || ws[0].Sides[1].Key != "tencent" {
		t.Fatalf("default watches: %+v", ws)
	}
	// Every canonical name of events.md is there, the company first.
	want := [2][]string{
		{"Alibaba", "Taobao", "Tmall", "Taote", "Xianyu", "Ele.me", "Youku", "Damai", "Alipay", "Alimama",
			"DingTalk", "Cainiao", "Amap", "Fliggy", "Quark", "Alibaba Cloud", "UC Browser", "Freshippo"},
		{"Tencent", "WeChat", "WeChat Pay", "WeChat Channels", "Moments", "WeChat Mini Programs", "QQ",
			"Tencent Ads", "Tencent Video", "Tencent News", "Tencent Meeting", "WeCom", "Tencent Cloud"},
	}
	for side := range want {
		var got []string
		for _, e := range ws[0].Sides[side].Entities {
			got = append(got, e.Name)
		}
		if diff := cmp.Diff(want[side], got); diff != "" {
			t.Errorf("side %d (-want +got):\n%s", side, diff)
		}
	}
	// Watches returns a copy.
	ws[0].Sides[0].Entities[0].Name = "changed"
	if DefaultLexicon().Watches()[0].Sides[0].Entities[0].Name != "Alibaba" {
		t.Error("Watches exposed the lexicon's own slices")
	}
}

func TestExtend(t *testing.T) {
	base := DefaultLexicon()
	t.Run("stop phrases and names that count next to a kind word", func(t *testing.T) {
		l, err := base.Extend([]sources.Watch{{
			Name: "alibaba-tencent",
			Sides: [2]sources.Side{
				{Key: "alibaba", Entities: []sources.Entity{{Name: "Quark", Aliases: []string{"!quark star", "!quark matter"}}}},
				{Key: "tencent", Entities: []sources.Entity{{Name: "WeChat Channels", Aliases: []string{"~+Video Feed"}}}},
			},
		}})
		if err != nil {
			t.Fatal(err)
		}
		got := names(New(l), "A Quark Star, Quark Matter and Quark; ads in the Video Feed", "The Video Feed")
		if diff := cmp.Diff([][]string{{"Quark", "WeChat Channels"}, nil}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("aliases and entities join an existing watch", func(t *testing.T) {
		l, err := base.Extend([]sources.Watch{{
			Name: "alibaba-tencent",
			Sides: [2]sources.Side{
				{Key: "tencent", Entities: []sources.Entity{{Name: "WeChat", Aliases: []string{"Weixin app"}}}},
				{Key: "alibaba", Entities: []sources.Entity{{Name: "Lazada", Aliases: []string{"来赞达"}}}},
			},
		}})
		if err != nil {
			t.Fatal(err)
		}
		got := names(New(l), "Lazada accepts payments from the Weixin app; 来赞达")
		if diff := cmp.Diff([][]string{{"Lazada", "WeChat", "Lazada"}}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// The base lexicon is unchanged.
		if got := names(New(base), "Lazada and the Weixin app"); !cmp.Equal(got, [][]string{{"WeChat"}}) {
			t.Errorf("base lexicon changed: %v", got)
		}
	})
	t.Run("a new pair", func(t *testing.T) {
		l, err := base.Extend([]sources.Watch{{
			Name: "bytedance-tencent",
			Sides: [2]sources.Side{
				{Key: "bytedance", Entities: []sources.Entity{{Name: "ByteDance", Aliases: []string{"字节跳动", "字节"}}, {Name: "Douyin", Aliases: []string{"抖音", "TikTok China"}}}},
				{Key: "tencent", Entities: []sources.Entity{{Name: "Tencent", Aliases: []string{"腾讯"}}, {Name: "WeChat", Aliases: []string{"微信"}}, {Name: "Moments", Aliases: []string{"=~Moments", "朋友圈"}}}},
			},
		}})
		if err != nil {
			t.Fatal(err)
		}
		det := New(l)
		for _, tt := range []struct{ title, kind string }{
			{"Douyin lets users share videos to WeChat Moments", "links"},
			{"抖音视频可直接分享至微信朋友圈", "links"},
		} {
			evs := det.Detect(sources.Article{Title: tt.title, Published: day(2024, 3, 1)}, day(2026, 1, 1))
			if len(evs) != 1 {
				t.Fatalf("%s: got %d events: %+v", tt.title, len(evs), evs)
			}
			e := evs[0]
			if e.Pair != (sources.Pair{A: "bytedance", B: "tencent"}) || e.Kind != sources.Kind(tt.kind) || e.A[0] != "Douyin" || !e.Headline {
				t.Errorf("%s: got %+v", tt.title, e)
			}
			js, err := e.MarshalJSON()
			if err != nil || !strings.Contains(string(js), `"bytedance":["Douyin"]`) || !strings.Contains(string(js), `"tencent":[`) {
				t.Errorf("%s: JSON %s, %v", tt.title, js, err)
			}
		}
		// The Alibaba–Tencent watch still works alongside.
		evs := det.Detect(sources.Article{Title: "Taobao now supports WeChat Pay", Published: day(2024, 9, 5)}, day(2026, 1, 1))
		if len(evs) != 1 || evs[0].Pair != sources.DefaultPair {
			t.Errorf("default watch: %+v", evs)
		}
	})
	bad := []struct {
		name    string
		ws      []sources.Watch
		problem string // in the error, with the watch, side and entity
	}{
		{"empty watch name", []sources.Watch{{Name: " "}}, `watch "#0": name is empty`},
		{"side without key", []sources.Watch{{Name: "x", Sides: [2]sources.Side{{Key: "a", Entities: []sources.Entity{{Name: "A"}}}, {Entities: []sources.Entity{{Name: "B"}}}}}},
			`watch "x": side 2 has no key`},
		{"same key twice", []sources.Watch{{Name: "x", Sides: [2]sources.Side{{Key: "a", Entities: []sources.Entity{{Name: "A"}}}, {Key: "A", Entities: []sources.Entity{{Name: "B"}}}}}},
			`watch "x": side "A": both sides have the same key`},
		{"unknown side of an existing watch", []sources.Watch{{Name: "alibaba-tencent", Sides: [2]sources.Side{{Key: "bytedance", Entities: []sources.Entity{{Name: "Douyin"}}}}}},
			`watch "alibaba-tencent": side "bytedance": no such side`},
		{"empty entity name", []sources.Watch{{Name: "alibaba-tencent", Sides: [2]sources.Side{{Key: "alibaba", Entities: []sources.Entity{{Name: ""}}}}}},
			`watch "alibaba-tencent": side "alibaba": an entity has no name`},
		{"empty alias", []sources.Watch{{Name: "alibaba-tencent", Sides: [2]sources.Side{{Key: "alibaba", Entities: []sources.Entity{{Name: "Taobao", Aliases: []string{"~"}}}}}}},
			`watch "alibaba-tencent": side "alibaba": entity "Taobao": alias "~" is empty`},
		{"alias of another entity", []sources.Watch{{Name: "alibaba-tencent", Sides: [2]sources.Side{{Key: "alibaba", Entities: []sources.Entity{{Name: "Taobao", Aliases: []string{"Tmall"}}}}}}},
			`watch "alibaba-tencent": side "alibaba": entity "Taobao": name "Tmall" is already a name of entity "Tmall" on side "alibaba"`},
		{"alias claimed across sides", []sources.Watch{{Name: "alibaba-tencent", Sides: [2]sources.Side{{Key: "tencent", Entities: []sources.Entity{{Name: "WeChat", Aliases: []string{"淘宝"}}}}}}},
			`name "淘宝" is already a name of entity "Taobao" on side "alibaba"`},
		{"new pair without entities", []sources.Watch{{Name: "y", Sides: [2]sources.Side{{Key: "a", Entities: []sources.Entity{{Name: "A"}}}, {Key: "b"}}}},
			`watch "y": side "b": no entities`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			l, err := base.Extend(tt.ws)
			var we *WatchError
			if !errors.As(err, &we) {
				t.Fatalf("got %v, %v; want a *WatchError", l, err)
			}
			if !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("error %q does not contain %q", err, tt.problem)
			}
		})
	}
}
