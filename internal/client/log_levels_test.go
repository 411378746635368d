package client

import (
	"context"
	"net/http"
	"testing"
)

// debugOnlyLogger records entries and says it would drop trace ones.
type debugOnlyLogger struct{ recordingLogger }

func (l *debugOnlyLogger) Enabled(_ context.Context, level Level) bool { return level >= LevelDebug }

// TestTraceEntriesAreNotBuiltWhenDropped: with a logger that drops trace entries, the client
// writes the debug lines of each request but never builds the body entries (reading, redacting
// and encoding a whole page of keys), and still decodes the response it would have peeked at.
func TestTraceEntriesAreNotBuiltWhenDropped(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusCreated, createdKeyJSON))
	logger := &debugOnlyLogger{}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Logger = logger })
	k, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p1", Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == "" {
		t.Fatal("the response was not decoded")
	}
	for _, e := range logger.all() {
		if e.level == LevelTrace {
			t.Errorf("a trace entry was built: %q", e.msg)
		}
	}
	if len(logger.withMsg("keyservice request")) != 1 || len(logger.withMsg("keyservice response")) != 1 {
		t.Errorf("the debug lines are missing: %v", logger.all())
	}
}
