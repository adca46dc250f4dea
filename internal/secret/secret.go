// Package secret holds values that must never be printed: bot tokens and
// webhook URLs. A Value formats, marshals and logs as a mask; only Reveal
// gives the value, for the one call that sends it.
package secret

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// Mask is what a set Value shows in place of its secret part.
const Mask = "********"

// Value is a secret. The zero Value is empty. It holds its text behind a
// pointer, so even printing a struct that has a Value in an unexported field
// shows an address, never the text.
type Value struct {
	p *string
}

// New returns a Value holding s without surrounding white space (a secret
// mounted from a file usually ends with a newline).
func New(s string) Value {
	s = strings.TrimSpace(s)
	if s == "" {
		return Value{}
	}
	return Value{p: &s}
}

// Reveal returns the secret itself. Call it only to hand the value to the
// client that sends it.
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether v is empty.
func (v Value) IsZero() bool { return v.p == nil }

// Masked shows what may be shown: "" when empty; for a URL its scheme and
// host; for a token its kind prefix ("xoxb-"); the mask for the rest.
func (v Value) Masked() string {
	s := v.Reveal()
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Scheme + "://" + u.Host + "/" + Mask
	}
	if i := strings.IndexByte(s, '-'); i > 0 && i <= 5 && isLetters(s[:i]) {
		return s[:i+1] + Mask
	}
	return Mask
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// String returns the mask.
func (v Value) String() string { return v.Masked() }

// GoString returns the mask, for %#v.
func (v Value) GoString() string { return "secret.Value(" + strconv.Quote(v.Masked()) + ")" }

// Format writes the mask for every verb (%v %s %q %x %d …).
func (v Value) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = fmt.Fprint(f, v.GoString())
			return
		}
	case 'q':
		_, _ = fmt.Fprint(f, strconv.Quote(v.Masked()))
		return
	}
	_, _ = fmt.Fprint(f, v.Masked())
}

// MarshalJSON writes the mask as a JSON string.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(v.Masked())), nil }

// MarshalText writes the mask.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.Masked()), nil }

// MarshalYAML writes the mask.
func (v Value) MarshalYAML() (any, error) { return v.Masked(), nil }

// UnmarshalText reads a secret (config files, environment).
func (v *Value) UnmarshalText(b []byte) error {
	*v = New(string(b))
	return nil
}

// LogValue logs the mask.
func (v Value) LogValue() slog.Value { return slog.StringValue(v.Masked()) }
