// Package slackfake is a Slack stand-in for Go tests: a real httptest server
// that speaks the parts of the Web API and of incoming webhooks the worker
// uses, stores what it is sent and can be told to fail.
//
// It answers like Slack: ok/error JSON bodies, 429 with Retry-After, fractional
// unique message timestamps, channel IDs in answers, the block limits that make
// Slack answer invalid_blocks, metadata in conversations.history only when
// include_all_metadata is set, thread replies only through
// conversations.replies, cursor pagination.
package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Defaults of a new Server.
const (
	DefaultToken       = "xoxb-slackfake-token"
	DefaultChannelID   = "C000"
	DefaultChannelName = "alerts"
	DefaultWebhookPath = "/services/T000/B000/slackfakehook"
)

// Failure kinds for FailNext. Any other kind is answered as `ok:false` with
// the kind as Slack's error code (HTTP 200 for the Web API, 400 for webhooks).
const (
	FailRateLimit   = "429"  // 429 with the Retry-After set by SetRetryAfter
	FailUnavailable = "503"  // 503 with a plain-text body
	FailLie         = "lie"  // do the work (store a message), then answer 503
	FailTimeout     = "hang" // answer only when the client gives up
)

// Limits Slack enforces on messages, as documented.
const (
	MaxBlocks          = 50
	MaxHeaderText      = 150
	MaxSectionText     = 3000
	MaxFields          = 10
	MaxFieldText       = 2000
	MaxContextElements = 10
	MaxText            = 40000
)

// Message is a stored message.
type Message struct {
	Channel        string          `json:"channel"` // channel ID
	TS             string          `json:"ts"`
	ThreadTS       string          `json:"thread_ts,omitempty"` // parent's ts for a reply; own ts for a parent with replies
	Text           string          `json:"text"`
	Blocks         json.RawMessage `json:"blocks,omitempty"`
	Metadata       *Metadata       `json:"metadata,omitempty"`
	ReplyBroadcast bool            `json:"reply_broadcast,omitempty"`
	ReplyCount     int             `json:"reply_count,omitempty"`
	Edited         bool            `json:"-"`
	Webhook        bool            `json:"-"` // posted through the incoming webhook
}

// IsReply reports whether the message was posted in another message's thread.
func (m Message) IsReply() bool { return m.ThreadTS != "" && m.ThreadTS != m.TS }

// Metadata is Slack message metadata.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Call is one request the server received.
type Call struct {
	Method   string     // Web API method ("chat.postMessage") or "webhook"
	Params   url.Values // request parameters, the token removed
	Status   int        // HTTP status answered
	Error    string     // Slack's error code when the answer was not ok
	Injected string     // the FailNext kind applied, if any
}

// Option configures a Server.
type Option func(*Server)

// WithToken sets the token requests must carry (form field or bearer header).
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithChannel adds a channel the bot is a member of.
func WithChannel(id, name string) Option {
	return func(s *Server) { s.addChannel(id, name) }
}

// WithWebhookPath sets the path of the incoming webhook.
func WithWebhookPath(path string) Option {
	return func(s *Server) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		s.webhookPath = path
	}
}

type channel struct {
	id, name string
	msgs     []*Message // by ts ascending
}

// Server is a running Slack stand-in. Its methods are safe for concurrent use.
type Server struct {
	srv         *httptest.Server
	token       string
	webhookPath string

	mu         sync.Mutex
	channels   []*channel
	calls      []Call
	fail       []string
	failMethod map[string][]string // method → kinds, before fail
	retryAfter string
	delay      time.Duration
	lastMicros int64
}

// New starts a server and closes it when the test ends. By default it wants
// DefaultToken and has one channel, DefaultChannelID named DefaultChannelName,
// which also receives the webhook's messages.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{token: DefaultToken, webhookPath: DefaultWebhookPath, retryAfter: "1"}
	s.addChannel(DefaultChannelID, DefaultChannelName)
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the server. Requests still waiting (Delay, FailTimeout) are
// released.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API base, with its trailing slash: ".../api/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// WebhookURL is the incoming webhook's URL.
func (s *Server) WebhookURL() string { return s.srv.URL + s.webhookPath }

// Token is the token the server accepts.
func (s *Server) Token() string { return s.token }

// FailNext makes the next n requests (any method, webhook included) fail with
// kind: FailRateLimit, FailUnavailable, FailLie, FailTimeout or a Slack error
// code such as "invalid_auth".
func (s *Server) FailNext(n int, kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fail = append(s.fail, kind)
	}
}

// FailNextCall makes the next n calls of one method (e.g.
// "conversations.replies", or "webhook") fail with kind, as FailNext does.
func (s *Server) FailNextCall(method string, n int, kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failMethod == nil {
		s.failMethod = map[string][]string{}
	}
	for range n {
		s.failMethod[method] = append(s.failMethod[method], kind)
	}
}

// SetRetryAfter sets the Retry-After header value of FailRateLimit answers:
// seconds ("30"), an HTTP date, or "" for none. The default is "1".
func (s *Server) SetRetryAfter(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = v
}

// Delay makes chat.postMessage and webhook posts wait d after storing the
// message before they answer, so a client that gives up earlier never hears
// of the message.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Messages returns the messages stored in a channel (ID, name or #name),
// top-level messages and replies, oldest first.
func (s *Server) Messages(ch string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookup(ch, true)
	if c == nil {
		return nil
	}
	out := make([]Message, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, *m)
	}
	return out
}

// Calls returns the requests received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *Server) addChannel(id, name string) {
	name = strings.ToLower(strings.TrimPrefix(name, "#"))
	for _, c := range s.channels {
		if c.id == id {
			c.name = name
			return
		}
	}
	s.channels = append(s.channels, &channel{id: id, name: name})
}

// lookup finds a channel by ID, or also by name when byName is set (Slack
// accepts names for posting, not for reading history).
func (s *Server) lookup(ch string, byName bool) *channel {
	for _, c := range s.channels {
		if c.id == ch {
			return c
		}
	}
	if !byName {
		return nil
	}
	name := strings.ToLower(strings.TrimPrefix(ch, "#"))
	for _, c := range s.channels {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (s *Server) nextTS() string {
	now := time.Now().UnixMicro()
	if now <= s.lastMicros {
		now = s.lastMicros + 1
	}
	s.lastMicros = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// answer is what a handler decided to send.
type answer struct {
	status  int
	body    any // JSON-encoded unless []byte
	code    string
	headers map[string]string
	sleep   time.Duration // after answering's decision, before writing
	hang    bool
}

func jsonOK(body map[string]any) answer {
	body["ok"] = true
	return answer{status: http.StatusOK, body: body}
}

func apiError(code string) answer {
	return answer{status: http.StatusOK, body: map[string]any{"ok": false, "error": code}, code: code}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	params, bad := readParams(r)
	token := params.Get("token")
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(strings.ToLower(auth), "bearer ") {
		token = strings.TrimSpace(auth[len("bearer "):])
	}
	params.Del("token")

	var method string
	switch {
	case r.URL.Path == s.webhookPath:
		method = "webhook"
	case strings.HasPrefix(r.URL.Path, "/api/"):
		method = strings.TrimPrefix(r.URL.Path, "/api/")
	default:
		http.NotFound(w, r)
		return
	}

	s.mu.Lock()
	var injected string
	if q := s.failMethod[method]; len(q) > 0 {
		injected, s.failMethod[method] = q[0], q[1:]
	} else if len(s.fail) > 0 {
		injected, s.fail = s.fail[0], s.fail[1:]
	}
	var a answer
	switch injected {
	case FailRateLimit:
		a = apiError("ratelimited")
		a.status = http.StatusTooManyRequests
		if s.retryAfter != "" {
			a.headers = map[string]string{"Retry-After": s.retryAfter}
		}
	case FailUnavailable:
		a = answer{status: http.StatusServiceUnavailable, body: []byte("upstream connect error")}
	case FailTimeout:
		a = answer{hang: true}
	case "", FailLie:
		switch {
		case r.Method != http.MethodPost && method == "webhook":
			a = answer{status: http.StatusMethodNotAllowed, body: []byte("invalid_method"), code: "invalid_method"}
		case method == "webhook":
			a = s.webhook(params, bad)
		case token != s.token:
			a = apiError("invalid_auth")
		default:
			a = s.api(method, params)
		}
		if injected == FailLie {
			a = answer{status: http.StatusServiceUnavailable, body: []byte("upstream request timeout"), sleep: a.sleep}
		}
	default:
		a = apiError(injected)
		if method == "webhook" {
			a = answer{status: http.StatusBadRequest, body: []byte(injected), code: injected}
		}
	}
	s.calls = append(s.calls, Call{Method: method, Params: params, Status: a.status, Error: a.code, Injected: injected})
	s.mu.Unlock()

	if a.hang {
		<-r.Context().Done()
		return
	}
	if a.sleep > 0 {
		select {
		case <-time.After(a.sleep):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	var data []byte
	if b, ok := a.body.([]byte); ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		data = b
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		data, _ = json.Marshal(a.body)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(data)
}

// readParams reads form, query and JSON parameters; JSON values that are not
// strings are kept as their JSON text, as Slack's form fields carry them.
func readParams(r *http.Request) (url.Values, bool) {
	params := url.Values{}
	for k, v := range r.URL.Query() {
		params[k] = v
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return params, true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" || (ct == "" && len(body) > 0 && body[0] == '{') {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return params, true
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params.Set(k, str)
			} else if string(raw) != "null" {
				params.Set(k, string(raw))
			}
		}
		return params, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return params, true
	}
	for k, v := range form {
		params[k] = v
	}
	return params, false
}

func (s *Server) api(method string, p url.Values) answer {
	switch method {
	case "auth.test":
		return jsonOK(map[string]any{"url": "https://slackfake.invalid/", "team": "Fake", "user": "worker",
			"team_id": "T000", "user_id": "U000", "bot_id": "B000"})
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.update(p)
	case "chat.getPermalink":
		return s.permalink(p)
	case "conversations.history":
		return s.history(p)
	case "conversations.replies":
		return s.replies(p)
	case "conversations.list":
		return s.list(p)
	case "conversations.info":
		c := s.lookup(p.Get("channel"), false)
		if c == nil {
			return apiError("channel_not_found")
		}
		return jsonOK(map[string]any{"channel": map[string]any{"id": c.id, "name": c.name, "is_channel": true, "is_member": true}})
	}
	return apiError("unknown_method")
}

// checkContent applies Slack's message checks; it returns an error code and
// the parsed metadata.
func checkContent(p url.Values) (code string, errs []string, meta *Metadata, blocks json.RawMessage) {
	text := p.Get("text")
	if b := p.Get("blocks"); b != "" {
		blocks = json.RawMessage(b)
		errs = BlockErrors(blocks)
		if len(errs) > 0 {
			return "invalid_blocks", errs, nil, nil
		}
		if string(blocks) == "[]" {
			blocks = nil
		}
	}
	if strings.TrimSpace(text) == "" && blocks == nil {
		return "no_text", nil, nil, nil
	}
	if utf8.RuneCountInString(text) > MaxText {
		return "msg_too_long", nil, nil, nil
	}
	if raw := p.Get("metadata"); raw != "" {
		var m Metadata
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return "invalid_metadata_format", nil, nil, nil
		}
		if m.EventType == "" {
			return "invalid_metadata_schema", nil, nil, nil
		}
		meta = &m
	}
	return "", nil, meta, blocks
}

// contentError is Slack's answer to a message it refuses, with the reasons
// for invalid_blocks.
func contentError(code string, errs []string) answer {
	a := apiError(code)
	if len(errs) > 0 {
		a.body.(map[string]any)["errors"] = errs
	}
	return a
}

func (s *Server) postMessage(p url.Values) answer {
	c := s.lookup(p.Get("channel"), true)
	if c == nil {
		return apiError("channel_not_found")
	}
	code, errs, meta, blocks := checkContent(p)
	if code != "" {
		return contentError(code, errs)
	}
	m := &Message{Channel: c.id, TS: s.nextTS(), Text: p.Get("text"), Blocks: blocks, Metadata: meta}
	if tts := p.Get("thread_ts"); tts != "" {
		parent := find(c, tts)
		if parent != nil && parent.IsReply() {
			parent = find(c, parent.ThreadTS)
		}
		if parent != nil {
			tts = parent.TS
			parent.ThreadTS = parent.TS
			parent.ReplyCount++
		}
		m.ThreadTS = tts
		m.ReplyBroadcast = p.Get("reply_broadcast") == "true" || p.Get("reply_broadcast") == "1"
	}
	c.msgs = append(c.msgs, m)
	a := jsonOK(map[string]any{"channel": c.id, "ts": m.TS, "message": wire(m, true)})
	a.sleep = s.delay
	return a
}

func (s *Server) update(p url.Values) answer {
	c := s.lookup(p.Get("channel"), false)
	if c == nil {
		return apiError("channel_not_found")
	}
	m := find(c, p.Get("ts"))
	if m == nil {
		return apiError("message_not_found")
	}
	code, errs, meta, blocks := checkContent(p)
	if code != "" {
		return contentError(code, errs)
	}
	m.Text, m.Blocks, m.Edited = p.Get("text"), blocks, true
	if meta != nil {
		m.Metadata = meta
	}
	return jsonOK(map[string]any{"channel": c.id, "ts": m.TS, "text": m.Text, "message": wire(m, true)})
}

func find(c *channel, ts string) *Message {
	for _, m := range c.msgs {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// permalink answers chat.getPermalink for a stored message (a thread
// reply's link names its thread, as Slack's do).
func (s *Server) permalink(p url.Values) answer {
	c := s.lookup(p.Get("channel"), false)
	if c == nil {
		return apiError("channel_not_found")
	}
	ts := p.Get("message_ts")
	m := find(c, ts)
	if m == nil {
		return apiError("message_not_found")
	}
	link := s.srv.URL + "/archives/" + c.id + "/p" + strings.Replace(ts, ".", "", 1)
	if m.IsReply() {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + c.id
	}
	return jsonOK(map[string]any{"channel": c.id, "permalink": link})
}

// wire is the message as Slack's read methods return it.
func wire(m *Message, withMeta bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": "U000", "bot_id": "B000"}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.ReplyCount > 0 {
		out["reply_count"] = m.ReplyCount
	}
	if m.ReplyBroadcast {
		out["subtype"] = "thread_broadcast"
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": "U000", "ts": m.TS}
	}
	if withMeta && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	return out
}

// window reads oldest, latest and inclusive; the bounds are exclusive unless
// inclusive is set, as in Slack.
func window(p url.Values) func(ts string) bool {
	oldest, latest := micros(p.Get("oldest")), micros(p.Get("latest"))
	incl := p.Get("inclusive") == "1" || p.Get("inclusive") == "true"
	return func(ts string) bool {
		t := micros(ts)
		if oldest > 0 && (t < oldest || (t == oldest && !incl)) {
			return false
		}
		if latest > 0 && (t > latest || (t == latest && !incl)) {
			return false
		}
		return true
	}
}

// micros reads a Slack ts ("1700000001.000001") as microseconds; 0 when
// empty or malformed.
func micros(ts string) int64 {
	if ts == "" {
		return 0
	}
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "000000")[:6]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0
	}
	return s*1e6 + f
}

// page cuts a list by limit and cursor.
func page[T any](items []T, p url.Values, defLimit, maxLimit int) ([]T, string, answer, bool) {
	limit := defLimit
	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, "", apiError("invalid_limit"), false
		}
		if n > 0 {
			limit = min(n, maxLimit)
		}
	}
	start := 0
	if c := p.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, "", apiError("invalid_cursor"), false
		}
		start = n
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[start:end], next, answer{}, true
}

func metaWanted(p url.Values) bool {
	v := p.Get("include_all_metadata")
	return v == "1" || v == "true"
}

func (s *Server) history(p url.Values) answer {
	c := s.lookup(p.Get("channel"), false)
	if c == nil {
		return apiError("channel_not_found")
	}
	in := window(p)
	var top []*Message
	for i := len(c.msgs) - 1; i >= 0; i-- { // newest first
		m := c.msgs[i]
		if (!m.IsReply() || m.ReplyBroadcast) && in(m.TS) {
			top = append(top, m)
		}
	}
	items, next, a, ok := page(top, p, 100, 999)
	if !ok {
		return a
	}
	return jsonOK(s.messagesBody(items, next, metaWanted(p)))
}

func (s *Server) messagesBody(items []*Message, next string, meta bool) map[string]any {
	msgs := make([]map[string]any, 0, len(items))
	for _, m := range items {
		msgs = append(msgs, wire(m, meta))
	}
	return map[string]any{"messages": msgs, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}
}

func (s *Server) replies(p url.Values) answer {
	c := s.lookup(p.Get("channel"), false)
	if c == nil {
		return apiError("channel_not_found")
	}
	parent := find(c, p.Get("ts"))
	if parent != nil && parent.IsReply() {
		parent = find(c, parent.ThreadTS)
	}
	if parent == nil {
		return apiError("thread_not_found")
	}
	in := window(p)
	var thread []*Message
	for _, m := range c.msgs { // oldest first, parent first
		if (m == parent || (m.IsReply() && m.ThreadTS == parent.TS)) && in(m.TS) {
			thread = append(thread, m)
		}
	}
	items, next, a, ok := page(thread, p, 1000, 1000)
	if !ok {
		return a
	}
	return jsonOK(s.messagesBody(items, next, metaWanted(p)))
}

func (s *Server) list(p url.Values) answer {
	items, next, a, ok := page(s.channels, p, 100, 1000)
	if !ok {
		return a
	}
	chans := make([]map[string]any, 0, len(items))
	for _, c := range items {
		chans = append(chans, map[string]any{"id": c.id, "name": c.name, "is_channel": true, "is_member": true})
	}
	return jsonOK(map[string]any{"channels": chans, "response_metadata": map[string]any{"next_cursor": next}})
}

func (s *Server) webhook(p url.Values, bad bool) answer {
	invalid := answer{status: http.StatusBadRequest, body: []byte("invalid_payload"), code: "invalid_payload"}
	if bad {
		return invalid
	}
	code, _, _, blocks := checkContent(p)
	switch code {
	case "":
	case "no_text":
		return answer{status: http.StatusBadRequest, body: []byte("no_text"), code: "no_text"}
	default:
		return invalid
	}
	c := s.channels[0]
	m := &Message{Channel: c.id, TS: s.nextTS(), ThreadTS: p.Get("thread_ts"), Text: p.Get("text"), Blocks: blocks, Webhook: true}
	c.msgs = append(c.msgs, m)
	return answer{status: http.StatusOK, body: []byte("ok"), sleep: s.delay}
}

// BlockErrors lists the reasons Slack would answer invalid_blocks for a
// blocks array; none means it would accept it.
func BlockErrors(raw json.RawMessage) []string {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return []string{"blocks is not a list of objects"}
	}
	var errs []string
	if len(blocks) > MaxBlocks {
		errs = append(errs, fmt.Sprintf("%d blocks, more than %d", len(blocks), MaxBlocks))
	}
	for i, b := range blocks {
		var typ string
		_ = json.Unmarshal(b["type"], &typ)
		switch typ {
		case "header":
			t, ok := textObject(b["text"])
			switch {
			case !ok || t.Type != "plain_text":
				errs = append(errs, fmt.Sprintf("block %d: header text must be plain_text", i))
			case strings.TrimSpace(t.Text) == "":
				errs = append(errs, fmt.Sprintf("block %d: empty header text", i))
			case utf8.RuneCountInString(t.Text) > MaxHeaderText:
				errs = append(errs, fmt.Sprintf("block %d: header text over %d characters", i, MaxHeaderText))
			}
		case "section":
			var fields []json.RawMessage
			_ = json.Unmarshal(b["fields"], &fields)
			t, hasText := textObject(b["text"])
			if !hasText && len(fields) == 0 {
				errs = append(errs, fmt.Sprintf("block %d: section needs text or fields", i))
			}
			if hasText {
				errs = append(errs, textErrors(i, "section text", t, MaxSectionText)...)
			}
			if len(fields) > MaxFields {
				errs = append(errs, fmt.Sprintf("block %d: more than %d fields", i, MaxFields))
			}
			for _, f := range fields {
				ft, _ := textObject(f)
				errs = append(errs, textErrors(i, "field", ft, MaxFieldText)...)
			}
		case "context":
			var els []json.RawMessage
			_ = json.Unmarshal(b["elements"], &els)
			if len(els) == 0 || len(els) > MaxContextElements {
				errs = append(errs, fmt.Sprintf("block %d: context needs 1 to %d elements", i, MaxContextElements))
			}
			for _, e := range els {
				if t, ok := textObject(e); ok && (t.Type == "mrkdwn" || t.Type == "plain_text") {
					errs = append(errs, textErrors(i, "context element", t, MaxSectionText)...)
				}
			}
		case "divider", "actions", "image", "rich_text", "input", "file", "video":
		case "":
			errs = append(errs, fmt.Sprintf("block %d has no type", i))
		default:
			errs = append(errs, fmt.Sprintf("block %d: unknown block type %s", i, typ))
		}
	}
	return errs
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func textObject(raw json.RawMessage) (textObj, bool) {
	var t textObj
	if len(raw) == 0 || string(raw) == "null" || json.Unmarshal(raw, &t) != nil {
		return t, false
	}
	return t, true
}

func textErrors(i int, what string, t textObj, limit int) []string {
	switch {
	case t.Type != "mrkdwn" && t.Type != "plain_text":
		return []string{fmt.Sprintf("block %d: %s must be mrkdwn or plain_text", i, what)}
	case strings.TrimSpace(t.Text) == "":
		return []string{fmt.Sprintf("block %d: empty %s", i, what)}
	case utf8.RuneCountInString(t.Text) > limit:
		return []string{fmt.Sprintf("block %d: %s over %d characters", i, what, limit)}
	}
	return nil
}
