package alerts

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/wallwatch/worker/internal/secret"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func TestClassify(t *testing.T) {
	tests := map[string]struct {
		err           error
		wantDelay     time.Duration
		wantPermanent bool
	}{
		"nil":                         {nil, 0, false},
		"rate limited with seconds":   {&slack.RateLimitedError{RetryAfter: 30 * time.Second}, 30 * time.Second, false},
		"rate limited capped":         {&slack.RateLimitedError{RetryAfter: 48 * time.Hour}, MaxRetryAfter, false},
		"rate limited zero":           {&slack.RateLimitedError{RetryAfter: 0}, time.Second, false},
		"wrapped rate limit":          {fmt.Errorf("post: %w", &slack.RateLimitedError{RetryAfter: 5 * time.Second}), 5 * time.Second, false},
		"429 without retry-after":     {slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, DefaultRateLimitDelay, false},
		"503":                         {slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, DefaultRetryDelay, false},
		"500":                         {slack.StatusCodeError{Code: 500, Status: "500 Internal Server Error"}, DefaultRetryDelay, false},
		"408":                         {slack.StatusCodeError{Code: 408, Status: "408 Request Timeout"}, DefaultRetryDelay, false},
		"404 wrong url":               {slack.StatusCodeError{Code: 404, Status: "404 Not Found"}, 0, true},
		"400 bad payload":             {slack.StatusCodeError{Code: 400, Status: "400 Bad Request"}, 0, true},
		"ratelimited body":            {slack.SlackErrorResponse{Err: "ratelimited"}, DefaultRateLimitDelay, false},
		"internal_error":              {slack.SlackErrorResponse{Err: "internal_error"}, DefaultRetryDelay, false},
		"fatal_error":                 {slack.SlackErrorResponse{Err: "fatal_error"}, DefaultRetryDelay, false},
		"service_unavailable":         {slack.SlackErrorResponse{Err: "service_unavailable"}, DefaultRetryDelay, false},
		"request_timeout":             {slack.SlackErrorResponse{Err: "request_timeout"}, DefaultRetryDelay, false},
		"invalid_auth":                {slack.SlackErrorResponse{Err: "invalid_auth"}, 0, true},
		"not_authed":                  {slack.SlackErrorResponse{Err: "not_authed"}, 0, true},
		"account_inactive":            {slack.SlackErrorResponse{Err: "account_inactive"}, 0, true},
		"token_revoked":               {slack.SlackErrorResponse{Err: "token_revoked"}, 0, true},
		"channel_not_found":           {slack.SlackErrorResponse{Err: "channel_not_found"}, 0, true},
		"not_in_channel":              {slack.SlackErrorResponse{Err: "not_in_channel"}, 0, true},
		"is_archived":                 {slack.SlackErrorResponse{Err: "is_archived"}, 0, true},
		"invalid_blocks":              {slack.SlackErrorResponse{Err: "invalid_blocks"}, 0, true},
		"msg_too_long":                {slack.SlackErrorResponse{Err: "msg_too_long"}, 0, true},
		"no_text":                     {slack.SlackErrorResponse{Err: "no_text"}, 0, true},
		"missing_scope":               {slack.SlackErrorResponse{Err: "missing_scope"}, 0, true},
		"unknown slack code":          {slack.SlackErrorResponse{Err: "brand_new_error"}, DefaultRetryDelay, false},
		"unsupported":                 {fmt.Errorf("x: %w", ErrUnsupported), 0, true},
		"deadline":                    {context.DeadlineExceeded, DefaultRetryDelay, false},
		"cancelled":                   {fmt.Errorf("post: %w", context.Canceled), DefaultRetryDelay, false},
		"network timeout":             {&url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage", Err: timeoutErr{}}, DefaultRetryDelay, false},
		"connection refused":          {&url.Error{Op: "Post", URL: "https://slack.com/api/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, DefaultRetryDelay, false},
		"unknown error":               {errors.New("something odd"), DefaultRetryDelay, false},
		"bad retry-after date parsed": {&strconv.NumError{Func: "ParseInt", Num: "Wed, 21 Oct 2015 07:28:00 GMT", Err: strconv.ErrSyntax}, DefaultRetryDelay, false},
		"classified error kept":       {fmt.Errorf("deliver: %w", &Error{Op: "webhook", RetryAfter: 42 * time.Second}), 42 * time.Second, false},
		"classified permanent kept":   {&Error{Op: "webhook", Permanent: true}, 0, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, p := Classify(tc.err)
			if d != tc.wantDelay || p != tc.wantPermanent {
				t.Errorf("Classify(%v) = %v, %v; want %v, %v", tc.err, d, p, tc.wantDelay, tc.wantPermanent)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	tests := map[string]struct {
		err                      error
		wantPermanent, wantLimit bool
	}{
		"rate limit":       {newError("chat.postMessage", &slack.RateLimitedError{RetryAfter: time.Second}, nil, nil), false, true},
		"ratelimited body": {newError("chat.postMessage", slack.SlackErrorResponse{Err: "ratelimited"}, nil, nil), false, true},
		"invalid_auth":     {newError("chat.postMessage", slack.SlackErrorResponse{Err: "invalid_auth"}, nil, nil), true, false},
		"503":              {newError("webhook", slack.StatusCodeError{Code: 503}, nil, nil), false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := errors.Is(tc.err, ErrPermanent); got != tc.wantPermanent {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v", tc.err, got)
			}
			if got := errors.Is(tc.err, ErrRateLimited); got != tc.wantLimit {
				t.Errorf("errors.Is(%v, ErrRateLimited) = %v", tc.err, got)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := map[string]struct {
		err  *Error
		want string
	}{
		"code":        {newError("chat.postMessage", slack.SlackErrorResponse{Err: "invalid_auth"}, nil, nil), "slack chat.postMessage: invalid_auth"},
		"rate limit":  {newError("webhook", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, nil, nil), "slack webhook: rate limited (http 429), retry after 3s"},
		"status":      {newError("webhook", slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, nil, nil), "slack webhook: http 503 Service Unavailable"},
		"cause":       {newError("conversations.history", errors.New("unexpected EOF"), nil, nil), "slack conversations.history: unexpected EOF"},
		"url reduced": {newError("webhook", &url.Error{Op: "Post", URL: "https://hooks.example/services/T/B/secret", Err: errors.New("EOF")}, nil, nil), `slack webhook: Post "https://hooks.example/…": EOF`},
		"redacted":    {newError("auth.test", errors.New("bad token xoxb-123-abc"), nil, []secret.Value{secret.New("xoxb-123-abc")}), "slack auth.test: bad token [redacted]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		"seconds":         {"120", 2 * time.Minute, true},
		"spaces":          {" 7 ", 7 * time.Second, true},
		"zero":            {"0", 0, true},
		"huge":            {"99999999999999", MaxRetryAfter, true},
		"http date":       {now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		"http date, past": {now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		"rfc 850 date":    {now.Add(time.Minute).Format("Monday, 02-Jan-06 15:04:05 GMT"), time.Minute, true},
		"missing":         {"", 0, false},
		"negative":        {"-5", 0, false},
		"garbage":         {"soon", 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := parseRetryAfter(tc.in, now)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
