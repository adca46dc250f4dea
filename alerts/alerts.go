// Package alerts delivers interconnection alerts to Slack: a top-level
// message per new development and thread replies for further coverage,
// through a bot token (chat.postMessage), an incoming webhook, or a writer
// for dry runs.
//
// Messages are built by the caller; this package never reads the database.
// Every failure comes back classified (see Classify) so the caller's durable
// outbox can retry what is transient and flag what needs a person, and no
// error or log line carries the token or the webhook URL.
package alerts

import (
	"context"
	"sync"
	"time"

	"github.com/wallwatch/worker/sources"
)

// Development is one interconnection development to announce.
type Development struct {
	Pair     sources.Pair
	A, B     []string // canonical entity names of side A and side B
	Kind     sources.Kind
	Stage    sources.Stage
	Date     sources.Date // the development's own date
	Evidence string       // the sentence it was read from
}

// Article is the article a message links.
type Article struct {
	Title     string
	URL       string
	Source    string // configured source name
	SiteName  string // outlet name from the page; preferred over Source
	Lang      string // ISO 639-1
	Published time.Time
}

// Posted is the alert of a storyline's first step, which an alert of a
// later step links.
type Posted struct {
	Channel, TS string
	Stage       sources.Stage // the stage it announced
	Date        sources.Date  // the day it was first reported
	// Permalink is the message's web link; "" means one built from Channel
	// and TS. A Bot asks Slack for it (chat.getPermalink).
	Permalink string
}

// Message is one alert or thread reply.
type Message struct {
	// Key is the idempotency key (e.g. "outbox-42"), carried in the Slack
	// message metadata so Find can tell whether a post went through.
	Key string
	// Developments are what is new, primary first; empty for a thread reply.
	Developments []Development
	// Article is the first article seen (alert) or the further coverage (reply).
	Article Article
	// ThreadTS is, for a reply, the parent's ts.
	ThreadTS string
	// Channel is, for a reply, the parent's channel; "" means the configured
	// channel.
	Channel string
	// Previous is, for an alert of a later step of a storyline, the alert of
	// its first step, whose thread the alert links.
	Previous *Posted
	// Was is, for an alert of a later step, the stage of the step before.
	Was sources.Stage
	// Reported is, for a reply, the development as the reply's article
	// reports it: the reply gives that stage and its gist. Nil says only
	// that the outlet reported it too.
	Reported *Development
}

// IsReply reports whether the message is further coverage rather than an
// alert.
func (m Message) IsReply() bool { return len(m.Developments) == 0 }

// Receipt says where a message went.
type Receipt struct {
	Channel, TS string
}

// Notifier posts messages. Bot, Webhook and Writer implement it.
type Notifier interface {
	// Post sends m. Its errors are *Error values; see Classify.
	Post(ctx context.Context, m Message) (Receipt, error)
	// Find looks for a message already posted with m.Key, after an attempt
	// whose outcome is unknown (Slack may have stored a message whose answer
	// never came back). ok is false when none is found. since bounds the
	// search: the first attempt's time minus a margin.
	Find(ctx context.Context, m Message, since time.Time) (r Receipt, ok bool, err error)
	// Threads reports whether the notifier can post thread replies.
	Threads() bool
	// CanFind reports whether Find can look back.
	CanFind() bool
	// Name names the notifier for logs ("slack", "webhook", "stdout"); it
	// never holds a token or URL.
	Name() string
}

// DefaultGrace is how long a post already under way may go on after its
// context ends, when the notifier's Grace is 0.
const DefaultGrace = 8 * time.Second

// inFlight returns the context one post runs under: it ends grace after
// ctx ends. A shutdown that catches a post on the wire so gives it the
// window to finish, and its answer says whether it went through, instead of
// leaving a message Slack may have stored to be posted again by the next
// run. The HTTP client's timeout still bounds the post.
func inFlight(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	if grace <= 0 {
		grace = DefaultGrace
	}
	pctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, func() { cancel(context.Cause(ctx)) })
	})
	return pctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel(context.Canceled)
	}
}

// notStarted is the error of a post whose context ended before it began:
// nothing was sent.
func notStarted(op string, ctx context.Context) *Error {
	return &Error{Op: op, RetryAfter: DefaultRetryDelay, cause: context.Cause(ctx),
		msg: "slack " + op + ": not sent: " + context.Cause(ctx).Error()}
}

// MetadataEventType is the event_type of the metadata on every message.
const MetadataEventType = "wallwatch_alert"

// Interface checks.
var (
	_ Notifier = (*Bot)(nil)
	_ Notifier = (*Webhook)(nil)
	_ Notifier = (*Writer)(nil)
)
