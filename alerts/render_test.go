package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/sources"
)

var shanghai = time.FixedZone("CST", 8*3600)

func taobaoPay() Development {
	return Development{
		Pair: sources.DefaultPair, A: []string{"Taobao", "Tmall"}, B: []string{"WeChat Pay"},
		Kind: sources.KindPayment, Stage: sources.StageLaunched, Date: sources.Date{Year: 2024, Month: 9, Day: 4},
		Evidence: "Taobao and Tmall said on Wednesday they will add WeChat Pay.",
	}
}

func englishArticle() Article {
	return Article{
		Title: "Taobao adds WeChat Pay", URL: "https://example.com/news/1?a=1&b=2", Source: "example-feed",
		SiteName: "Example News", Lang: "en", Published: time.Date(2024, 9, 4, 8, 30, 0, 0, shanghai),
	}
}

// blockTexts flattens blocks to "type: text" lines through their JSON, as
// Slack would read them.
func blockTexts(t *testing.T, blocks []slack.Block) []string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var bs []struct {
		Type string `json:"type"`
		Text *struct {
			Type, Text string
		} `json:"text"`
		Elements []struct{ Type, Text string } `json:"elements"`
	}
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bs {
		switch {
		case b.Text != nil:
			out = append(out, b.Type+"/"+b.Text.Type+": "+b.Text.Text)
		case len(b.Elements) > 0:
			for _, e := range b.Elements {
				out = append(out, b.Type+"/"+e.Type+": "+e.Text)
			}
		default:
			out = append(out, b.Type)
		}
	}
	return out
}

func TestRender(t *testing.T) {
	tests := map[string]struct {
		msg        Message
		wantText   string
		wantBlocks []string
	}{
		"english alert": {
			msg:      Message{Key: "outbox-1", Developments: []Development{taobaoPay()}, Article: englishArticle()},
			wantText: "WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024) — <https://example.com/news/1?a=1&amp;b=2|Taobao adds WeChat Pay> (Example News, 2024-09-04)",
			wantBlocks: []string{
				"header/plain_text: WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024)",
				"section/mrkdwn: *Alibaba:* Taobao, Tmall\n*Tencent:* WeChat Pay\n*Kind:* payment · *Stage:* launched · *Date:* 2024-09-04",
				"section/mrkdwn: *<https://example.com/news/1?a=1&amp;b=2|Taobao adds WeChat Pay>*\nExample News · 2024-09-04" +
					"\nGist: Tencent's WeChat Pay on Alibaba's Taobao and Tmall: live for users (4 Sep 2024).",
				"section/mrkdwn: > Taobao and Tmall said on Wednesday they will add WeChat Pay.",
			},
		},
		"chinese headline gets an english gist": {
			msg: Message{Developments: []Development{{
				A: []string{"Taote"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment,
				Stage: sources.StageTesting, Date: sources.Date{Year: 2024, Month: 9},
			}}, Article: Article{Title: "淘特小范围测试接入微信支付", URL: "https://36kr.example/p/1", Source: "36kr", Lang: "zh",
				Published: time.Date(2024, 9, 4, 23, 30, 0, 0, shanghai)}},
			wantText: "WeChat Pay on Taote (testing, Sep 2024) — <https://36kr.example/p/1|淘特小范围测试接入微信支付> (36kr, 2024-09-04)",
			wantBlocks: []string{
				"header/plain_text: WeChat Pay on Taote (testing, Sep 2024)",
				"section/mrkdwn: *Alibaba:* Taote\n*Tencent:* WeChat Pay\n*Kind:* payment · *Stage:* testing · *Date:* 2024-09",
				"section/mrkdwn: *<https://36kr.example/p/1|淘特小范围测试接入微信支付>*\n36kr · 2024-09-04\nGist: Tencent's WeChat Pay on Alibaba's Taote: being tested with some users (Sep 2024).",
			},
		},
		"a later step says what changed and links the first alert's thread": {
			msg: Message{Developments: []Development{{A: []string{"DingTalk"}, B: []string{"WeChat"}, Kind: sources.KindWorkplace,
				Stage: sources.StageLaunched}}, Article: Article{Title: "DingTalk meetings open to WeChat users", URL: "https://e.example/d"},
				Previous: &Posted{Channel: "C123", TS: "1700000001.000001", Stage: sources.StageAnnounced, Date: sources.Date{Year: 2024, Month: 9, Day: 4}},
				Was:      sources.StageTesting},
			wantText: "DingTalk linked with WeChat for work (launched) — <https://e.example/d|DingTalk meetings open to WeChat users> (e.example)" +
				" — Now launched (was testing) — first reported as announced on 4 Sep 2024",
			wantBlocks: []string{
				"header/plain_text: DingTalk linked with WeChat for work (launched)",
				"section/mrkdwn: *Alibaba:* DingTalk\n*Tencent:* WeChat\n*Kind:* workplace · *Stage:* launched",
				"section/mrkdwn: *<https://e.example/d|DingTalk meetings open to WeChat users>*\ne.example" +
					"\nGist: Alibaba's DingTalk linked with Tencent's WeChat for work: live for users.",
				"context/mrkdwn: Now launched (was testing) — first reported as announced on 4 Sep 2024 · " +
					"<https://slack.com/archives/C123/p1700000001000001|first alert's thread>",
			},
		},
		"the second step links the first, whose stage it moved on from; Slack's permalink is preferred": {
			msg: Message{Developments: []Development{{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment,
				Stage: sources.StageLaunched}}, Article: Article{Title: "Taobao opens WeChat Pay to all", URL: "https://e.example/t"},
				Previous: &Posted{Channel: "C123", TS: "1700000001.000001", Stage: sources.StageAnnounced, Date: sources.Date{Year: 2024, Month: 9},
					Permalink: "https://team.slack.com/archives/C123/p1700000001000001?x=1&y=<2>"},
				Was: sources.StageAnnounced},
			wantText: "WeChat Pay on Taobao (launched) — <https://e.example/t|Taobao opens WeChat Pay to all> (e.example)" +
				" — Now launched — first reported as announced in Sep 2024",
			wantBlocks: []string{
				"header/plain_text: WeChat Pay on Taobao (launched)",
				"section/mrkdwn: *Alibaba:* Taobao\n*Tencent:* WeChat Pay\n*Kind:* payment · *Stage:* launched",
				"section/mrkdwn: *<https://e.example/t|Taobao opens WeChat Pay to all>*\ne.example" +
					"\nGist: Tencent's WeChat Pay on Alibaba's Taobao: live for users.",
				"context/mrkdwn: Now launched — first reported as announced in Sep 2024 · " +
					"<https://team.slack.com/archives/C123/p1700000001000001?x=1&amp;y=%3C2%3E|first alert's thread>",
			},
		},
		"relaunched after a halt": {
			msg: Message{Developments: []Development{{A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: sources.KindLinks,
				Stage: sources.StageLaunched}}, Article: Article{Title: "Links back", URL: "https://e.example/l"},
				Previous: &Posted{Channel: "C123", TS: "1700000001.000001", Stage: sources.StageLaunched, Date: sources.Date{Year: 2024, Month: 3, Day: 1}},
				Was:      sources.StageHalted},
			wantText: "Taobao links open in WeChat (launched) — <https://e.example/l|Links back> (e.example)" +
				" — Now launched again (was halted) — first reported as launched on 1 Mar 2024",
			wantBlocks: []string{
				"header/plain_text: Taobao links open in WeChat (launched)",
				"section/mrkdwn: *Alibaba:* Taobao\n*Tencent:* WeChat\n*Kind:* links · *Stage:* launched",
				"section/mrkdwn: *<https://e.example/l|Links back>*\ne.example" +
					"\nGist: Alibaba's Taobao links open in Tencent's WeChat: live for users.",
				"context/mrkdwn: Now launched again (was halted) — first reported as launched on 1 Mar 2024 · " +
					"<https://slack.com/archives/C123/p1700000001000001|first alert's thread>",
			},
		},
		"further developments listed after the primary": {
			msg: Message{Developments: []Development{taobaoPay(),
				{A: []string{"Alimama"}, B: []string{"Moments", "WeChat Channels"}, Kind: sources.KindAdvertising, Stage: sources.StageTesting},
				{A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: sources.KindLinks, Stage: sources.StageAnnounced, Date: sources.Date{Year: 2024}},
			}, Article: englishArticle()},
			wantText: "WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024) — <https://example.com/news/1?a=1&amp;b=2|Taobao adds WeChat Pay> (Example News, 2024-09-04) +2 more",
			wantBlocks: []string{
				"header/plain_text: WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024)",
				"section/mrkdwn: *Alibaba:* Taobao, Tmall\n*Tencent:* WeChat Pay\n*Kind:* payment · *Stage:* launched · *Date:* 2024-09-04",
				"section/mrkdwn: *<https://example.com/news/1?a=1&amp;b=2|Taobao adds WeChat Pay>*\nExample News · 2024-09-04" +
					"\nGist: Tencent's WeChat Pay on Alibaba's Taobao and Tmall: live for users (4 Sep 2024).",
				"section/mrkdwn: > Taobao and Tmall said on Wednesday they will add WeChat Pay.",
				"section/mrkdwn: *Also in this article:*\n• Alimama ads in Moments and WeChat Channels (testing)\n• Taobao links open in WeChat (announced, 2024)",
			},
		},
		"thread reply": {
			msg: Message{Key: "outbox-2", ThreadTS: "1700000001.000001", Channel: "C000",
				Article: Article{Title: "WeChat Pay arrives on Taobao", URL: "https://reuters.example/x", SiteName: "Reuters",
					Published: time.Date(2024, 9, 5, 1, 0, 0, 0, time.UTC)}},
			wantText:   "Also reported by Reuters: <https://reuters.example/x|WeChat Pay arrives on Taobao> (2024-09-05)",
			wantBlocks: []string{"section/mrkdwn: Also reported by Reuters: <https://reuters.example/x|WeChat Pay arrives on Taobao> (2024-09-05)"},
		},
		"chinese coverage gives the stage its outlet reports and the gist": {
			msg: Message{Key: "outbox-3", ThreadTS: "1700000001.000001", Channel: "C000",
				Article: Article{Title: "淘宝灰度测试微信支付", URL: "https://kjzx.example/1", SiteName: "科技在线", Lang: "zh",
					Published: time.Date(2024, 9, 5, 9, 0, 0, 0, shanghai)},
				Reported: &Development{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment,
					Stage: sources.StageTesting, Date: sources.Date{Year: 2024, Month: 9}}},
			wantText: "Also reported by 科技在线, as testing: <https://kjzx.example/1|淘宝灰度测试微信支付> (2024-09-05)" +
				"\nGist: Tencent's WeChat Pay on Alibaba's Taobao: being tested with some users (Sep 2024).",
			wantBlocks: []string{"section/mrkdwn: Also reported by 科技在线, as testing: <https://kjzx.example/1|淘宝灰度测试微信支付> (2024-09-05)" +
				"\nGist: Tencent's WeChat Pay on Alibaba's Taobao: being tested with some users (Sep 2024)."},
		},
		"reply without title, outlet or date": {
			msg:        Message{ThreadTS: "1.2", Article: Article{URL: "https://news.example/a"}},
			wantText:   "Also reported by news.example: <https://news.example/a|untitled article>",
			wantBlocks: []string{"section/mrkdwn: Also reported by news.example: <https://news.example/a|untitled article>"},
		},
		"other pair and empty side": {
			msg: Message{Developments: []Development{{Pair: sources.Pair{A: "bytedance", B: "tencent"}, B: []string{"WeChat"}}},
				Article: Article{Title: "t", URL: "ftp://x.example/y", Source: "s"}},
			wantText: "Bytedance linked with WeChat — t (s)",
			wantBlocks: []string{
				"header/plain_text: Bytedance linked with WeChat",
				"section/mrkdwn: *Bytedance:* ?\n*Tencent:* WeChat\n*Kind:* interconnection",
				"section/mrkdwn: *t*\ns\nGist: Bytedance linked with Tencent's WeChat.",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			text, blocks := Render(tc.msg)
			if text != tc.wantText {
				t.Errorf("text:\n got %q\nwant %q", text, tc.wantText)
			}
			if diff := cmp.Diff(tc.wantBlocks, blockTexts(t, blocks)); diff != "" {
				t.Errorf("blocks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderEscaping(t *testing.T) {
	tests := map[string]struct {
		article  Article
		evidence string
		want     []string // substrings of the article and evidence sections
	}{
		"channel mention in headline": {
			article: Article{Title: "<!channel> WeChat Pay & Taobao", URL: "https://e.example/1", SiteName: "E"},
			want:    []string{"<https://e.example/1|&lt;!channel&gt; WeChat Pay &amp; Taobao>"},
		},
		"user mention and here": {
			article: Article{Title: "hi <@U123> and <!here>", URL: "https://e.example/1", SiteName: "<!here> Daily"},
			want:    []string{"|hi &lt;@U123&gt; and &lt;!here&gt;>", "&lt;!here&gt; Daily"},
		},
		"link markup in headline": {
			article: Article{Title: "<http://evil.example|click me>", URL: "https://e.example/1", SiteName: "E"},
			want:    []string{"<https://e.example/1|&lt;http://evil.example｜click me&gt;>"},
		},
		"pipe in headline": {
			article: Article{Title: "Taobao | Reuters", URL: "https://e.example/1", SiteName: "E"},
			want:    []string{"<https://e.example/1|Taobao ｜ Reuters>"},
		},
		"newlines in headline": {
			article: Article{Title: "line one\n\nline\ttwo\r\n", URL: "https://e.example/1", SiteName: "E"},
			want:    []string{"|line one line two>"},
		},
		"url with markup characters": {
			article: Article{Title: "t", URL: "https://e.example/a b<c>|d\"e?x=1&y=2", SiteName: "E"},
			want:    []string{"<https://e.example/a%20b%3Cc%3E%7Cd%22e?x=1&amp;y=2|t>"},
		},
		"javascript url is not linked": {
			article: Article{Title: "click", URL: "javascript:alert(1)", SiteName: "E"},
			want:    []string{"*click*\nE"},
		},
		"scheme-relative url is not linked": {
			article: Article{Title: "click", URL: "//e.example/x", SiteName: "E"},
			want:    []string{"*click*\nE"},
		},
		"evidence with mentions": {
			article:  Article{Title: "t", URL: "https://e.example/1", SiteName: "E"},
			evidence: "Taobao <!everyone> said <#C123> & more",
			want:     []string{"> Taobao &lt;!everyone&gt; said &lt;#C123&gt; &amp; more"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := taobaoPay()
			d.Evidence = tc.evidence
			text, blocks := Render(Message{Developments: []Development{d}, Article: tc.article})
			all := strings.Join(append(blockTexts(t, blocks), text), "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("rendering lacks %q:\n%s", w, all)
				}
			}
			checkMrkdwn(t, text)
			for _, s := range blockTexts(t, blocks) {
				if _, body, ok := strings.Cut(s, "mrkdwn: "); ok {
					checkMrkdwn(t, body)
				}
			}
		})
	}
}

// checkMrkdwn fails when s has a '<' that does not open one of our own
// http(s) links, a link with more than one '|', or a '>' that neither closes
// a link nor starts a quote line.
func checkMrkdwn(t *testing.T, s string) {
	t.Helper()
	rest := s
	if strings.HasPrefix(rest, "> ") {
		rest = rest[2:]
	}
	rest = strings.ReplaceAll(rest, "\n> ", "\n")
	for {
		i := strings.IndexAny(rest, "<>")
		if i < 0 {
			return
		}
		if rest[i] == '>' {
			t.Errorf("stray '>' in %q", s)
			return
		}
		end := strings.IndexByte(rest[i:], '>')
		if end < 0 {
			t.Errorf("unclosed '<' in %q", s)
			return
		}
		inner := rest[i+1 : i+end]
		u, _, _ := strings.Cut(inner, "|")
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") ||
			strings.Count(inner, "|") > 1 || strings.ContainsAny(u, " <") {
			t.Errorf("unsafe link %q in %q", inner, s)
		}
		rest = rest[i+end+1:]
	}
}

func TestSafeURL(t *testing.T) {
	tests := map[string]struct {
		in     string
		want   string
		wantOK bool
	}{
		"plain https":          {"https://e.example/a/b?c=d#f", "https://e.example/a/b?c=d#f", true},
		"upper-case scheme":    {"HTTP://E.example/", "http://E.example/", true},
		"trimmed":              {"  https://e.example/x \n", "https://e.example/x", true},
		"ampersand":            {"https://e.example/?a=1&b=2", "https://e.example/?a=1&amp;b=2", true},
		"space and brackets":   {"https://e.example/a b<c>", "https://e.example/a%20b%3Cc%3E", true},
		"pipe":                 {"https://e.example/a|b", "https://e.example/a%7Cb", true},
		"newline inside":       {"https://e.example/a\nb", "https://e.example/a%0Ab", true},
		"chinese path kept":    {"https://e.example/新闻/1", "https://e.example/新闻/1", true},
		"javascript":           {"javascript:alert(1)", "", false},
		"mailto":               {"mailto:a@b.example", "", false},
		"no host":              {"https://", "", false},
		"no host, path":        {"https:///x", "", false},
		"relative":             {"/news/1", "", false},
		"scheme-relative":      {"//e.example/x", "", false},
		"invalid utf-8":        {"https://e.example/\xff", "", false},
		"data url":             {"data:text/html,<b>x</b>", "", false},
		"http in the middle":   {"see https://e.example", "", false},
		"backslash host trick": {"https:\\\\e.example", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := safeURL(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("safeURL(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHeaderText(t *testing.T) {
	many := make([]string, 100)
	for i := range many {
		many[i] = fmt.Sprintf("Entity%02d", i)
	}
	han := []string{strings.Repeat("淘", 200)}
	emoji := []string{strings.Repeat("😀", 100)}
	sep4 := sources.Date{Year: 2024, Month: 9, Day: 4}
	tests := map[string]struct {
		d        Development
		reported sources.Date
		want     string // the whole header; with wantSuffix, its start
		// wantSuffix, when set, is how a header cut to fit ends.
		wantSuffix string
	}{
		"payment led by the main platforms": {
			d: Development{A: []string{"Tmall", "Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment,
				Stage: sources.StageLaunched, Date: sep4},
			want: "WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024)",
		},
		"at most two platforms a side, the main ones": {
			d: Development{A: []string{"Alimama", "Taobao", "Tmall"}, B: []string{"WeChat Mini Programs", "Tencent Ads", "Moments", "WeChat Channels", "WeChat"},
				Kind: sources.KindAdvertising, Stage: sources.StageExpanded, Date: sources.Date{Year: 2024, Month: 2}},
			want: "Taobao and Tmall ads in WeChat and Moments (expanded, Feb 2024)",
		},
		"payment the other way": {
			d:    Development{A: []string{"Alipay"}, B: []string{"WeChat"}, Kind: sources.KindPayment, Stage: sources.StageTesting, Date: sources.Date{Year: 2023}},
			want: "Alipay on WeChat (testing, 2023)",
		},
		"undated: the day it was reported": {
			d:        Development{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageLaunched},
			reported: sep4,
			want:     "WeChat Pay on Taobao (launched, reported 4 Sep 2024)",
		},
		"no date at all": {
			d:    Development{A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: sources.KindLinks, Stage: sources.StageAnnounced},
			want: "Taobao links open in WeChat (announced)",
		},
		"mini program kind": {
			d:    Development{A: []string{"Ele.me"}, B: []string{"WeChat Mini Programs"}, Kind: sources.KindMiniProgram, Stage: sources.StageExpanded},
			want: "Ele.me mini programs in WeChat Mini Programs (expanded)",
		},
		"workplace": {
			d:    Development{A: []string{"DingTalk"}, B: []string{"WeCom", "WeChat"}, Kind: sources.KindWorkplace, Stage: sources.StageLaunched},
			want: "DingTalk linked with WeChat and WeCom for work (launched)",
		},
		"many entities: the first two of each side": {
			d:    Development{A: many, B: many, Kind: sources.KindData, Stage: sources.StageHalted},
			want: "Entity00 and Entity01 data shared with Entity00 and Entity01 (halted)",
		},
		"an unknown kind": {
			d:    Development{A: []string{"Youku"}, B: []string{"QQ"}, Kind: "novel"},
			want: "Youku linked with QQ",
		},
		"chinese names cut on a rune boundary, stage kept": {
			d:    Development{A: han, B: []string{"微信"}, Kind: sources.KindLinks, Stage: sources.StageTesting},
			want: "淘淘淘", wantSuffix: "淘… (testing)",
		},
		"astral characters counted as two": {
			d:    Development{A: emoji, B: []string{"QQ"}, Kind: sources.KindOther, Date: sources.Date{Year: 2021}},
			want: "😀", wantSuffix: "😀… (2021)",
		},
		"newlines removed": {
			d:    Development{A: []string{"Tao\nbao"}, B: []string{"We\tChat"}, Kind: sources.KindLinks, Stage: "launched\n"},
			want: "Tao bao links open in We Chat (launched)",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := headerText(tc.d, tc.reported)
			if tc.wantSuffix == "" && h != tc.want {
				t.Errorf("header %q, want %q", h, tc.want)
			}
			if tc.wantSuffix != "" && (!strings.HasPrefix(h, tc.want) || !strings.HasSuffix(h, tc.wantSuffix)) {
				t.Errorf("header %q: want prefix %q and suffix %q", h, tc.want, tc.wantSuffix)
			}
			if n := len16(h); n > maxHeaderText {
				t.Errorf("header is %d UTF-16 units, over %d", n, maxHeaderText)
			}
			if !utf8.ValidString(h) || strings.ContainsAny(h, "\n\r\t") {
				t.Errorf("header %q is not one line of valid UTF-8", h)
			}
		})
	}
}

// Two developments of the same platforms and kind at the same stage are two
// storylines only when they are far apart in time, and their headers say
// when; two steps of one storyline differ by stage.
func TestHeadersOfDifferentDevelopmentsDiffer(t *testing.T) {
	pay := func(stage sources.Stage, date sources.Date) Development {
		return Development{A: []string{"Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: stage, Date: date}
	}
	devs := []struct {
		d        Development
		reported sources.Date
	}{
		{pay(sources.StageTesting, sources.Date{Year: 2022, Month: 3}), sources.Date{Year: 2022, Month: 3, Day: 9}},
		{pay(sources.StageTesting, sources.Date{Year: 2024, Month: 2}), sources.Date{Year: 2024, Month: 2, Day: 1}},
		{pay(sources.StageLaunched, sources.Date{Year: 2024, Month: 2}), sources.Date{Year: 2024, Month: 3, Day: 1}},
		{pay(sources.StageTesting, sources.Date{}), sources.Date{Year: 2023, Month: 6, Day: 1}},
		{pay(sources.StageTesting, sources.Date{}), sources.Date{Year: 2023, Month: 9, Day: 1}},
		{Development{A: []string{"Taote"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageTesting,
			Date: sources.Date{Year: 2022, Month: 3}}, sources.Date{Year: 2022, Month: 3, Day: 9}},
		{Development{A: []string{"Taobao"}, B: []string{"WeChat"}, Kind: sources.KindLinks, Stage: sources.StageTesting,
			Date: sources.Date{Year: 2022, Month: 3}}, sources.Date{Year: 2022, Month: 3, Day: 9}},
	}
	seen := map[string]int{}
	for i, x := range devs {
		h := headerText(x.d, x.reported)
		if j, ok := seen[h]; ok {
			t.Errorf("developments %d and %d share the header %q", j, i, h)
		}
		seen[h] = i
	}
}

func TestTruncEsc(t *testing.T) {
	tests := map[string]struct {
		in   string
		max  int
		want string
	}{
		"fits":                 {"a &amp; b", 20, "a &amp; b"},
		"cut before entity":    {"abc &amp; def", 7, "abc…"},
		"cut after entity":     {"&lt;&gt;xyz", 10, "&lt;&gt;x…"},
		"cut inside entity":    {"ab&lt;", 5, "ab…"},
		"han on rune boundary": {"微信支付淘宝", 4, "微信支…"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := truncEsc(tc.in, tc.max); got != tc.want {
				t.Errorf("truncEsc(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestGist(t *testing.T) {
	tests := map[string]struct {
		d    Development
		want string
	}{
		"tencent pay on alibaba app": {
			d:    Development{A: []string{"Taote"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageTesting},
			want: "Tencent's WeChat Pay on Alibaba's Taote: being tested with some users.",
		},
		"alibaba pay on tencent app": {
			d:    Development{A: []string{"Alipay"}, B: []string{"WeChat"}, Kind: sources.KindPayment, Stage: sources.StageLaunched, Date: sources.Date{Year: 2023}},
			want: "Alibaba's Alipay on Tencent's WeChat: live for users (2023).",
		},
		"every platform, the main ones first": {
			d: Development{A: []string{"Tmall", "Taobao"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageAnnounced,
				Date: sources.Date{Year: 2024, Month: 9, Day: 4}},
			want: "Tencent's WeChat Pay on Alibaba's Taobao and Tmall: announced, not yet live (4 Sep 2024).",
		},
		"both pay tools": {
			d:    Development{A: []string{"Alipay"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment, Stage: sources.StageAnnounced},
			want: "Alibaba's Alipay payments linked with Tencent's WeChat Pay: announced, not yet live.",
		},
		"advertising": {
			d:    Development{A: []string{"Alimama"}, B: []string{"WeChat Channels", "Moments", "Tencent Ads"}, Kind: sources.KindAdvertising, Stage: sources.StageExpanded},
			want: "Alibaba's Alimama ads in Tencent's Moments, WeChat Channels and Tencent Ads: widened to more users or services.",
		},
		"workplace": {
			d:    Development{A: []string{"DingTalk"}, B: []string{"WeChat", "WeCom"}, Kind: sources.KindWorkplace, Stage: sources.StageHalted},
			want: "Alibaba's DingTalk linked with Tencent's WeChat and WeCom for work: halted.",
		},
		"a company named alone": {
			d:    Development{A: []string{"Alibaba"}, B: []string{"Tencent", "WeChat"}, Kind: sources.KindData, Stage: sources.StageAnnounced, Date: sources.Date{Year: 2021, Month: 9}},
			want: "Alibaba data shared with Tencent's WeChat: announced, not yet live (Sep 2021).",
		},
		"unknown kind and stage": {
			d:    Development{A: []string{"Youku"}, B: []string{"QQ"}, Kind: "novel", Stage: "rumoured"},
			want: "Alibaba's Youku linked with Tencent's QQ: rumoured.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := gist(tc.d); got != tc.want {
				t.Errorf("gist = %q, want %q", got, tc.want)
			}
		})
	}
}

func checkLimits(t *testing.T, text string, blocks []slack.Block) {
	t.Helper()
	if strings.TrimSpace(text) == "" {
		t.Error("empty text")
	}
	if n := len16(text); n > maxFallback {
		t.Errorf("text is %d UTF-16 units, over %d", n, maxFallback)
	}
	if !utf8.ValidString(text) {
		t.Error("text is not valid UTF-8")
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if errs := slackfake.BlockErrors(raw); len(errs) > 0 {
		t.Errorf("Slack would refuse the blocks: %v", errs)
	}
	for _, s := range blockTexts(t, blocks) {
		_, body, _ := strings.Cut(s, ": ")
		limit := maxSectionText
		if strings.HasPrefix(s, "header/") {
			limit = maxHeaderText
		}
		if n := len16(body); n > limit {
			t.Errorf("%s… is %d UTF-16 units, over %d", s[:20], n, limit)
		}
	}
}

func bigMessage(devs int, titleRunes int) Message {
	d := taobaoPay()
	d.Evidence = strings.Repeat("淘宝与微信支付<!channel>&", 400)
	m := Message{
		Article: Article{Title: string([]rune(strings.Repeat("淘宝接入微信支付&<|", titleRunes))[:titleRunes]),
			URL: "https://e.example/" + strings.Repeat("a&", 500), SiteName: strings.Repeat("&", 400), Lang: "zh"},
		Previous: &Posted{Channel: "C1", TS: "1700000001.000001", Stage: sources.StageAnnounced},
	}
	for i := range devs {
		di := d
		di.A = []string{fmt.Sprintf("Entity%d&<>", i), strings.Repeat("阿里", 100)}
		di.B = []string{strings.Repeat("微信&", 200)}
		m.Developments = append(m.Developments, di)
	}
	return m
}

func TestRenderLimits(t *testing.T) {
	tests := map[string]Message{
		"400-character chinese headline": bigMessage(1, 400),
		"60 developments":                bigMessage(60, 20),
		"3000-character headline":        bigMessage(3, 3000),
		"all escapes":                    {Developments: []Development{{A: []string{strings.Repeat("&", 2000)}, B: []string{strings.Repeat("<", 2000)}, Evidence: strings.Repeat(">", 5000)}}, Article: Article{Title: strings.Repeat("&", 3000)}},
		"emoji everywhere":               {Developments: []Development{{A: []string{strings.Repeat("😀", 2000)}, B: []string{"QQ"}, Evidence: strings.Repeat("😀", 3000)}}, Article: Article{Title: strings.Repeat("😀", 3000), URL: "https://e.example/😀"}},
		"empty everything":               {Developments: []Development{{}}},
		"reply with huge fields":         {ThreadTS: "1.1", Article: Article{Title: strings.Repeat("&|", 3000), SiteName: strings.Repeat("<", 3000), URL: "https://e.example/" + strings.Repeat("|", 1000)}},
		"empty reply":                    {ThreadTS: "1.1"},
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			text, blocks := Render(m)
			checkLimits(t, text, blocks)
		})
	}
}

func TestRenderSixtyDevelopmentsCountsTheRest(t *testing.T) {
	_, blocks := Render(bigMessage(60, 20))
	lines := blockTexts(t, blocks)
	listed := 0
	more := ""
	for _, l := range lines {
		listed += strings.Count(l, "\n• ")
		if i := strings.Index(l, "…and "); i >= 0 {
			more = l[i:]
		}
	}
	var n int
	if _, err := fmt.Sscanf(more, "…and %d more", &n); err != nil {
		t.Fatalf("no \"…and N more\" line: %v", lines)
	}
	if listed+n != 59 {
		t.Errorf("%d listed + %d counted, want 59 further developments", listed, n)
	}
}

func BenchmarkRender(b *testing.B) {
	m := Message{Key: "outbox-1", Developments: []Development{taobaoPay(), taobaoPay()}, Article: englishArticle(),
		Previous: &Posted{Channel: "C1", TS: "1700000001.000001", Stage: sources.StageAnnounced}}
	for b.Loop() {
		Render(m)
	}
}
