package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func owed(t *testing.T, s store.Store, event store.ExpiryEvent, now time.Time) []string {
	t.Helper()
	var out []string
	var after *store.Cursor
	for {
		keys, err := s.ListExpiryEventKeys(context.Background(), store.ExpiryEventFilter{
			Event: event, Now: now, Through: now.Add(7 * 24 * time.Hour), After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			out = append(out, k.ID)
		}
		if len(keys) < 2 {
			return out
		}
		last := keys[len(keys)-1]
		after = &store.Cursor{Time: *last.ExpiresAt, ID: last.ID}
	}
}

// testExpiryEvents: which live keys owe an expiring or expired event, that marking one settles
// it for that expiry only, and that a key leaving the live set owes nothing.
func testExpiryEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	day := 24 * time.Hour
	for _, k := range []struct {
		id      string
		expires *time.Time
	}{
		{"key_never", nil}, {"key_expired", ptr(base.Add(-time.Hour))}, {"key_soon", ptr(base.Add(2 * day))},
		{"key_soon2", ptr(base.Add(2 * day))}, {"key_later", ptr(base.Add(30 * day))}, {"key_revoked", ptr(base.Add(-time.Hour))},
	} {
		key := newKey(k.id, "prj_1", k.id)
		key.ExpiresAt = k.expires
		mustKey(t, s, key)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_revoked"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if got, want := owed(t, s, store.ExpiryEventExpired, base), []string{"key_expired"}; !slices.Equal(got, want) {
		t.Errorf("expired owed = %v, want %v", got, want)
	}
	if got, want := owed(t, s, store.ExpiryEventExpiring, base), []string{"key_soon", "key_soon2"}; !slices.Equal(got, want) {
		t.Errorf("expiring owed = %v, want %v", got, want)
	}
	soon, err := s.GetAPIKey(ctx, "key_soon")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkExpiryEvent(ctx, store.ExpiryEventExpiring, soon, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkExpiryEvent(ctx, store.ExpiryEventExpiring, soon, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second mark: %v, want ErrConflict", err)
	}
	after, _ := s.GetAPIKey(ctx, "key_soon")
	if after.Version != soon.Version || !after.UpdatedAt.Equal(soon.UpdatedAt) {
		t.Errorf("marking moved version %d→%d or updated_at", soon.Version, after.Version)
	}
	if got, want := owed(t, s, store.ExpiryEventExpiring, base), []string{"key_soon2"}; !slices.Equal(got, want) {
		t.Errorf("expiring owed after the mark = %v, want %v", got, want)
	}
	// Once key_soon expires it owes the expired event, whatever the expiring one.
	if got, want := owed(t, s, store.ExpiryEventExpired, base.Add(3*day)), []string{"key_expired", "key_soon", "key_soon2"}; !slices.Equal(got, want) {
		t.Errorf("expired owed three days on = %v, want %v", got, want)
	}
	// A new expiry owes a new event.
	soon.ExpiresAt, soon.UpdatedAt = ptr(base.Add(3*day)), base
	if err := s.UpdateAPIKey(ctx, soon, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if got, want := owed(t, s, store.ExpiryEventExpiring, base), []string{"key_soon2", "key_soon"}; !slices.Equal(got, want) {
		t.Errorf("expiring owed after the expiry moved = %v, want %v", got, want)
	}
	stale := soon
	stale.ExpiresAt = ptr(base.Add(2 * day))
	if err := s.MarkExpiryEvent(ctx, store.ExpiryEventExpiring, stale, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("mark for an expiry the key no longer has: %v, want ErrConflict", err)
	}
	expired, _ := s.GetAPIKey(ctx, "key_expired")
	if err := s.MarkExpiryEvent(ctx, store.ExpiryEventExpired, expired, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if got := owed(t, s, store.ExpiryEventExpired, base); len(got) != 0 {
		t.Errorf("expired owed after the mark = %v", got)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_soon2"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if got, want := owed(t, s, store.ExpiryEventExpiring, base), []string{"key_soon"}; !slices.Equal(got, want) {
		t.Errorf("expiring owed after a revocation = %v, want %v", got, want)
	}
}

// testConcurrentExpiryEvents: replicas marking the same expiry at once: one succeeds, and only
// its events are written.
func testConcurrentExpiryEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	k, err := s.GetAPIKey(ctx, "key_1")
	if err != nil {
		t.Fatal(err)
	}
	errs := race(8, func(i int) error {
		return s.MarkExpiryEvent(ctx, store.ExpiryEventExpired, k, store.Changes{
			Audit:  []store.AuditEvent{auditEvent(fmt.Sprintf("aud_%d", i), "prj_1", "api_key.expire")},
			Outbox: []store.OutboxEvent{outboxEvent(fmt.Sprintf("evt_%d", i), "prj_1", "api_key.expired")},
		})
	})
	oneWinner(t, "MarkExpiryEvent", errs)
	if got := allAuditEvents(t, s); len(got) != 1 {
		t.Errorf("%d audit events, want 1", len(got))
	}
	if got := allOutboxEvents(t, s); len(got) != 1 {
		t.Errorf("%d outbox events, want 1", len(got))
	}
}
