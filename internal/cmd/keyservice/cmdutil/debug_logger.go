package cmdutil

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// debugLogger writes the client's request trace (--debug) to stderr, one entry per line with its
// headers and body indented below. The client has already redacted every sensitive JSON member,
// the Authorization and one-time code headers; the logger also replaces the token and the code
// wherever else they might appear, so that a trace can be pasted into an issue as it is.
type debugLogger struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

var (
	_ client.Logger       = (*debugLogger)(nil)
	_ client.LevelEnabler = (*debugLogger)(nil)
)

func newDebugLogger(w io.Writer, secrets ...string) *debugLogger {
	l := &debugLogger{w: w}
	for _, s := range secrets {
		if len(s) >= 4 {
			l.secrets = append(l.secrets, s)
		}
	}
	return l
}

// Enabled asks for the trace entries too: with --debug the bodies are the point.
func (l *debugLogger) Enabled(context.Context, client.Level) bool { return true }

func (l *debugLogger) Log(_ context.Context, level client.Level, msg string, fields map[string]any) {
	var b strings.Builder
	switch msg {
	// The client logs each attempt as a headline (debug) and its headers and body (trace).
	case "keyservice request":
		fmt.Fprintf(&b, "debug: > %v %v (attempt %v)\n", fields["method"], fields["url"], fields["attempt"])
	case "keyservice response":
		fmt.Fprintf(&b, "debug: < %v %v %v (%v ms)\n", fields["status"], fields["method"], fields["url"], fields["duration_ms"])
	case "keyservice request body", "keyservice response body":
		if headers, ok := fields["headers"].(map[string]string); ok {
			for _, h := range slices.Sorted(maps.Keys(headers)) {
				fmt.Fprintf(&b, "debug:   %s: %s\n", h, headers[h])
			}
		}
		if body := fmt.Sprint(fields["body"]); body != "" && fields["body"] != nil {
			fmt.Fprintf(&b, "debug:   %s\n", body)
		}
	default:
		fmt.Fprintf(&b, "debug: %s: %s", level, msg)
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			fmt.Fprintf(&b, " %s=%v", name, fields[name])
		}
		b.WriteString("\n")
	}
	out := b.String()
	for _, s := range l.secrets {
		out = strings.ReplaceAll(out, s, "[REDACTED]")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, out) //nolint:errcheck // a trace that cannot be written is not worth failing the command
}
