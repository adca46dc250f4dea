package secret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	token   = "xoxb-1234-5678-SECRETPART"
	webhook = "https://hooks.slack.com/services/T0SECRET/B0SECRET/WHSECRETPART"
)

type holder struct {
	Token  Value
	hidden Value
	Ptr    *Value
	List   []Value
	Map    map[string]Value
}

// printed is every way a value may end up written.
func printed(t *testing.T, v Value) []string {
	t.Helper()
	h := holder{Token: v, hidden: v, Ptr: &v, List: []Value{v}, Map: map[string]Value{"k": v}}
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"} {
		out = append(out, fmt.Sprintf(f, v), fmt.Sprintf(f, &v), fmt.Sprintf(f, h), fmt.Sprintf(f, &h))
	}
	out = append(out, fmt.Sprint(v, h), fmt.Sprintln(v, h), v.String(), v.GoString(),
		fmt.Errorf("config: %v: %w", v, errors.New("x")).Error())
	for _, x := range []any{v, h, &h} {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
		y, err := yaml.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(y))
	}
	txt, _ := v.MarshalText()
	out = append(out, string(txt))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("m", "token", v, "holder", h, "group", slog.GroupValue(slog.Any("t", v)))
		out = append(out, b.String())
	}
	return out
}

func TestNothingPrintsTheSecret(t *testing.T) {
	for _, s := range []string{token, webhook, "plain-secret-without-shape"} {
		v := New(s + "\n")
		for _, p := range printed(t, v) {
			for _, part := range []string{s, "SECRETPART", "T0SECRET", "WHSECRET", "1234-5678", "without-shape"} {
				if strings.Contains(p, part) {
					t.Errorf("%q shows %q", p, part)
				}
			}
		}
		if v.Reveal() != s {
			t.Errorf("Reveal() = %q, want %q", v.Reveal(), s)
		}
	}
}

func TestMasked(t *testing.T) {
	tests := map[string]string{
		token:                            "xoxb-" + Mask,
		webhook:                          "https://hooks.slack.com/" + Mask,
		"https://user:pw@host.example/x": "https://host.example/" + Mask,
		"opaque":                         Mask,
		"  ":                             "",
		"":                               "",
	}
	for in, want := range tests {
		if got := New(in).Masked(); got != want {
			t.Errorf("New(%q).Masked() = %q, want %q", in, got, want)
		}
	}
}

func TestFromYAMLAndText(t *testing.T) {
	var c struct {
		Token Value `yaml:"token"`
	}
	if err := yaml.Unmarshal([]byte("token: \""+token+"\\r\\n\"\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.Token.Reveal() != token {
		t.Errorf("decoded %q", c.Token.Reveal())
	}
	var v Value
	if err := v.UnmarshalText([]byte("  ")); err != nil || !v.IsZero() {
		t.Errorf("blank text gives %v, %v; want the zero Value", v, err)
	}
}
