package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
)

const (
	secretToken = "xoxb-4242-SECRETTOKEN-abcdef"
	secretPath  = "/services/TSECRET01/BSECRET02/whsecretzzzzzzzz"
)

// secretParts are the strings that must never show.
var secretParts = []string{secretToken, "SECRETTOKEN", secretPath, "TSECRET01", "BSECRET02", "whsecretzzzzzzzz"}

// echoServer answers every request with status and a body (and Location)
// that repeat the request path, as a misbehaving proxy might.
func echoServer(t *testing.T, status int) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == http.StatusFound {
			http.Redirect(w, r, r.URL.Path, status)
			return
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>no route for %s?%s</html>", r.URL.Path, r.URL.RawQuery)
	}))
	t.Cleanup(s.Close)
	return s
}

func closedURL(t *testing.T) string {
	s := httptest.NewServer(http.NotFoundHandler())
	u := s.URL
	s.Close()
	return u
}

// errorTexts is every way an error may end up printed.
func errorTexts(err error) []string {
	var out []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		out = append(out, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%q", e))
	}
	return out
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	ctx := context.Background()
	type target struct{ api, hook string }
	type scenario struct {
		target func(t *testing.T) target
		setup  func(s *slackfake.Server)
		hookOK bool // the webhook post may succeed (it needs no token; 200 is success)
	}
	fake := func(setup func(s *slackfake.Server)) scenario {
		return scenario{setup: setup}
	}
	raw := func(f func(t *testing.T) string) scenario {
		return scenario{target: func(t *testing.T) target {
			base := f(t)
			return target{api: base + "/api", hook: base + secretPath}
		}}
	}
	tests := map[string]scenario{
		"connection refused": raw(closedURL),
		"404 echoing the path": raw(func(t *testing.T) string {
			return echoServer(t, http.StatusNotFound).URL
		}),
		"500 echoing the path": raw(func(t *testing.T) string {
			return echoServer(t, http.StatusInternalServerError).URL
		}),
		"200 with html": {hookOK: true, target: raw(func(t *testing.T) string {
			return echoServer(t, http.StatusOK).URL
		}).target},
		"redirect loop": raw(func(t *testing.T) string {
			return echoServer(t, http.StatusFound).URL
		}),
		"wrong token": {hookOK: true, setup: func(s *slackfake.Server) {}},
		"429":         fake(func(s *slackfake.Server) { s.FailNext(10, slackfake.FailRateLimit) }),
		"429 with date": fake(func(s *slackfake.Server) {
			s.SetRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			s.FailNext(10, slackfake.FailRateLimit)
		}),
		"503":     fake(func(s *slackfake.Server) { s.FailNext(10, slackfake.FailUnavailable) }),
		"lie":     fake(func(s *slackfake.Server) { s.FailNext(10, slackfake.FailLie) }),
		"timeout": fake(func(s *slackfake.Server) { s.FailNext(10, slackfake.FailTimeout) }),
		"refused": fake(func(s *slackfake.Server) { s.FailNext(10, "invalid_payload") }),
	}
	for name, sc := range tests {
		t.Run(name, func(t *testing.T) {
			var tg target
			if sc.target != nil {
				tg = sc.target(t)
			} else {
				s := slackfake.New(t, slackfake.WithToken("xoxb-the-right-one"), slackfake.WithWebhookPath(secretPath))
				sc.setup(s)
				tg = target{api: s.APIURL(), hook: s.WebhookURL()}
			}
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			client := &http.Client{Timeout: 100 * time.Millisecond}

			var errs []error
			bot, err := NewBot(secret.New(secretToken), "#alerts", tg.api, client)
			if err != nil {
				t.Fatal(err)
			}
			bot.Logger = logger
			_, err = bot.Post(ctx, alert("outbox-1"))
			errs = append(errs, err)
			_, _, err = bot.Find(ctx, alert("outbox-1"), time.Now().Add(-time.Minute))
			errs = append(errs, err)
			_, _, err = bot.Find(ctx, reply("outbox-2", Receipt{Channel: "C000", TS: "1.000001"}), time.Time{})
			errs = append(errs, err)
			errs = append(errs, bot.Check(ctx))
			hook, err := NewWebhook(secret.New(tg.hook), client)
			if err != nil {
				t.Fatal(err)
			}
			if _, err = hook.Post(ctx, alert("outbox-3")); err != nil || !sc.hookOK {
				errs = append(errs, err)
			}
			_, err = NewWebhook(secret.New(tg.hook+"\x7f"), client)
			errs = append(errs, err)

			var texts []string
			for i, err := range errs {
				if err == nil {
					t.Errorf("call %d succeeded against a failing server", i)
					continue
				}
				logger.Error("delivery failed", "err", err) // as a caller logs it
				texts = append(texts, errorTexts(err)...)
			}
			texts = append(texts, logs.String())
			for _, s := range texts {
				for _, secret := range secretParts {
					if strings.Contains(s, secret) {
						t.Errorf("%q leaks %q", s, secret)
					}
				}
			}
		})
	}
}

// The notifiers hold their secrets as secret.Value: printing one, however
// deep, shows no token and no webhook URL.
func TestNotifiersPrintNoSecret(t *testing.T) {
	b, err := NewBot(secret.New(secretToken), "C0", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWebhook(secret.New("https://hooks.example"+secretPath+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, x := range []any{w, *w} {
		fmt.Fprintf(&out, "%v %+v %#v\n", x, x, x)
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("notifier", "webhook", w, "bot", b.Name())
	for _, s := range []string{out.String(), logs.String()} {
		for _, part := range secretParts {
			if strings.Contains(s, part) {
				t.Errorf("printed notifier shows %q:\n%s", part, s)
			}
		}
	}
}
