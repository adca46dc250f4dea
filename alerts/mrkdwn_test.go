package alerts

import (
	"strings"
	"testing"
)

// Web text is sent as text: *bold*, _italic_, ~strike~, `code` and ```
// blocks in a headline, an outlet name or the evidence are not formatting.
func TestRenderWebTextIsNotFormatting(t *testing.T) {
	d := taobaoPay()
	d.Evidence = "Taobao said *all* users ~soon~ get `WeChat Pay` _today_"
	a := Article{Title: "*Breaking* ~old~ _news_: ```Taobao``` adds `WeChat Pay`", URL: "https://e.example/1",
		SiteName: "Tech```Daily"}
	for _, m := range []Message{
		{Developments: []Development{d}, Article: a},
		{ThreadTS: "1.1", Article: a},
	} {
		text, blocks := Render(m)
		all := append(blockTexts(t, blocks), text)
		for _, s := range all {
			for _, web := range []string{"*Breaking*", "~old~", "_news_", "```", "`WeChat Pay`", "*all*", "~soon~", "_today_"} {
				if strings.Contains(s, web) {
					t.Errorf("web text %q reaches Slack as formatting in %q", web, s)
				}
			}
		}
		joined := strings.Join(all, "\n")
		for _, want := range []string{"Breaking", "WeChat Pay", "Tech", "Daily"} {
			if !strings.Contains(joined, want) {
				t.Errorf("the words %q are gone:\n%s", want, joined)
			}
		}
	}
}

func TestEscapeNeutralisesMarkup(t *testing.T) {
	for in, want := range map[string]string{
		"*bold*":         "∗bold∗",
		"~strike~":       "∼strike∼",
		"_it_":           "＿it＿",
		"```pre```":      "ˋˋˋpreˋˋˋ",
		"`code`":         "ˋcodeˋ",
		"<!here> & more": "&lt;!here&gt; &amp; more",
		"plain, 淘宝":      "plain, 淘宝",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}
