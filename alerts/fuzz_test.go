package alerts

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wallwatch/worker/sources"
)

// FuzzRender checks that any web text renders within Slack's limits and
// cannot mention anyone or open a link of its own.
func FuzzRender(f *testing.F) {
	f.Add("Taobao adds WeChat Pay", "https://example.com/a?b=1&c=2", "Example", "Taobao will add WeChat Pay.", "Taobao", "zh", uint8(1), false)
	f.Add("<!channel> <@U1> <http://x|y>", "https://e.example/a b<c>|d", "<!here>", "a & b <#C1>", "A|B", "en", uint8(3), false)
	f.Add(strings.Repeat("淘宝", 300), "javascript:alert(1)", "", "", "", "", uint8(60), true)
	f.Add("\x1b[31m\u202etitle\n", "HTTPS://E.example/\x00", "\t", "> quote\n> more", "😀", "zh-Hans", uint8(0), false)
	f.Fuzz(func(t *testing.T, title, rawURL, site, evidence, entity, lang string, n uint8, isReply bool) {
		m := Message{Key: "k", Article: Article{Title: title, URL: rawURL, SiteName: site, Lang: lang}}
		if isReply {
			m.ThreadTS = "1700000001.000001"
		} else {
			for i := range int(n%70) + 1 {
				m.Developments = append(m.Developments, Development{
					A: []string{entity, "Taobao"}, B: []string{entity}, Kind: sources.Kinds[i%len(sources.Kinds)],
					Stage: sources.Stage(entity), Evidence: evidence,
				})
			}
			m.Previous = &Posted{Channel: entity, TS: entity, Stage: sources.Stage(site)}
		}
		text, blocks := Render(m)
		checkLimits(t, text, blocks)
		checkMrkdwn(t, text)
		raw, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(raw) {
			t.Error("blocks are not valid UTF-8")
		}
		for _, s := range blockTexts(t, blocks) {
			if _, body, ok := strings.Cut(s, "mrkdwn: "); ok {
				checkMrkdwn(t, body)
			}
			if h, ok := strings.CutPrefix(s, "header/plain_text: "); ok && strings.ContainsAny(h, "\n\r") {
				t.Errorf("header %q has a line break", h)
			}
		}
	})
}
