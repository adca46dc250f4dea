package alerts

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/sources"
)

func TestWriterText(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	w := NewWriter(&b, FormatText)
	parent := Receipt{Channel: "C000", TS: "1700000001.000001"}
	zh := Message{Developments: []Development{{A: []string{"Taote"}, B: []string{"WeChat Pay"}, Kind: sources.KindPayment,
		Stage: sources.StageTesting}}, Article: Article{Title: "淘特测试\x1b[31m微信支付", URL: "https://e.example/zh", Source: "36kr", Lang: "zh"},
		Previous: &Posted{Channel: "C1", TS: "1700000001.000002", Stage: sources.StageAnnounced, Date: sources.Date{Year: 2021, Month: 3}}}
	for _, m := range []Message{alert("outbox-1"), reply("outbox-2", parent), zh} {
		if _, err := w.Post(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	want := "" +
		"WeChat Pay on Taobao and Tmall (launched, 4 Sep 2024)\n" +
		"  who:       Taobao, Tmall (Alibaba) × WeChat Pay (Tencent)\n" +
		"  what:      payment\n" +
		"  stage:     launched\n" +
		"  date:      2024-09-04\n" +
		"  headline:  Taobao adds WeChat Pay\n" +
		"  gist:      Tencent's WeChat Pay on Alibaba's Taobao and Tmall: live for users (4 Sep 2024).\n" +
		"  outlet:    Example News\n" +
		"  published: 2024-09-04\n" +
		"  link:      https://example.com/news/1?a=1&b=2\n" +
		"  evidence:  Taobao and Tmall said on Wednesday they will add WeChat Pay.\n" +
		"\n" +
		"Also reported by Other: WeChat Pay comes to Taobao\n" +
		"  thread:    1700000001.000001\n" +
		"  link:      https://other.example/2\n" +
		"\n" +
		"WeChat Pay on Taote (testing)\n" +
		"  who:       Taote (Alibaba) × WeChat Pay (Tencent)\n" +
		"  what:      payment\n" +
		"  stage:     testing\n" +
		"  headline:  淘特测试 [31m微信支付\n" +
		"  gist:      Tencent's WeChat Pay on Alibaba's Taote: being tested with some users.\n" +
		"  outlet:    36kr\n" +
		"  link:      https://e.example/zh\n" +
		"  step:      Now in testing — first reported as announced in Mar 2021 https://slack.com/archives/C1/p1700000001000002\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestWriterJSONIsThePostedPayload(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	bot := newBot(t, s, slackfake.DefaultChannelID)
	var out strings.Builder
	w := NewWriter(&out, FormatJSON)
	w.Channel = slackfake.DefaultChannelID

	parent, err := bot.Post(ctx, alert("outbox-1"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []Message{alert("outbox-1"), reply("outbox-2", parent)}
	if _, err := bot.Post(ctx, msgs[1]); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := w.Post(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	type line struct {
		Channel  string              `json:"channel"`
		ThreadTS string              `json:"thread_ts"`
		Text     string              `json:"text"`
		Blocks   json.RawMessage     `json:"blocks"`
		Metadata *slackfake.Metadata `json:"metadata"`
	}
	var got []line
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, l)
	}
	stored := s.Messages(slackfake.DefaultChannelID)
	if len(got) != 2 || len(stored) != 2 {
		t.Fatalf("%d lines, %d stored; want 2 each", len(got), len(stored))
	}
	for i, st := range stored {
		wantThread := ""
		if st.IsReply() {
			wantThread = st.ThreadTS
		}
		want := line{Channel: st.Channel, ThreadTS: wantThread, Text: st.Text, Blocks: st.Blocks, Metadata: st.Metadata}
		if diff := cmp.Diff(want, got[i], cmp.Comparer(jsonEqual)); diff != "" {
			t.Errorf("line %d differs from what the bot posted (-posted +printed):\n%s", i, diff)
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterErrors(t *testing.T) {
	w := NewWriter(failingWriter{}, "yaml") // unknown formats print text
	if _, err := w.Post(context.Background(), alert("k")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Post = %v, want the write error", err)
	}
	if _, _, err := w.Find(context.Background(), alert("k"), time.Time{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Find = %v, want ErrUnsupported", err)
	}
	if w.Threads() || w.CanFind() || w.Name() != "stdout" {
		t.Errorf("Threads %v CanFind %v Name %q", w.Threads(), w.CanFind(), w.Name())
	}
}

// With placeholders (dry runs), each post gets its own ts and replies are
// printed under their parent's, as a bot would post them; without, there
// are no threads.
func TestWriterPlaceholdersThreadReplies(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b, FormatJSON)
	if w.Threads() {
		t.Fatal("a plain writer says it threads")
	}
	w.Placeholders = true
	if !w.Threads() {
		t.Fatal("a writer with placeholders does not thread")
	}
	parent, err := w.Post(context.Background(), alert("k1"))
	if err != nil || parent.TS == "" {
		t.Fatalf("post = %v, %v; want a placeholder ts", parent, err)
	}
	rep, err := w.Post(context.Background(), reply("k2", parent))
	if err != nil || rep.TS == "" || rep.TS == parent.TS {
		t.Fatalf("reply = %v, %v; want its own ts", rep, err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var got struct {
		ThreadTS string `json:"thread_ts"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil || got.ThreadTS != parent.TS {
		t.Errorf("reply printed with thread_ts %q (%v), want %q", got.ThreadTS, err, parent.TS)
	}
}
