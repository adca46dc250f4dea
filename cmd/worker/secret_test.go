package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config check never prints a secret, wherever it was put.
func TestConfigCheckPrintsNoSecret(t *testing.T) {
	const token = "xoxb-777-888-CHECKLEAK"
	const hook = "https://hooks.slack.com/services/TCHECK001/BCHECK002/CHECKHOOKLEAK"
	tests := map[string]struct {
		yaml     string
		env      map[string]string
		wantCode int
	}{
		"token":                   {yaml: "slack:\n  token: ${T}\n  channel: C1\n", env: map[string]string{"T": token + "\n"}},
		"webhook from a file":     {env: map[string]string{"SLACK_WEBHOOK_URL": hook + "\n"}},
		"token pasted as channel": {yaml: "slack:\n  token: xoxb-1-2-x\n  channel: " + token + "\n", wantCode: exitUsage},
		"bad webhook":             {env: map[string]string{"SLACK_WEBHOOK_URL": hook + "%zz"}, wantCode: exitUsage},
		"api_url with a password": {yaml: "slack:\n  token: ${T}\n  channel: C1\n  api_url: https://u:CHECKLEAKPW@s.example/api/\n",
			env: map[string]string{"T": token}, wantCode: exitUsage},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := []string{"config", "check"}
			if tc.yaml != "" {
				p := filepath.Join(t.TempDir(), "w.yaml")
				if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", p)
			}
			var stdout, stderr bytes.Buffer
			env := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, env)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d:\n%s%s", code, tc.wantCode, stdout.String(), stderr.String())
			}
			out := stdout.String() + stderr.String()
			for _, part := range []string{token, "CHECKLEAK", "777-888", "TCHECK001", "BCHECK002", "CHECKHOOK"} {
				if strings.Contains(out, part) {
					t.Errorf("output shows %q:\n%s", part, out)
				}
			}
		})
	}
}
