package cmdutil

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// The client redacts what it logs; the logger also replaces the token and the one-time code
// wherever they appear, e.g. in a URL or a message, as a second line of defence.
func TestDebugLoggerReplacesCredentials(t *testing.T) {
	const token, otp = "ksadmin-0123456789abcdef", "493817"
	var b bytes.Buffer
	l := newDebugLogger(&b, token, otp, "")
	ctx := context.Background()
	l.Log(ctx, client.LevelDebug, "keyservice request", map[string]any{"method": "GET", "url": "http://h/v1/x?t=" + token, "attempt": 1})
	l.Log(ctx, client.LevelTrace, "keyservice request body", map[string]any{
		"headers": map[string]string{"X-Echo": otp, "Accept": "application/json"},
		"body":    `{"note":"` + token + `"}`,
	})
	l.Log(ctx, client.LevelWarn, "keyservice request failed, retrying", map[string]any{"reason": "server said " + token})
	out := b.String()
	if strings.Contains(out, token) || strings.Contains(out, otp) {
		t.Fatalf("a credential is in the trace:\n%s", out)
	}
	for _, want := range []string{
		"debug: > GET http://h/v1/x?t=[REDACTED] (attempt 1)\n",
		"debug:   Accept: application/json\ndebug:   X-Echo: [REDACTED]\n",
		`debug:   {"note":"[REDACTED]"}` + "\n",
		"debug: warn: keyservice request failed, retrying reason=server said [REDACTED]\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}
