package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Every acceptance test's server checks, when the test ends, that no audit event and no
// lifecycle event it holds contains a secret the test saw: every key the server handed out
// (created, rotated, ephemeral), every webhook signing secret and one-time-code secret, and the
// admin token. So the whole acceptance run is the search for a secret in the events.

// secretFields are the members of an answer that hold a secret.
var secretFields = []string{"key", "webhook_signing_secret", "otp_secret"}

// seenSecrets collects the secrets the server handed out.
type seenSecrets struct {
	mu      sync.Mutex
	secrets map[string]string // secret → the field it came in
}

// watch wraps the API: the secrets in the answers to POST requests are kept.
func (s *seenSecrets) watch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		cw := &copyingWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		var answer map[string]any
		if json.Unmarshal(cw.body.Bytes(), &answer) != nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, field := range secretFields {
			if v, ok := answer[field].(string); ok && v != "" {
				s.secrets[v] = field
			}
		}
	})
}

// copyingWriter keeps a copy of what it writes.
type copyingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *copyingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// checkEvents fails t if an event of st holds one of the secrets, or the admin token.
func (s *seenSecrets) checkEvents(t testing.TB, st store.Store, adminToken string) {
	t.Helper()
	found, err := s.inEvents(st, adminToken)
	if err != nil {
		t.Errorf("check the server's events for secrets: %v", err)
	}
	for _, what := range found {
		t.Errorf("an audit or lifecycle event of the test's server holds %s the test saw", what)
	}
}

// inEvents says which of the secrets (and the admin token) some audit or lifecycle event of st
// holds, by what they are, never by their value.
func (s *seenSecrets) inEvents(st store.Store, adminToken string) ([]string, error) {
	ctx := context.Background()
	var texts []string
	var after *store.Cursor
	for {
		events, err := st.ListAuditEvents(ctx, store.AuditEventFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			b, _ := json.Marshal(e)
			texts = append(texts, string(b))
		}
		if len(events) < 1000 {
			break
		}
		last := events[len(events)-1]
		after = &store.Cursor{Time: last.OccurredAt, ID: last.ID}
	}
	after = nil
	for {
		events, err := st.ListOutboxEvents(ctx, store.OutboxFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			texts = append(texts, string(e.Payload))
		}
		if len(events) < 1000 {
			break
		}
		last := events[len(events)-1]
		after = &store.Cursor{Time: last.CreatedAt, ID: last.ID}
	}
	all := strings.Join(texts, "\n")
	s.mu.Lock()
	defer s.mu.Unlock()
	secrets := map[string]string{adminToken: "the admin token"}
	for v, field := range s.secrets {
		secrets[v] = "a " + field
	}
	var found []string
	for v, what := range secrets {
		if strings.Contains(all, v) {
			found = append(found, what)
		}
	}
	slices.Sort(found)
	return found, nil
}
