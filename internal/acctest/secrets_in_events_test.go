package acctest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// TestSecretsInEventsAreFound: the check every acceptance test's server runs at cleanup finds a
// key the server handed out, or the admin token, in an event; and finds nothing in the events
// the server itself writes.
func TestSecretsInEventsAreFound(t *testing.T) {
	s := StartServer(t)
	ctx := context.Background()
	p := s.CreateProject(t, "watched")
	k, err := s.Client.CreateAPIKey(ctx, client.CreateAPIKeyRequest{ProjectID: p, Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := s.Client.RotateAPIKey(ctx, k.ID, client.RotateAPIKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.secrets.inEvents(s.ks.Store, s.AdminToken)
	if err != nil || len(found) != 0 {
		t.Fatalf("the server's own events: found %v, %v", found, err)
	}
	if len(s.secrets.secrets) != 3 { // the project's signing secret, the key, its successor
		t.Fatalf("%d secrets seen, want 3", len(s.secrets.secrets))
	}
	// An event that would leak: the successor's secret and the admin token in a change.
	leak := store.AuditEvent{
		ID: "aud_leak", OccurredAt: time.Now().UTC(), Actor: store.AuditActor{Type: "admin"}, Action: "api_key.update",
		Target:  store.AuditTarget{Type: "api_key", ID: rotated.ID},
		Changes: map[string]store.FieldChange{"description": {Old: "", New: rotated.Key + " " + s.AdminToken}}, Outcome: "success",
	}
	if err := s.ks.Store.RecordChanges(ctx, store.Changes{Audit: []store.AuditEvent{leak}}); err != nil {
		t.Fatal(err)
	}
	found, err = s.secrets.inEvents(s.ks.Store, s.AdminToken)
	if err != nil || !slices.Equal(found, []string{"a key", "the admin token"}) {
		t.Fatalf("found %v, %v; want a key and the admin token", found, err)
	}
	// The cleanup would fail this test: the leak is removed so that it does not.
	if _, err := s.ks.Store.DeleteAuditEventsBefore(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}
