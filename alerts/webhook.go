package alerts

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/internal/secret"
)

// Webhook posts through a Slack incoming webhook. It cannot post thread
// replies or look back, and its URL is a secret: no error names it.
type Webhook struct {
	// Grace is how long a post under way may go on after its context ends
	// (a shutdown); 0 means DefaultGrace.
	Grace time.Duration

	url     secret.Value
	client  *http.Client
	secrets []secret.Value // the URL and its parts, removed from every error
}

// NewWebhook returns a Webhook posting to hook with client (nil means one
// with a 30 s timeout). The URL is revealed only to the post itself.
func NewWebhook(hook secret.Value, client *http.Client) (*Webhook, error) {
	rawURL := hook.Reveal()
	if rawURL == "" {
		return nil, errors.New("slack webhook: url is empty")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("slack webhook: url must be an absolute http or https URL")
	}
	secrets := []secret.Value{hook}
	for _, s := range []string{u.EscapedPath(), u.Path, u.RawQuery} {
		if len(s) > 1 {
			secrets = append(secrets, secret.New(s))
		}
	}
	if i := strings.LastIndexByte(u.Path, '/'); i >= 0 && len(u.Path)-i > 8 {
		secrets = append(secrets, secret.New(u.Path[i+1:]))
	}
	return &Webhook{url: hook, client: withObserver(client), secrets: secrets}, nil
}

// Name is "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Threads is false: a webhook answers no ts to thread under.
func (w *Webhook) Threads() bool { return false }

// CanFind is false.
func (w *Webhook) CanFind() bool { return false }

// Post sends m. A thread reply is refused with a permanent error matching
// ErrUnsupported. The receipt is empty: webhooks answer only "ok".
func (w *Webhook) Post(ctx context.Context, m Message) (Receipt, error) {
	if m.ThreadTS != "" {
		return Receipt{}, &Error{Op: "webhook", Permanent: true, cause: ErrUnsupported,
			msg: "slack webhook: thread replies are not supported"}
	}
	p := buildPayload(m, "")
	no := false
	msg := &slack.WebhookMessage{
		Text:        p.Text,
		Blocks:      &slack.Blocks{BlockSet: p.Blocks},
		Parse:       "none",
		UnfurlLinks: &no,
		UnfurlMedia: &no,
	}
	if ctx.Err() != nil {
		return Receipt{}, notStarted("webhook", ctx)
	}
	pctx, done := inFlight(ctx, w.Grace)
	defer done()
	octx, obs := observe(pctx)
	if err := slack.PostWebhookCustomHTTPContext(octx, w.url.Reveal(), w.client, msg); err != nil {
		return Receipt{}, newError("webhook", err, obs, w.secrets)
	}
	return Receipt{}, nil
}

// Find is not supported: it returns an error matching ErrUnsupported.
func (w *Webhook) Find(context.Context, Message, time.Time) (Receipt, bool, error) {
	return Receipt{}, false, &Error{Op: "webhook", Permanent: true, cause: ErrUnsupported,
		msg: "slack webhook: cannot look back for posted messages"}
}
