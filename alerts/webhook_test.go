package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wallwatch/worker/alerts/slackfake"
	"github.com/wallwatch/worker/internal/secret"
)

func TestWebhookPost(t *testing.T) {
	ctx := context.Background()
	s := slackfake.New(t)
	w, err := NewWebhook(secret.New(s.WebhookURL()), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m := alert("outbox-1")
	if _, err := w.Post(ctx, m); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(slackfake.DefaultChannelID)
	if len(msgs) != 1 || !msgs[0].Webhook {
		t.Fatalf("stored %+v, want one webhook message", msgs)
	}
	wantText, wantBlocks := Render(m)
	if msgs[0].Text != wantText {
		t.Errorf("text %q, want %q", msgs[0].Text, wantText)
	}
	raw, _ := json.Marshal(wantBlocks)
	var got, want any
	_ = json.Unmarshal(msgs[0].Blocks, &got)
	_ = json.Unmarshal(raw, &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	p := s.Calls()[0].Params
	for k, v := range map[string]string{"unfurl_links": "false", "unfurl_media": "false", "parse": "none"} {
		if p.Get(k) != v {
			t.Errorf("payload %s = %q, want %q", k, p.Get(k), v)
		}
	}
}

func TestWebhookErrors(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		fail          string
		retryAfter    string
		msg           Message
		wantDelay     time.Duration
		wantPermanent bool
		wantCode      string
		wantUnsupp    bool
	}{
		"invalid_payload":  {fail: "invalid_payload", msg: alert("k"), wantPermanent: true, wantCode: "invalid_payload"},
		"no_service":       {fail: "no_service", msg: alert("k"), wantPermanent: true, wantCode: "no_service"},
		"429":              {fail: slackfake.FailRateLimit, retryAfter: "12", msg: alert("k"), wantDelay: 12 * time.Second},
		"429 without wait": {fail: slackfake.FailRateLimit, msg: alert("k"), wantDelay: DefaultRateLimitDelay},
		"503":              {fail: slackfake.FailUnavailable, msg: alert("k"), wantDelay: DefaultRetryDelay},
		"reply refused":    {msg: reply("k", Receipt{TS: "1.1"}), wantPermanent: true, wantUnsupp: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := slackfake.New(t)
			w, err := NewWebhook(secret.New(s.WebhookURL()), nil)
			if err != nil {
				t.Fatal(err)
			}
			s.SetRetryAfter(tc.retryAfter)
			if tc.fail != "" {
				s.FailNext(1, tc.fail)
			}
			_, err = w.Post(ctx, tc.msg)
			if err == nil {
				t.Fatal("post succeeded")
			}
			d, perm := Classify(err)
			if d != tc.wantDelay || perm != tc.wantPermanent {
				t.Errorf("Classify(%v) = %v, %v; want %v, %v", err, d, perm, tc.wantDelay, tc.wantPermanent)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.wantCode {
				t.Errorf("error %#v: want code %q", err, tc.wantCode)
			}
			if errors.Is(err, ErrUnsupported) != tc.wantUnsupp {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v", err, !tc.wantUnsupp)
			}
			if n := len(s.Messages(slackfake.DefaultChannelID)); n != 0 {
				t.Errorf("%d messages stored", n)
			}
		})
	}
}

func TestWebhookCapabilities(t *testing.T) {
	w, err := NewWebhook(secret.New("https://hooks.example/services/T/B/x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Threads() || w.CanFind() || w.Name() != "webhook" {
		t.Errorf("Threads %v CanFind %v Name %q", w.Threads(), w.CanFind(), w.Name())
	}
	if _, _, err := w.Find(context.Background(), alert("k"), time.Time{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Find: %v, want ErrUnsupported", err)
	}
}

func TestNewWebhookValidation(t *testing.T) {
	tests := map[string]string{
		"empty":    "",
		"relative": "/services/T/B/x",
		"ftp":      "ftp://hooks.example/x",
		"no host":  "https:///x",
		"garbage":  "http://[::1",
	}
	for name, u := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewWebhook(secret.New(u), nil); err == nil {
				t.Error("NewWebhook accepted it")
			}
		})
	}
}
