package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type logEntry struct {
	ctx    context.Context
	level  Level
	msg    string
	fields map[string]any
}

// recordingLogger keeps every entry, at every level.
type recordingLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *recordingLogger) Log(ctx context.Context, level Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{ctx, level, msg, fields})
}

func (l *recordingLogger) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}

func (l *recordingLogger) withMsg(msg string) []logEntry {
	var out []logEntry
	for _, e := range l.all() {
		if e.msg == msg {
			out = append(out, e)
		}
	}
	return out
}

type ctxMarker struct{}

func TestLogsNeverHoldSecrets(t *testing.T) {
	const secret = "ks_secretAAAABBBBCCCC"
	srv := newFakeServer(t,
		respond(http.StatusServiceUnavailable, `{"error":{"code":"internal","message":"busy"}}`),
		respond(http.StatusCreated, createdKeyJSON))
	logger := &recordingLogger{}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Logger = logger; cfg.OTP = "otp-654321" })

	ctx := context.WithValue(t.Context(), ctxMarker{}, "this call")
	if _, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: "p1", Name: "ci"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(ctx, secret); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	entries := logger.all()
	if len(entries) == 0 {
		t.Fatal("nothing was logged")
	}
	for _, e := range entries {
		dump := fmt.Sprintf("%s %#v", e.msg, e.fields)
		for _, s := range []string{secret, testToken, "otp-654321"} {
			if strings.Contains(dump, s) {
				t.Errorf("%s entry %q leaks %q: %s", e.level, e.msg, s, dump)
			}
		}
		if e.ctx.Value(ctxMarker{}) != "this call" {
			t.Errorf("entry %q was not logged with the request's context", e.msg)
		}
	}

	// The trace entries really carry the bodies, redacted.
	bodies := logger.withMsg("keyservice response body")
	if len(bodies) == 0 || !strings.Contains(bodies[len(bodies)-1].fields["body"].(string), `"key":"[REDACTED]"`) {
		t.Errorf("the trace log should show the response body with the key redacted: %v", bodies)
	}
	reqs := logger.withMsg("keyservice request")
	if len(reqs) < 2 || reqs[0].level != LevelDebug || reqs[0].fields["idempotency_key"] == "" ||
		reqs[0].fields["idempotency_key"] != reqs[1].fields["idempotency_key"] || reqs[1].fields["attempt"] != 2 {
		t.Errorf("request entries = %+v", reqs)
	}
	if resps := logger.withMsg("keyservice response"); len(resps) == 0 || resps[0].fields["status"] != http.StatusServiceUnavailable {
		t.Errorf("response entries = %+v", resps)
	} else if _, ok := resps[0].fields["duration_ms"].(int64); !ok {
		t.Errorf("response entry has no duration_ms: %+v", resps[0])
	}
	retries := logger.withMsg("keyservice request failed, retrying")
	if len(retries) != 1 || retries[0].level != LevelWarn || !strings.Contains(fmt.Sprint(retries[0].fields["reason"]), "503") ||
		retries[0].fields["method"] != http.MethodPost || retries[0].fields["retries_left"] != 3 {
		t.Errorf("want one Warn retry entry naming the 503, got %+v", retries)
	}
}

func TestRedactJSON(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"top level":        {`{"key":"ks_abc","name":"ci"}`, `{"key":"[REDACTED]","name":"ci"}`},
		"token":            {`{"token":"admin-secret-token"}`, `{"token":"[REDACTED]"}`},
		"signing secret":   {`{"id":"p","webhook_signing_secret":"whsec_abc"}`, `{"id":"p","webhook_signing_secret":"[REDACTED]"}`},
		"case insensitive": {`{"Key":"a","TOKEN":"b"}`, `{"Key":"[REDACTED]","TOKEN":"[REDACTED]"}`},
		"nested":           {`{"a":{"b":{"key":"x"}}}`, `{"a":{"b":{"key":"[REDACTED]"}}}`},
		"in arrays":        {`{"items":[{"key":"x","id":"1"},{"id":"2","token":"y"}]}`, `{"items":[{"id":"1","key":"[REDACTED]"},{"id":"2","token":"[REDACTED]"}]}`},
		"top-level array":  {`[{"key":"x"},[{"token":"y"}]]`, `[{"key":"[REDACTED]"},[{"token":"[REDACTED]"}]]`},
		"non-string value": {`{"key":{"inner":"x"},"token":["a","b"]}`, `{"key":"[REDACTED]","token":"[REDACTED]"}`},
		"null key":         {`{"key":null}`, `{"key":"[REDACTED]"}`},
		"look-alikes kept": {`{"key_prefix":"ks_abc","keys":1,"id":"k"}`, `{"id":"k","key_prefix":"ks_abc","keys":1}`},
		"numbers kept":     {`{"n":12345678901234567890,"f":1.50}`, `{"f":1.50,"n":12345678901234567890}`},
		"no html escaping": {`{"u":"a<b>&c"}`, `{"u":"a<b>&c"}`},
		"duplicate key":    {`{"key":"a","key":"b"}`, `{"key":"[REDACTED]"}`},
		"scalar":           {`"ks_abc"`, `"ks_abc"`},
		"empty":            {``, ``},
		"whitespace":       {" \n", ``},
		"invalid":          {`{"key":"ks_abc"`, `[unparsable body of 15 bytes]`},
		"not JSON":         {`key=ks_abc`, `[unparsable body of 10 bytes]`},
		"trailing data":    {`{"id":1} {"key":"ks_abc"}`, `[unparsable body of 25 bytes]`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := string(redactJSON([]byte(tt.in))); got != tt.want {
				t.Errorf("redactJSON(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+testToken)
	h.Set("X-Keyservice-OTP", "123456")
	h.Set("Idempotency-Key", "abc")
	got := redactHeaders(h)
	raw, _ := json.Marshal(got)
	if strings.Contains(string(raw), testToken) || strings.Contains(string(raw), "123456") {
		t.Errorf("headers leak a credential: %s", raw)
	}
	if got["Authorization"] != "Bearer [REDACTED]" || got["Idempotency-Key"] != "abc" {
		t.Errorf("redactHeaders = %v", got)
	}
}
