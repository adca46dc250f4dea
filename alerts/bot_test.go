package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
)

func newBot(t *testing.T, s *slackfake.Server, channel string) *Bot {
	t.Helper()
	b, err := NewBot(secret.New(s.Token()), channel, s.APIURL(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func alert(key string) Message {
	return Message{Key: key, Developments: []Development{taobaoPay()}, Article: englishArticle()}
}

func reply(key string, parent Receipt) Message {
	return Message{Key: key, ThreadTS: parent.TS, Channel: parent.Channel,
		Article: Article{Title: "WeChat Pay comes to Taobao", URL: "https://other.example/2", SiteName: "Other"}}
}

// methods lists the Web API methods called, in order.
func methods(s *slackfake.Server) []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, c.Method)
	}
	return out
}

func metadataKey(m slackfake.Message) string {
	if m.Metadata == nil || m.Metadata.EventType != MetadataEventType {
		return ""
	}
	k, _ := m.Metadata.EventPayload["key"].(string)
	return k
}

func TestBotPostTopLevel(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	b := newBot(t, s, "#alerts")
	r, err := b.Post(ctx, alert("outbox-1"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(slackfake.DefaultChannelID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored, want 1", len(msgs))
	}
	m := msgs[0]
	if diff := cmp.Diff(Receipt{Channel: slackfake.DefaultChannelID, TS: m.TS}, r); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
	if k := metadataKey(m); k != "outbox-1" {
		t.Errorf("metadata key %q, want outbox-1", k)
	}
	wantText, wantBlocks := Render(alert("outbox-1"))
	if m.Text != wantText {
		t.Errorf("text %q, want %q", m.Text, wantText)
	}
	raw, _ := json.Marshal(wantBlocks)
	var got, want any
	_ = json.Unmarshal(m.Blocks, &got)
	_ = json.Unmarshal(raw, &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if m.IsReply() {
		t.Error("top-level message stored as a reply")
	}
	p := s.Calls()[0].Params
	for k, v := range map[string]string{"unfurl_links": "false", "unfurl_media": "false", "parse": "none", "channel": "#alerts"} {
		if p.Get(k) != v {
			t.Errorf("param %s = %q, want %q", k, p.Get(k), v)
		}
	}
}

func TestBotReplyInThread(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	b := newBot(t, s, slackfake.DefaultChannelID)
	parent, err := b.Post(ctx, alert("outbox-1"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Post(ctx, reply("outbox-2", parent))
	if err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(slackfake.DefaultChannelID)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	got := msgs[1]
	if got.TS != r.TS || got.ThreadTS != parent.TS || !got.IsReply() {
		t.Errorf("reply stored as ts=%s thread_ts=%s; want ts=%s in thread %s", got.TS, got.ThreadTS, r.TS, parent.TS)
	}
	if !strings.HasPrefix(got.Text, "Also reported by Other: <https://other.example/2|") {
		t.Errorf("reply text %q", got.Text)
	}
	if msgs[0].ReplyCount != 1 {
		t.Errorf("parent reply_count %d, want 1", msgs[0].ReplyCount)
	}
}

func TestBotFind(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		channel     string
		storedIn    string // channel ID, DefaultChannelID when empty
		setup       func(t *testing.T, s *slackfake.Server, b *Bot) Message
		wantFound   bool
		wantMethods []string // calls made by Find
	}{
		"after a lie the stored message is found": {
			channel: slackfake.DefaultChannelID,
			setup: func(t *testing.T, s *slackfake.Server, b *Bot) Message {
				s.FailNext(1, slackfake.FailLie)
				m := alert("outbox-7")
				if _, err := b.Post(ctx, m); err == nil {
					t.Fatal("post after a lie succeeded")
				} else if _, perm := Classify(err); perm {
					t.Fatalf("lie classified permanent: %v", err)
				}
				return m
			},
			wantFound: true, wantMethods: []string{"conversations.history"},
		},
		"a refused post is not found": {
			channel: slackfake.DefaultChannelID,
			setup: func(t *testing.T, s *slackfake.Server, b *Bot) Message {
				if _, err := b.Post(ctx, alert("outbox-other")); err != nil {
					t.Fatal(err)
				}
				s.FailNext(1, slackfake.FailUnavailable)
				m := alert("outbox-8")
				if _, err := b.Post(ctx, m); err == nil {
					t.Fatal("post after a 503 succeeded")
				}
				return m
			},
			wantFound: false, wantMethods: []string{"conversations.history"},
		},
		"a reply after a lie is found in its thread": {
			channel: slackfake.DefaultChannelID,
			setup: func(t *testing.T, s *slackfake.Server, b *Bot) Message {
				parent, err := b.Post(ctx, alert("outbox-1"))
				if err != nil {
					t.Fatal(err)
				}
				s.FailNext(1, slackfake.FailLie)
				m := reply("outbox-9", parent)
				if _, err := b.Post(ctx, m); err == nil {
					t.Fatal("post after a lie succeeded")
				}
				return m
			},
			// Slack's history holds no replies (only broadcast ones): the
			// thread is read next.
			wantFound: true, wantMethods: []string{"conversations.history", "conversations.replies"},
		},
		"a server without conversations.replies is searched through history only": {
			channel: slackfake.DefaultChannelID,
			setup: func(t *testing.T, s *slackfake.Server, b *Bot) Message {
				parent, err := b.Post(ctx, alert("outbox-1"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.Post(ctx, reply("outbox-10", parent)); err != nil {
					t.Fatal(err)
				}
				s.FailNextCall("conversations.replies", 1, "unknown_method")
				return reply("outbox-10", parent)
			},
			// The reply is not in this server's history (real Slack keeps
			// replies out of it) and the thread cannot be read: not found,
			// and no error, so the caller posts rather than stalls.
			wantFound: false, wantMethods: []string{"conversations.history", "conversations.replies"},
		},
		"a channel name is resolved through conversations.list": {
			channel: "#other-449", storedIn: "C1449",
			setup: func(t *testing.T, s *slackfake.Server, _ *Bot) Message {
				// Another process posted it; this one has not posted yet.
				other := newBot(t, s, "#other-449")
				s.FailNext(1, slackfake.FailLie)
				m := alert("outbox-11")
				if _, err := other.Post(ctx, m); err == nil {
					t.Fatal("post after a lie succeeded")
				}
				return m
			},
			wantFound: true, wantMethods: []string{"conversations.list", "conversations.list", "conversations.list", "conversations.history"},
		},
		"a channel name learnt from a post": {
			channel: "alerts",
			setup: func(t *testing.T, s *slackfake.Server, b *Bot) Message {
				if _, err := b.Post(ctx, alert("outbox-1")); err != nil {
					t.Fatal(err)
				}
				s.FailNext(1, slackfake.FailLie)
				m := alert("outbox-12")
				_, _ = b.Post(ctx, m)
				return m
			},
			wantFound: true, wantMethods: []string{"conversations.history"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var opts []slackfake.Option
			for i := range 450 { // three pages of conversations.list
				opts = append(opts, slackfake.WithChannel(fmt.Sprintf("C1%03d", i), fmt.Sprintf("other-%d", i)))
			}
			s := slackfake.New(t, opts...)
			b := newBot(t, s, tc.channel)
			since := time.Now().Add(-time.Minute)
			m := tc.setup(t, s, b)
			before := len(s.Calls())
			r, ok, err := b.Find(ctx, m, since)
			if err != nil {
				t.Fatalf("find: %v", err)
			}
			if ok != tc.wantFound {
				t.Fatalf("found = %v, want %v", ok, tc.wantFound)
			}
			if diff := cmp.Diff(tc.wantMethods, methods(s)[before:]); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if !ok {
				return
			}
			in := tc.storedIn
			if in == "" {
				in = slackfake.DefaultChannelID
			}
			var stored []slackfake.Message
			for _, sm := range s.Messages(in) {
				if metadataKey(sm) == m.Key {
					stored = append(stored, sm)
				}
			}
			if len(stored) != 1 {
				t.Fatalf("%d messages with key %s, want 1", len(stored), m.Key)
			}
			if diff := cmp.Diff(Receipt{Channel: in, TS: stored[0].TS}, r); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBotFindAfterTimeout(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	b, err := NewBot(secret.New(s.Token()), slackfake.DefaultChannelID, s.APIURL(), &http.Client{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.Delay(2 * time.Second)
	m := alert("outbox-20")
	since := time.Now().Add(-time.Minute)
	_, err = b.Post(ctx, m)
	if err == nil {
		t.Fatal("post succeeded despite the client timeout")
	}
	if d, perm := Classify(err); perm || d != DefaultRetryDelay {
		t.Errorf("timeout classified %v, %v; want %v, retryable", d, perm, DefaultRetryDelay)
	}
	s.Delay(0)
	r, ok, err := b.Find(ctx, m, since)
	if err != nil || !ok {
		t.Fatalf("find = %v, %v; want the stored message", ok, err)
	}
	if msgs := s.Messages(slackfake.DefaultChannelID); len(msgs) != 1 || msgs[0].TS != r.TS {
		t.Errorf("stored %v, receipt %v", msgs, r)
	}
}

func TestBotFindBoundsTheSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("posts over a thousand messages")
	}
	ctx := context.Background()
	s := slackfake.New(t)
	b := newBot(t, s, slackfake.DefaultChannelID)
	since := time.Now().Add(-time.Minute)
	first, second := alert("outbox-first"), alert("outbox-second")
	for i := range pageSize*historyPages + 1 {
		m := alert(fmt.Sprintf("outbox-filler-%d", i))
		switch i {
		case 0:
			m = first
		case pageSize*historyPages - pageSize*2:
			m = second
		}
		if _, err := b.Post(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := b.Find(ctx, second, since); err != nil || !ok {
		t.Errorf("find on page 3 = %v, %v; want found", ok, err)
	}
	before := len(s.Calls())
	if _, ok, err := b.Find(ctx, first, since); err != nil || ok {
		t.Errorf("find beyond %d pages = %v, %v; want not found", historyPages, ok, err)
	}
	if n := len(s.Calls()) - before; n != historyPages {
		t.Errorf("%d history calls, want %d", n, historyPages)
	}
}

func TestBotFindSince(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	b := newBot(t, s, slackfake.DefaultChannelID)
	m := alert("outbox-30")
	if _, err := b.Post(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.Find(ctx, m, time.Now().Add(time.Minute)); err != nil || ok {
		t.Errorf("find with since after the post = %v, %v; want not found", ok, err)
	}
	if p := s.Calls()[1].Params; p.Get("oldest") == "" || p.Get("include_all_metadata") != "1" {
		t.Errorf("history params %v: want oldest and include_all_metadata", p)
	}
}

func TestBotFindErrors(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		channel       string
		msg           Message
		fail          string
		wantPermanent bool
	}{
		"no key":                  {channel: slackfake.DefaultChannelID, msg: Message{}, wantPermanent: true},
		"unknown channel name":    {channel: "#nowhere", msg: alert("k"), wantPermanent: true},
		"history rate limited":    {channel: slackfake.DefaultChannelID, msg: alert("k"), fail: slackfake.FailRateLimit},
		"history 503":             {channel: slackfake.DefaultChannelID, msg: alert("k"), fail: slackfake.FailUnavailable},
		"history refused":         {channel: slackfake.DefaultChannelID, msg: alert("k"), fail: "missing_scope", wantPermanent: true},
		"list fails for a name":   {channel: "#alerts", msg: alert("k"), fail: slackfake.FailUnavailable},
		"replies rate limited":    {channel: slackfake.DefaultChannelID, msg: reply("k", Receipt{Channel: "C000", TS: "1.000001"}), fail: slackfake.FailRateLimit},
		"replies and history 503": {channel: slackfake.DefaultChannelID, msg: reply("k", Receipt{Channel: "C000", TS: "1.000001"}), fail: "503x2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := slackfake.New(t)
			b := newBot(t, s, tc.channel)
			switch tc.fail {
			case "":
			case "503x2":
				s.FailNext(2, slackfake.FailUnavailable)
			default:
				s.FailNext(1, tc.fail)
			}
			_, ok, err := b.Find(ctx, tc.msg, time.Time{})
			if err == nil || ok {
				t.Fatalf("find = %v, %v; want an error", ok, err)
			}
			if _, perm := Classify(err); perm != tc.wantPermanent {
				t.Errorf("Classify(%v) permanent = %v, want %v", err, perm, tc.wantPermanent)
			}
		})
	}
}

func TestBotPostErrors(t *testing.T) {
	ctx := context.Background()
	future := time.Now().Add(95 * time.Second).UTC().Format(http.TimeFormat)
	tests := map[string]struct {
		token, channel string
		fail           string
		retryAfter     string
		wantMin        time.Duration
		wantMax        time.Duration
		wantPermanent  bool
		wantLimited    bool
	}{
		"429 with retry-after seconds": {fail: slackfake.FailRateLimit, retryAfter: "7", wantMin: 7 * time.Second, wantMax: 7 * time.Second, wantLimited: true},
		"429 with an http date":        {fail: slackfake.FailRateLimit, retryAfter: future, wantMin: 80 * time.Second, wantMax: 95 * time.Second, wantLimited: true},
		"429 without retry-after":      {fail: slackfake.FailRateLimit, retryAfter: "", wantMin: DefaultRateLimitDelay, wantMax: DefaultRateLimitDelay, wantLimited: true},
		"429 asking for days":          {fail: slackfake.FailRateLimit, retryAfter: "360000", wantMin: MaxRetryAfter, wantMax: MaxRetryAfter, wantLimited: true},
		"429 with garbage":             {fail: slackfake.FailRateLimit, retryAfter: "later", wantMin: DefaultRateLimitDelay, wantMax: DefaultRateLimitDelay, wantLimited: true},
		"503":                          {fail: slackfake.FailUnavailable, wantMin: DefaultRetryDelay, wantMax: DefaultRetryDelay},
		"internal_error":               {fail: "internal_error", wantMin: DefaultRetryDelay, wantMax: DefaultRetryDelay},
		"unknown code":                 {fail: "something_new", wantMin: DefaultRetryDelay, wantMax: DefaultRetryDelay},
		"invalid_auth":                 {token: "xoxb-wrong", wantPermanent: true},
		"channel_not_found":            {channel: "#nowhere", wantPermanent: true},
		"not_in_channel":               {fail: "not_in_channel", wantPermanent: true},
		"is_archived":                  {fail: "is_archived", wantPermanent: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := slackfake.New(t)
			token, ch := s.Token(), slackfake.DefaultChannelID
			if tc.token != "" {
				token = tc.token
			}
			if tc.channel != "" {
				ch = tc.channel
			}
			b, err := NewBot(secret.New(token), ch, s.APIURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.fail != "" {
				s.SetRetryAfter(tc.retryAfter)
				s.FailNext(1, tc.fail)
			}
			_, err = b.Post(ctx, alert("outbox-1"))
			if err == nil {
				t.Fatal("post succeeded")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			d, perm := Classify(err)
			if perm != tc.wantPermanent || d < tc.wantMin || d > tc.wantMax {
				t.Errorf("Classify(%v) = %v, %v; want [%v, %v], permanent %v", err, d, perm, tc.wantMin, tc.wantMax, tc.wantPermanent)
			}
			if errors.Is(err, ErrRateLimited) != tc.wantLimited {
				t.Errorf("errors.Is(%v, ErrRateLimited) = %v", err, !tc.wantLimited)
			}
			if errors.Is(err, ErrPermanent) != tc.wantPermanent {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v", err, !tc.wantPermanent)
			}
			if n := len(s.Messages(slackfake.DefaultChannelID)); n != 0 {
				t.Errorf("%d messages stored after a failure", n)
			}
		})
	}
}

func TestBotBlockLimitsPassSlackChecks(t *testing.T) {
	ctx := context.Background()
	tests := map[string]Message{
		"400-character chinese headline": bigMessage(1, 400),
		"60 developments":                bigMessage(60, 20),
		"reply with huge fields": {ThreadTS: "", Article: Article{Title: strings.Repeat("&|", 3000),
			SiteName: strings.Repeat("<", 3000), URL: "https://e.example/" + strings.Repeat("|", 1000)}},
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			s := slackfake.New(t)
			b := newBot(t, s, slackfake.DefaultChannelID)
			m.Key = "outbox-big"
			if m.IsReply() {
				parent, err := b.Post(ctx, alert("outbox-parent"))
				if err != nil {
					t.Fatal(err)
				}
				m.ThreadTS, m.Channel = parent.TS, parent.Channel
			}
			if _, err := b.Post(ctx, m); err != nil {
				t.Fatalf("post: %v (calls %+v)", err, s.Calls())
			}
		})
	}
}

func TestBotAPIURL(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	tests := map[string]struct {
		apiURL  string
		wantErr bool
	}{
		"with trailing slash":    {apiURL: s.APIURL()},
		"without trailing slash": {apiURL: strings.TrimSuffix(s.APIURL(), "/")},
		"surrounding spaces":     {apiURL: " " + s.APIURL() + " "},
		"not http":               {apiURL: "ftp://127.0.0.1/api/", wantErr: true},
		"relative":               {apiURL: "api/", wantErr: true},
		"with query":             {apiURL: s.APIURL() + "?x=1", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := NewBot(secret.New(s.Token()), slackfake.DefaultChannelID, tc.apiURL, nil)
			if tc.wantErr {
				if err == nil {
					t.Fatal("NewBot accepted the URL")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Post(ctx, alert("outbox-"+name)); err != nil {
				t.Fatalf("post: %v", err)
			}
			if err := b.Check(ctx); err != nil {
				t.Fatalf("auth.test: %v", err)
			}
		})
	}
}

func TestNewBotValidation(t *testing.T) {
	tests := map[string]struct{ token, channel string }{
		"no token":   {"", "C000"},
		"no channel": {"xoxb-1", " "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewBot(secret.New(tc.token), tc.channel, "", nil); err == nil {
				t.Error("NewBot accepted it")
			}
		})
	}
}

func TestBotCheck(t *testing.T) {
	s := slackfake.New(t)
	b, err := NewBot(secret.New("xoxb-not-it"), "C000", s.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Check(context.Background())
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("auth.test with a wrong token: %v, want a permanent error", err)
	}
}

func TestIsChannelID(t *testing.T) {
	tests := map[string]bool{"C000": true, "C0E2E": true, "G12AB": true, "D1": false, "#alerts": false,
		"alerts": false, "c000": false, "C": false, "CHANNEL-1": false}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := isChannelID(in); got != want {
				t.Errorf("isChannelID(%q) = %v", in, got)
			}
		})
	}
}

func TestBotLinksFirstStepByPermalink(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	b := newBot(t, s, "#alerts")
	first, err := b.Post(ctx, alert("outbox-1"))
	if err != nil {
		t.Fatal(err)
	}
	later := alert("outbox-2")
	later.Developments[0].Stage = "launched"
	later.Previous = &Posted{Channel: first.Channel, TS: first.TS, Stage: "announced"}
	later.Was = "announced"
	if _, err := b.Post(ctx, later); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(first.Channel)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	want := s.URL() + "/archives/" + first.Channel + "/p" + strings.Replace(first.TS, ".", "", 1)
	if blocks := unescapeJSON(msgs[1].Blocks); !strings.Contains(blocks, "<"+want+"|first alert's thread>") {
		t.Errorf("blocks do not link %s:\n%s", want, blocks)
	}
	if got := methods(s); !slices.Contains(got, "chat.getPermalink") {
		t.Errorf("methods %v, want chat.getPermalink", got)
	}

	// Without an answer the link is built from channel and ts, and the
	// alert still goes out.
	s.FailNextCall("chat.getPermalink", 1, slackfake.FailUnavailable)
	later.Key = "outbox-3"
	if _, err := b.Post(ctx, later); err != nil {
		t.Fatal(err)
	}
	msgs = s.Messages(first.Channel)
	built := "https://slack.com/archives/" + first.Channel + "/p" + strings.Replace(first.TS, ".", "", 1)
	if blocks := unescapeJSON(msgs[2].Blocks); !strings.Contains(blocks, "<"+built+"|first alert's thread>") {
		t.Errorf("fallback blocks do not link %s:\n%s", built, blocks)
	}
}

// unescapeJSON undoes encoding/json's escapes of <, > and &.
func unescapeJSON(b []byte) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}
