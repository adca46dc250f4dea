package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/internal/secret"
)

// Bounds of the searches Find and channel resolution make.
const (
	pageSize     = 200
	historyPages = 5
	repliesPages = 5
	listPages    = 20
)

// Bot posts through chat.postMessage with a bot token. It posts thread
// replies and can find the messages it posted by their key. It is safe for
// concurrent use.
type Bot struct {
	// Logger receives warnings (a fallback taken, a search cut short) and
	// debug lines; nil discards them. Set it before the first call.
	Logger *slog.Logger
	// Grace is how long a post under way may go on after its context ends
	// (a shutdown); 0 means DefaultGrace.
	Grace time.Duration

	api     *slack.Client
	channel string
	secrets []secret.Value // removed from every error

	mu  sync.Mutex
	ids map[string]string // channel name (no "#", lower case) → ID

	noReplies    atomic.Bool // the server answered unknown_method to conversations.replies
	noPermalinks atomic.Bool // the server does not know chat.getPermalink
}

// NewBot returns a Bot posting to channel (an ID such as "C0123", or a name
// such as "#alerts") with token, which is revealed only to slack-go's client. apiURL "" means Slack's own; another
// Slack-compatible base works with or without its trailing slash. A nil
// client means one with a 30 s timeout. slack-go's own retries stay off: the
// caller's outbox retries.
func NewBot(tok secret.Value, channel, apiURL string, client *http.Client) (*Bot, error) {
	token, channel := tok.Reveal(), strings.TrimSpace(channel)
	if token == "" {
		return nil, errors.New("slack bot: token is empty")
	}
	if channel == "" {
		return nil, errors.New("slack bot: channel is empty")
	}
	base, err := normalizeAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	api := slack.New(token, slack.OptionAPIURL(base), slack.OptionHTTPClient(withObserver(client)))
	return &Bot{api: api, channel: channel, secrets: []secret.Value{tok}, ids: map[string]string{}}, nil
}

// normalizeAPIURL checks an API base and gives it the trailing slash
// slack-go needs (it appends method names to it).
func normalizeAPIURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return slack.APIURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("slack api_url: want an absolute http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("slack api_url %s: must not have a query or fragment", u.Redacted())
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

// Name is "slack".
func (b *Bot) Name() string { return "slack" }

// Threads is true: a bot posts thread replies.
func (b *Bot) Threads() bool { return true }

// CanFind is true: a bot can read the channel's history.
func (b *Bot) CanFind() bool { return true }

func (b *Bot) log() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}

// call runs one API request and classifies its failure.
func (b *Bot) call(ctx context.Context, op string, f func(context.Context) error) error {
	octx, obs := observe(ctx)
	if err := f(octx); err != nil {
		return newError(op, err, obs, b.secrets)
	}
	return nil
}

// Check calls auth.test, to tell a bad token early.
func (b *Bot) Check(ctx context.Context) error {
	return b.call(ctx, "auth.test", func(ctx context.Context) error {
		_, err := b.api.AuthTestContext(ctx)
		return err
	})
}

// Post sends m to m.Channel (or the configured channel), in the thread
// m.ThreadTS when set, with m.Key in the message metadata and unfurling off.
// The receipt holds the channel ID Slack answered with and the message ts.
func (b *Bot) Post(ctx context.Context, m Message) (Receipt, error) {
	if m.IsReply() && m.ThreadTS == "" {
		return Receipt{}, &Error{Op: "chat.postMessage", Permanent: true, cause: ErrUnsupported,
			msg: "slack chat.postMessage: a reply needs its parent's ts; not posted at top level"}
	}
	ch := m.Channel
	if ch == "" {
		ch = b.channel
	}
	m = b.withPermalink(ctx, m)
	p := buildPayload(m, ch)
	opts := []slack.MsgOption{
		slack.MsgOptionText(p.Text, false),
		slack.MsgOptionBlocks(p.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
	}
	if p.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*p.Metadata))
	}
	if p.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(p.ThreadTS))
	}
	if ctx.Err() != nil {
		return Receipt{}, notStarted("chat.postMessage", ctx)
	}
	pctx, done := inFlight(ctx, b.Grace)
	defer done()
	var gotCh, ts string
	err := b.call(pctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		gotCh, ts, err = b.api.PostMessageContext(ctx, ch, opts...)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	if ts == "" {
		// Not Slack-compatible: nothing can be threaded under, or found by,
		// a message without ts.
		return Receipt{}, &Error{Op: "chat.postMessage", Code: "no_ts", Status: http.StatusOK, Permanent: true, Sent: true,
			msg: "slack chat.postMessage: the answer said ok but gave no message ts"}
	}
	if gotCh == "" {
		gotCh = ch
	}
	if !isChannelID(ch) {
		b.remember(ch, gotCh)
	}
	return Receipt{Channel: gotCh, TS: ts}, nil
}

// Permalink asks Slack (chat.getPermalink) for the web link of the message
// ts in channel.
func (b *Bot) Permalink(ctx context.Context, channel, ts string) (string, error) {
	var link string
	err := b.call(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	return link, err
}

// withPermalink asks Slack (chat.getPermalink) for the link of the first
// step's alert that m links. Without an answer the link is built from the
// channel and ts: a missing link is no reason to hold an alert back.
func (b *Bot) withPermalink(ctx context.Context, m Message) Message {
	p := m.Previous
	if p == nil || p.Permalink != "" || p.Channel == "" || p.TS == "" || b.noPermalinks.Load() {
		return m
	}
	var link string
	err := b.call(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: p.Channel, Ts: p.TS})
		return err
	})
	var e *Error
	if errors.As(err, &e) && (e.Code == "unknown_method" || e.Status == http.StatusNotFound) {
		b.noPermalinks.Store(true)
		b.log().Warn("slack chat.getPermalink is not supported here; linking threads by channel and ts")
		return m
	}
	if err != nil {
		b.log().Warn("slack permalink not found; linking the thread by channel and ts", "error", err)
		return m
	}
	q := *p
	q.Permalink = link
	m.Previous = &q
	return m
}

// Find looks for the message posted with m.Key since the given time: in
// the thread m.ThreadTS through conversations.replies for a reply (falling
// back to the channel history when that method fails), in the channel
// history otherwise. The search reads a bounded number of pages; a message
// beyond them is reported as not found.
func (b *Bot) Find(ctx context.Context, m Message, since time.Time) (Receipt, bool, error) {
	if m.Key == "" {
		return Receipt{}, false, &Error{Op: "find", Permanent: true, msg: "slack find: message has no key"}
	}
	ch, err := b.readChannel(ctx, m.Channel)
	if err != nil {
		return Receipt{}, false, err
	}
	oldest := ""
	if !since.IsZero() {
		oldest = slackTS(since)
	}
	if m.ThreadTS == "" {
		return b.findInHistory(ctx, ch, m, oldest)
	}
	// A reply: the channel history first (it holds broadcast replies, and
	// every reply on servers without conversations.replies), then the thread.
	r, ok, err := b.findInHistory(ctx, ch, m, oldest)
	if err != nil || ok || b.noReplies.Load() {
		return r, ok, err
	}
	r, ok, err = b.findInThread(ctx, ch, m, oldest)
	var e *Error
	if errors.As(err, &e) && e.Code == "unknown_method" {
		b.noReplies.Store(true)
		b.log().Warn("slack conversations.replies is not supported here; searching the channel history only", "channel", ch)
		return Receipt{}, false, nil
	}
	return r, ok, err
}

func (b *Bot) findInThread(ctx context.Context, ch string, m Message, oldest string) (Receipt, bool, error) {
	cursor := ""
	for range repliesPages {
		var (
			msgs    []slack.Message
			hasMore bool
		)
		err := b.call(ctx, "conversations.replies", func(ctx context.Context) error {
			var err error
			msgs, hasMore, cursor, err = b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: ch, Timestamp: m.ThreadTS, Cursor: cursor, Limit: pageSize, Oldest: oldest,
				IncludeAllMetadata: true,
			})
			return err
		})
		if err != nil {
			return Receipt{}, false, err
		}
		if ts, ok := match(msgs, m.Key); ok {
			return Receipt{Channel: ch, TS: ts}, true, nil
		}
		if !hasMore || cursor == "" {
			return Receipt{}, false, nil
		}
	}
	b.log().Warn("slack thread search stopped", "channel", ch, "thread_ts", m.ThreadTS, "pages", repliesPages)
	return Receipt{}, false, nil
}

func (b *Bot) findInHistory(ctx context.Context, ch string, m Message, oldest string) (Receipt, bool, error) {
	cursor := ""
	for range historyPages {
		var resp *slack.GetConversationHistoryResponse
		err := b.call(ctx, "conversations.history", func(ctx context.Context) error {
			var err error
			resp, err = b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: ch, Cursor: cursor, Limit: pageSize, Oldest: oldest, IncludeAllMetadata: true,
			})
			return err
		})
		if err != nil {
			return Receipt{}, false, err
		}
		if ts, ok := match(resp.Messages, m.Key); ok {
			return Receipt{Channel: ch, TS: ts}, true, nil
		}
		cursor = resp.ResponseMetaData.NextCursor
		if !resp.HasMore || cursor == "" {
			return Receipt{}, false, nil
		}
	}
	b.log().Warn("slack history search stopped", "channel", ch, "pages", historyPages)
	return Receipt{}, false, nil
}

// match finds the message carrying key in its metadata.
func match(msgs []slack.Message, key string) (string, bool) {
	for _, msg := range msgs {
		md := msg.Metadata
		if md.EventType != MetadataEventType {
			continue
		}
		if k, ok := md.EventPayload["key"].(string); ok && k == key && msg.Timestamp != "" {
			return msg.Timestamp, true
		}
	}
	return "", false
}

// readChannel gives the ID to read history from: ch (or the configured
// channel) when it is an ID, the ID a post answered with, or the one
// conversations.list names.
func (b *Bot) readChannel(ctx context.Context, ch string) (string, error) {
	if ch == "" {
		ch = b.channel
	}
	if isChannelID(ch) {
		return ch, nil
	}
	name := channelName(ch)
	b.mu.Lock()
	id, ok := b.ids[name]
	b.mu.Unlock()
	if ok {
		return id, nil
	}
	cursor := ""
	for range listPages {
		var chans []slack.Channel
		err := b.call(ctx, "conversations.list", func(ctx context.Context) error {
			var err error
			chans, cursor, err = b.api.GetConversationsContext(ctx, &slack.GetConversationsParameters{
				Cursor: cursor, ExcludeArchived: true, Limit: pageSize,
				Types: []string{"public_channel", "private_channel"},
			})
			return err
		})
		if err != nil {
			return "", err
		}
		for _, c := range chans {
			if strings.EqualFold(c.Name, name) && c.ID != "" {
				b.remember(ch, c.ID)
				b.log().Debug("slack channel resolved", "channel", ch, "channel_id", c.ID)
				return c.ID, nil
			}
		}
		if cursor == "" {
			break
		}
	}
	return "", &Error{Op: "conversations.list", Code: "channel_not_found", Permanent: true,
		msg: fmt.Sprintf("slack conversations.list: channel %q not found among the bot's channels", name)}
}

func (b *Bot) remember(ch, id string) {
	if id == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ids[channelName(ch)] = id
}

func channelName(ch string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ch), "#"))
}

// isChannelID reports whether ch looks like a conversation ID (C…, G…, D…).
func isChannelID(ch string) bool {
	if len(ch) < 3 || !strings.ContainsRune("CGD", rune(ch[0])) {
		return false
	}
	for _, c := range ch[1:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// slackTS formats t as a Slack timestamp.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// payload is what a message sends: the chat.postMessage fields, and what
// Writer prints in JSON.
type payload struct {
	Channel  string               `json:"channel"`
	ThreadTS string               `json:"thread_ts"`
	Text     string               `json:"text"`
	Blocks   []slack.Block        `json:"blocks"`
	Metadata *slack.SlackMetadata `json:"metadata"`
}

func buildPayload(m Message, channel string) payload {
	text, blocks := Render(m)
	p := payload{Channel: channel, ThreadTS: m.ThreadTS, Text: text, Blocks: blocks}
	if m.Key != "" {
		p.Metadata = &slack.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": m.Key}}
	}
	return p
}
