package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type result struct {
	status int
	header http.Header
	body   map[string]any
	text   string
}

func call(t *testing.T, s *Server, method string, p url.Values) result {
	t.Helper()
	if p == nil {
		p = url.Values{}
	}
	if p.Get("token") == "" {
		p.Set("token", s.Token())
	}
	resp, err := http.PostForm(s.APIURL()+method, p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, text: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func post(t *testing.T, s *Server, p url.Values) string {
	t.Helper()
	if p.Get("channel") == "" {
		p.Set("channel", DefaultChannelID)
	}
	r := call(t, s, "chat.postMessage", p)
	if r.body["ok"] != true {
		t.Fatalf("post: %s", r.text)
	}
	return r.body["ts"].(string)
}

func tsList(t *testing.T, r result) []string {
	t.Helper()
	msgs, _ := r.body["messages"].([]any)
	var out []string
	for _, m := range msgs {
		out = append(out, m.(map[string]any)["ts"].(string))
	}
	return out
}

func TestAuth(t *testing.T) {
	s := New(t, WithToken("xoxb-right"))
	tests := map[string]struct {
		form, bearer string
		want         any
	}{
		"form token":   {form: "xoxb-right", want: true},
		"bearer token": {bearer: "xoxb-right", want: true},
		"wrong token":  {form: "xoxb-wrong", want: false},
		"no token":     {want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"auth.test", strings.NewReader(url.Values{"token": {tc.form}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if body["ok"] != tc.want || (tc.want == false && body["error"] != "invalid_auth") {
				t.Errorf("answer %v, want ok=%v", body, tc.want)
			}
		})
	}
	for _, c := range s.Calls() {
		if c.Params.Has("token") {
			t.Errorf("call %s records the token", c.Method)
		}
	}
}

func TestPostAndTimestamps(t *testing.T) {
	s := New(t)
	var prev string
	for i := range 20 {
		ts := post(t, s, url.Values{"text": {fmt.Sprint(i)}})
		if micros(ts) <= micros(prev) || !strings.Contains(ts, ".") || len(strings.SplitN(ts, ".", 2)[1]) != 6 {
			t.Fatalf("ts %q after %q: want fractional and increasing", ts, prev)
		}
		prev = ts
	}
	r := call(t, s, "chat.postMessage", url.Values{"channel": {"#alerts"}, "text": {"by name"}})
	if r.body["channel"] != DefaultChannelID {
		t.Errorf("post by name answered channel %v, want the ID", r.body["channel"])
	}
	if got := len(s.Messages("#alerts")); got != 21 {
		t.Errorf("%d messages, want 21", got)
	}
}

func TestPostErrors(t *testing.T) {
	long := func(n int) string { return strings.Repeat("字", n) }
	section := func(text string) string {
		return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
	}
	many := func(n int, block string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(block+",", n), ",") + "]"
	}
	tests := map[string]struct {
		p    url.Values
		want string
	}{
		"unknown channel":       {url.Values{"channel": {"C999"}, "text": {"x"}}, "channel_not_found"},
		"no text":               {url.Values{"channel": {"C000"}}, "no_text"},
		"text too long":         {url.Values{"channel": {"C000"}, "text": {long(40001)}}, "msg_too_long"},
		"header too long":       {url.Values{"channel": {"C000"}, "blocks": {fmt.Sprintf(`[{"type":"header","text":{"type":"plain_text","text":%q}}]`, long(151))}}, "invalid_blocks"},
		"header mrkdwn":         {url.Values{"channel": {"C000"}, "blocks": {`[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]`}}, "invalid_blocks"},
		"section too long":      {url.Values{"channel": {"C000"}, "blocks": {"[" + section(long(3001)) + "]"}}, "invalid_blocks"},
		"empty section":         {url.Values{"channel": {"C000"}, "blocks": {"[" + section(" ") + "]"}}, "invalid_blocks"},
		"51 blocks":             {url.Values{"channel": {"C000"}, "blocks": {many(51, section("x"))}}, "invalid_blocks"},
		"11 context elements":   {url.Values{"channel": {"C000"}, "blocks": {`[{"type":"context","elements":` + many(11, `{"type":"mrkdwn","text":"x"}`) + `}]`}}, "invalid_blocks"},
		"empty context element": {url.Values{"channel": {"C000"}, "blocks": {`[{"type":"context","elements":[{"type":"mrkdwn","text":""}]}]`}}, "invalid_blocks"},
		"unknown block":         {url.Values{"channel": {"C000"}, "blocks": {`[{"type":"marquee"}]`}}, "invalid_blocks"},
		"blocks not json":       {url.Values{"channel": {"C000"}, "blocks": {`[{`}}, "invalid_blocks"},
		"bad metadata":          {url.Values{"channel": {"C000"}, "text": {"x"}, "metadata": {`{`}}, "invalid_metadata_format"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := New(t)
			r := call(t, s, "chat.postMessage", tc.p)
			if r.body["ok"] != false || r.body["error"] != tc.want {
				t.Errorf("answer %s, want %s", r.text, tc.want)
			}
			if n := len(s.Messages(DefaultChannelID)); n != 0 {
				t.Errorf("%d messages stored", n)
			}
		})
	}
	t.Run("limits themselves pass", func(t *testing.T) {
		s := New(t)
		blocks := many(49, section(long(3000))) // plus a header: 50
		blocks = `[{"type":"header","text":{"type":"plain_text","text":"` + long(150) + `"}},` + blocks[1:]
		post(t, s, url.Values{"blocks": {blocks}, "text": {long(40000)}})
		post(t, s, url.Values{"blocks": {`[{"type":"context","elements":` + many(10, `{"type":"mrkdwn","text":"x"}`) + `}]`}})
	})
}

func TestHistoryAndReplies(t *testing.T) {
	s := New(t)
	meta := `{"event_type":"wallwatch_alert","event_payload":{"key":"k1"}}`
	first := post(t, s, url.Values{"text": {"first"}, "metadata": {meta}})
	second := post(t, s, url.Values{"text": {"second"}})
	rep := post(t, s, url.Values{"text": {"reply"}, "thread_ts": {first}, "metadata": {meta}})
	third := post(t, s, url.Values{"text": {"third"}})

	tests := map[string]struct {
		method   string
		p        url.Values
		wantTS   []string
		wantMore bool
	}{
		"history newest first without replies": {"conversations.history", url.Values{}, []string{third, second, first}, false},
		"history oldest is exclusive":          {"conversations.history", url.Values{"oldest": {first}}, []string{third, second}, false},
		"history oldest inclusive":             {"conversations.history", url.Values{"oldest": {first}, "inclusive": {"1"}}, []string{third, second, first}, false},
		"history latest":                       {"conversations.history", url.Values{"latest": {third}}, []string{second, first}, false},
		"history limit":                        {"conversations.history", url.Values{"limit": {"2"}}, []string{third, second}, true},
		"replies parent first":                 {"conversations.replies", url.Values{"ts": {first}}, []string{first, rep}, false},
		"replies from a reply ts":              {"conversations.replies", url.Values{"ts": {rep}}, []string{first, rep}, false},
		"replies of a message without thread":  {"conversations.replies", url.Values{"ts": {second}}, []string{second}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.p.Set("channel", DefaultChannelID)
			r := call(t, s, tc.method, tc.p)
			if r.body["ok"] != true {
				t.Fatalf("answer %s", r.text)
			}
			if diff := cmp.Diff(tc.wantTS, tsList(t, r)); diff != "" {
				t.Errorf("ts (-want +got):\n%s", diff)
			}
			if r.body["has_more"] != tc.wantMore {
				t.Errorf("has_more %v, want %v", r.body["has_more"], tc.wantMore)
			}
		})
	}

	t.Run("cursor pages through everything", func(t *testing.T) {
		var got []string
		cursor := ""
		for range 5 {
			r := call(t, s, "conversations.history", url.Values{"channel": {DefaultChannelID}, "limit": {"1"}, "cursor": {cursor}})
			got = append(got, tsList(t, r)...)
			cursor = r.body["response_metadata"].(map[string]any)["next_cursor"].(string)
			if cursor == "" {
				break
			}
		}
		if diff := cmp.Diff([]string{third, second, first}, got); diff != "" {
			t.Errorf("paged ts (-want +got):\n%s", diff)
		}
	})

	t.Run("metadata only with include_all_metadata", func(t *testing.T) {
		for _, method := range []string{"conversations.history", "conversations.replies"} {
			for v, want := range map[string]bool{"": false, "0": false, "1": true, "true": true} {
				r := call(t, s, method, url.Values{"channel": {DefaultChannelID}, "ts": {first}, "oldest": {first},
					"inclusive": {"1"}, "include_all_metadata": {v}})
				msgs := r.body["messages"].([]any)
				m := msgs[len(msgs)-1].(map[string]any) // history: newest first
				if method == "conversations.replies" {
					m = msgs[0].(map[string]any) // replies: the parent first
				}
				if m["ts"] != first {
					t.Fatalf("%s: last message %v, want %s", method, m["ts"], first)
				}
				if _, has := m["metadata"]; has != want {
					t.Errorf("%s include_all_metadata=%q: metadata present %v, want %v", method, v, has, want)
				}
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for name, tc := range map[string]struct {
			method string
			p      url.Values
			want   string
		}{
			"history by name":   {"conversations.history", url.Values{"channel": {"#alerts"}}, "channel_not_found"},
			"unknown thread":    {"conversations.replies", url.Values{"channel": {DefaultChannelID}, "ts": {"1.000001"}}, "thread_not_found"},
			"bad cursor":        {"conversations.history", url.Values{"channel": {DefaultChannelID}, "cursor": {"!!"}}, "invalid_cursor"},
			"unknown method":    {"chat.scheduleMessage", url.Values{}, "unknown_method"},
			"update unknown ts": {"chat.update", url.Values{"channel": {DefaultChannelID}, "ts": {"1.1"}, "text": {"x"}}, "message_not_found"},
		} {
			r := call(t, s, tc.method, tc.p)
			if r.body["error"] != tc.want {
				t.Errorf("%s: answer %s, want %s", name, r.text, tc.want)
			}
		}
	})
}

func TestUpdate(t *testing.T) {
	s := New(t)
	ts := post(t, s, url.Values{"text": {"old"}})
	r := call(t, s, "chat.update", url.Values{"channel": {DefaultChannelID}, "ts": {ts}, "text": {"new"}})
	if r.body["ok"] != true {
		t.Fatal(r.text)
	}
	h := call(t, s, "conversations.history", url.Values{"channel": {DefaultChannelID}})
	m := h.body["messages"].([]any)[0].(map[string]any)
	if m["text"] != "new" {
		t.Errorf("text %v after update", m["text"])
	}
	if _, ok := m["edited"].(map[string]any); !ok {
		t.Errorf("edited is %T, want an object as Slack sends", m["edited"])
	}
}

func TestConversationsList(t *testing.T) {
	var opts []Option
	for i := range 250 {
		opts = append(opts, WithChannel(fmt.Sprintf("C%04d", i+1), fmt.Sprintf("c%d", i)))
	}
	s := New(t, opts...)
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		r := call(t, s, "conversations.list", url.Values{"limit": {"100"}, "cursor": {cursor}})
		pages++
		for _, c := range r.body["channels"].([]any) {
			seen[c.(map[string]any)["id"].(string)] = true
		}
		cursor = r.body["response_metadata"].(map[string]any)["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if len(seen) != 251 || pages != 3 {
		t.Errorf("%d channels in %d pages, want 251 in 3", len(seen), pages)
	}
}

func TestFailNext(t *testing.T) {
	tests := map[string]struct {
		kind, retryAfter string
		wantStatus       int
		wantHeader       string
		wantError        string
		wantStored       int
	}{
		"429 with retry-after": {kind: FailRateLimit, retryAfter: "30", wantStatus: 429, wantHeader: "30", wantError: "ratelimited"},
		"429 without":          {kind: FailRateLimit, retryAfter: "", wantStatus: 429, wantError: "ratelimited"},
		"503":                  {kind: FailUnavailable, wantStatus: 503},
		"lie":                  {kind: FailLie, wantStatus: 503, wantStored: 1},
		"slack error code":     {kind: "not_in_channel", wantStatus: 200, wantError: "not_in_channel"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := New(t)
			s.SetRetryAfter(tc.retryAfter)
			s.FailNext(1, tc.kind)
			r := call(t, s, "chat.postMessage", url.Values{"channel": {DefaultChannelID}, "text": {"x"}})
			if r.status != tc.wantStatus || r.header.Get("Retry-After") != tc.wantHeader {
				t.Errorf("status %d Retry-After %q, want %d %q", r.status, r.header.Get("Retry-After"), tc.wantStatus, tc.wantHeader)
			}
			if tc.wantError != "" && r.body["error"] != tc.wantError {
				t.Errorf("body %s, want error %s", r.text, tc.wantError)
			}
			if n := len(s.Messages(DefaultChannelID)); n != tc.wantStored {
				t.Errorf("%d stored, want %d", n, tc.wantStored)
			}
			if c := s.Calls()[0]; c.Injected != tc.kind {
				t.Errorf("call records injected %q", c.Injected)
			}
			post(t, s, url.Values{"text": {"next one works"}})
		})
	}
}

func TestDelayStoresBeforeAnswering(t *testing.T) {
	s := New(t)
	s.Delay(2 * time.Second)
	client := &http.Client{Timeout: 100 * time.Millisecond}
	_, err := client.PostForm(s.APIURL()+"chat.postMessage", url.Values{"token": {s.Token()}, "channel": {DefaultChannelID}, "text": {"x"}})
	if err == nil {
		t.Fatal("answer came before the delay")
	}
	if n := len(s.Messages(DefaultChannelID)); n != 1 {
		t.Errorf("%d stored, want 1", n)
	}
}

func TestWebhook(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus int
		wantText   string
		wantStored int
	}{
		"text":          {`{"text":"hello"}`, 200, "ok", 1},
		"blocks":        {`{"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]}`, 200, "ok", 1},
		"bad json":      {`{"text":`, 400, "invalid_payload", 0},
		"invalid block": {`{"text":"x","blocks":[{"type":"header","text":{"type":"plain_text","text":""}}]}`, 400, "invalid_payload", 0},
		"no text":       {`{}`, 400, "no_text", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := New(t)
			resp, err := http.Post(s.WebhookURL(), "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || string(raw) != tc.wantText {
				t.Errorf("answer %d %q, want %d %q", resp.StatusCode, raw, tc.wantStatus, tc.wantText)
			}
			if n := len(s.Messages(DefaultChannelID)); n != tc.wantStored {
				t.Errorf("%d stored, want %d", n, tc.wantStored)
			}
		})
	}
	t.Run("other paths are not the webhook", func(t *testing.T) {
		s := New(t, WithWebhookPath("services/T1/B1/secret"))
		resp, err := http.Post(s.URL()+"/services/T1/B1/other", "application/json", strings.NewReader(`{"text":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.HasSuffix(s.WebhookURL(), "/services/T1/B1/secret") {
			t.Errorf("status %d for a wrong path; webhook %s", resp.StatusCode, s.WebhookURL())
		}
	})
}
