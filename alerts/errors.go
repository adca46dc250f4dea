package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/internal/secret"
)

// Delays Classify gives.
const (
	// MaxRetryAfter caps any wait Slack asks for: a day, so that a
	// Retry-After of 86400 is kept, and a nonsensical one ends.
	MaxRetryAfter = 24 * time.Hour
	// DefaultRateLimitDelay is the wait after a rate limit that names no
	// usable Retry-After.
	DefaultRateLimitDelay = time.Minute
	// DefaultRetryDelay is the wait after other transient failures: 5xx,
	// timeouts, network errors, unknown errors.
	DefaultRetryDelay = 2 * time.Second
)

var (
	// ErrPermanent matches (errors.Is) failures that retrying cannot fix:
	// bad token, missing channel, rejected content. A person must act.
	ErrPermanent = errors.New("permanent slack failure")
	// ErrRateLimited matches failures where Slack asked to slow down.
	ErrRateLimited = errors.New("slack rate limit")
	// ErrUnsupported is returned when a notifier cannot do what is asked:
	// a thread reply through a webhook, Find without a bot token.
	ErrUnsupported = errors.New("not supported by this notifier")
)

// Error is a failed Slack call, classified. Its text and its cause never hold
// the token or the webhook URL.
type Error struct {
	Op         string        // "chat.postMessage", "conversations.history", "webhook", …
	Code       string        // Slack's error code ("invalid_auth"), "" when none came
	Status     int           // HTTP status of the answer, 0 when none came
	RetryAfter time.Duration // wait before retrying; 0 for a permanent failure
	Permanent  bool          // retrying cannot fix it
	// Sent is true when the request was written out in full: Slack may have
	// acted on it, whatever came back (see MaybePosted).
	Sent bool

	msg   string
	cause error
}

// Error describes the failure.
func (e *Error) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.describe()
}

// Unwrap returns the cause, with URLs reduced to their host.
func (e *Error) Unwrap() error { return e.cause }

// Is matches ErrPermanent and ErrRateLimited.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.Permanent
	case ErrRateLimited:
		return e.rateLimited()
	}
	return false
}

func (e *Error) rateLimited() bool {
	return e.Status == http.StatusTooManyRequests || e.Code == "ratelimited" || e.Code == "rate_limited"
}

func (e *Error) describe() string {
	var b strings.Builder
	b.WriteString("slack")
	if e.Op != "" {
		b.WriteString(" " + e.Op)
	}
	b.WriteString(": ")
	switch {
	case e.Code != "":
		b.WriteString(e.Code)
		if e.Status != 0 && e.Status != http.StatusOK {
			fmt.Fprintf(&b, " (http %d)", e.Status)
		}
	case e.Status == http.StatusTooManyRequests:
		b.WriteString("rate limited (http 429)")
	case e.Status != 0 && e.Status != http.StatusOK:
		fmt.Fprintf(&b, "http %d %s", e.Status, http.StatusText(e.Status))
	case e.cause != nil:
		b.WriteString(e.cause.Error())
	default:
		b.WriteString("unknown failure")
	}
	if e.rateLimited() && e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Classify says what to do after a failed Post or Find. permanent means a
// person must act (invalid_auth, channel_not_found, invalid_blocks, …);
// otherwise retry after retryAfter: Slack's Retry-After for a 429 (seconds
// or an HTTP date, capped at MaxRetryAfter; DefaultRateLimitDelay when
// missing), DefaultRetryDelay for 5xx, timeouts, network errors and
// transient Slack codes. Unknown errors are retryable, so no alert is
// dropped. A nil error gives (0, false).
func Classify(err error) (retryAfter time.Duration, permanent bool) {
	if err == nil {
		return 0, false
	}
	e := newError("", err, nil, nil)
	return e.RetryAfter, e.Permanent
}

// MaybePosted reports whether a failed Post may nevertheless have reached
// the channel: the request went out in full and no answer came, or the
// answer was a 5xx, a Slack code that admits partial success
// (internal_error, fatal_error, service_unavailable), or an ok without ts.
// A rate limit, a 4xx or another Slack error code is a refusal: nothing was
// posted. Errors from elsewhere count as maybe posted.
func MaybePosted(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return true
	}
	switch {
	case !e.Sent || e.rateLimited():
		return false
	case e.Code != "":
		return ambiguousCodes[e.Code]
	case e.Status == 0 || e.Status == http.StatusOK:
		return true // no answer, or an answer that does not say where the message went
	default:
		return e.Status >= 500
	}
}

// ambiguousCodes are Slack error codes after which a message may have been
// stored all the same.
var ambiguousCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "no_ts": true,
}

// permanentCodes are Slack error codes (Web API and webhook) that retrying
// cannot fix.
var permanentCodes = map[string]bool{
	// credentials and permissions
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "not_allowed_token_type": true,
	"org_login_required": true, "ekm_access_denied": true, "two_factor_setup_required": true,
	"team_access_not_granted": true, "access_denied": true, "invalid_token": true, "team_disabled": true,
	"enterprise_is_restricted": true, "app_missing_action_url": true,
	// channel
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "channel_is_archived": true,
	"restricted_action": true, "restricted_action_read_only_channel": true,
	"restricted_action_thread_only_channel": true, "restricted_action_non_threadable_channel": true,
	"action_prohibited": true, "posting_to_general_channel_denied": true, "cannot_reply_to_message": true,
	"thread_not_found": true, "message_not_found": true, "user_not_found": true,
	// content
	"invalid_blocks": true, "invalid_blocks_format": true, "msg_too_long": true, "no_text": true,
	"too_many_attachments": true, "invalid_attachments": true, "invalid_metadata_format": true,
	"invalid_metadata_schema": true, "metadata_too_large": true, "metadata_must_be_sent_from_app": true,
	"invalid_payload": true, "invalid_arguments": true, "invalid_arg_name": true, "invalid_array_arg": true,
	"invalid_charset": true, "invalid_form_data": true, "invalid_post_type": true, "missing_post_type": true,
	"invalid_cursor": true, "invalid_limit": true, "invalid_ts_oldest": true, "invalid_ts_latest": true,
	// endpoint
	"unknown_method": true, "method_deprecated": true, "deprecated_endpoint": true,
	"no_service": true, "no_service_id": true, "no_team": true, "invalid_method": true,
}

// transientCodes are Slack error codes that a later attempt can get past.
var transientCodes = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "message_limit_exceeded": true,
	"team_added_to_org": true,
}

// newError classifies err. obs holds what the transport saw of the answer;
// secrets are removed from the text.
func newError(op string, err error, obs *observation, secrets []secret.Value) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	e := &Error{Op: op}
	var (
		hdr      time.Duration
		hasHdr   bool
		bodyCode string
	)
	if obs != nil {
		e.Status, hdr, hasHdr, bodyCode, e.Sent = obs.get()
	}
	var (
		rl  *slack.RateLimitedError
		sce slack.StatusCodeError
		ser slack.SlackErrorResponse
	)
	switch {
	case errors.As(err, &rl):
		e.Status = http.StatusTooManyRequests
		if !hasHdr {
			hdr, hasHdr = rl.RetryAfter, true
		}
	case errors.As(err, &sce):
		e.Status = sce.Code
	case errors.As(err, &ser):
		e.Code = ser.Err
	}
	if e.Code == "" && e.Status != http.StatusOK {
		e.Code = bodyCode
	}
	cancelled := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)

	switch {
	case e.rateLimited():
		e.RetryAfter = DefaultRateLimitDelay
		if hasHdr {
			e.RetryAfter = clampDelay(hdr)
		}
	case errors.Is(err, ErrUnsupported) || permanentCodes[e.Code]:
		e.Permanent = true
	case e.Code != "" || cancelled:
		e.RetryAfter = DefaultRetryDelay
	case e.Status >= 500:
		e.RetryAfter = DefaultRetryDelay
		if hasHdr {
			e.RetryAfter = clampDelay(hdr)
		}
	case e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooEarly:
		e.RetryAfter = DefaultRetryDelay
	case e.Status >= 400:
		e.Permanent = true // a wrong URL or a rejected payload
	default:
		e.RetryAfter = DefaultRetryDelay
	}
	e.cause = sanitize(err, secrets)
	e.msg = redact(e.describe(), secrets)
	return e
}

func clampDelay(d time.Duration) time.Duration {
	return min(max(d, time.Second), MaxRetryAfter)
}

// sanitize reduces URLs in err to their host (a webhook URL is a secret)
// and drops the error chain if a secret still shows.
func sanitize(err error, secrets []secret.Value) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: hostOnly(ue.URL), Err: ue.Err}
	}
	if msg := err.Error(); redact(msg, secrets) != msg {
		return errors.New(redact(msg, secrets))
	}
	return err
}

func hostOnly(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[url redacted]"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// redact replaces every secret in s.
func redact(s string, secrets []secret.Value) string {
	for _, v := range secrets {
		if sec := v.Reveal(); len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// observation is what the transport saw of the last answer to one call:
// slack-go drops Retry-After when it is an HTTP date and the body of a
// failed webhook post, both of which classification needs.
type observation struct {
	mu            sync.Mutex
	status        int
	retryAfter    time.Duration
	hasRetryAfter bool
	code          string
	sent          bool // a request was written out in full
}

func (o *observation) get() (int, time.Duration, bool, string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status, o.retryAfter, o.hasRetryAfter, o.code, o.sent
}

type observationKey struct{}

// observe returns a context under which the transport records the answer,
// and whether the request was written out.
func observe(ctx context.Context) (context.Context, *observation) {
	o := &observation{}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				o.mu.Lock()
				o.sent = true
				o.mu.Unlock()
			}
		},
	})
	return context.WithValue(ctx, observationKey{}, o), o
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)

// observingTransport records status, Retry-After and plain-text error codes
// of answers to requests made under observe.
type observingTransport struct {
	base http.RoundTripper
}

// RoundTrip sends req and records the answer in the request's observation.
func (t observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	o, _ := req.Context().Value(observationKey{}).(*observation)
	if o == nil || resp == nil {
		return resp, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.status = resp.StatusCode
	o.retryAfter, o.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	o.code = ""
	if resp.StatusCode != http.StatusOK && resp.Body != nil {
		buf, _ := io.ReadAll(io.LimitReader(resp.Body, 128))
		if c := strings.TrimSpace(string(buf)); codePattern.MatchString(c) {
			o.code = c
		}
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), resp.Body), resp.Body}
	}
	return resp, err
}

// parseRetryAfter reads delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// withObserver returns a copy of client whose transport records answers;
// nil gives a client with a 30 s timeout.
func withObserver(client *http.Client) *http.Client {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	c := *client
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = observingTransport{base: base}
	return &c
}
