package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Level is the severity of a log entry.
type Level int

const (
	LevelTrace Level = iota
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
)

func (l Level) String() string {
	switch l {
	case LevelTrace:
		return "trace"
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelWarn:
		return "warn"
	case LevelError:
		return "error"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Logger receives request/response logs. ctx is the context of the request
// being logged, so a bridge to tflog logs into the right RPC's logger.
type Logger interface {
	Log(ctx context.Context, level Level, msg string, fields map[string]any)
}

const redacted = "[REDACTED]"

// sensitiveFields are JSON member names whose values are never logged, at any
// depth. Compared case-insensitively.
var sensitiveFields = map[string]bool{
	"key":                    true,
	"token":                  true,
	"secret":                 true,
	"password":               true,
	"webhook_signing_secret": true,
	"otp_secret":             true,
	"otpauth_uri":            true,
}

// redactJSON returns body with the value of every sensitive member replaced
// by "[REDACTED]", at any depth and inside arrays. A body that is not valid
// JSON may hold anything, so it is replaced by a placeholder, never echoed.
func redactJSON(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.Decode(new(any)) != io.EOF {
		return fmt.Appendf(nil, "[unparsable body of %d bytes]", len(body))
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redactValue(v)); err != nil {
		return fmt.Appendf(nil, "[unparsable body of %d bytes]", len(body))
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}

func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, member := range v {
			if sensitiveFields[strings.ToLower(k)] {
				v[k] = redacted
				continue
			}
			v[k] = redactValue(member)
		}
	case []any:
		for i, elem := range v {
			v[i] = redactValue(elem)
		}
	}
	return v
}

// redactHeaders flattens headers for a trace log, hiding credentials.
func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization":
			out[name] = "Bearer " + redacted
		case headerOTP, "Cookie", "Set-Cookie":
			out[name] = redacted
		default:
			out[name] = strings.Join(values, ", ")
		}
	}
	return out
}

// LevelEnabler is implemented by a Logger that can tell cheaply whether it would write an
// entry at level. The client then skips building entries that would be dropped: the trace
// entries hold whole request and response bodies, which for a page of keys is hundreds of
// kilobytes to read, redact and encode.
type LevelEnabler interface {
	Enabled(ctx context.Context, level Level) bool
}

// enabled reports whether an entry at level would be written.
func (c *Client) enabled(ctx context.Context, level Level) bool {
	if c.logger == nil {
		return false
	}
	if e, ok := c.logger.(LevelEnabler); ok {
		return e.Enabled(ctx, level)
	}
	return true
}

func (c *Client) log(ctx context.Context, level Level, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger.Log(ctx, level, msg, fields)
	}
}
