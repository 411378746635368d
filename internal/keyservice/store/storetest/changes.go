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

// A change and its events are one transaction: these tests run every mutating method with
// events that commit (they are there afterwards, exactly those), and with events whose last
// insert fails (an id already taken: the failure comes after every statement of the change
// and after the other events), after which neither the change nor any of its events exist.

// mutation is one mutating method of the store, against the fixture of changesFixture.
type mutation struct {
	name string
	// do runs the method with ch.
	do func(t *testing.T, s store.Store, ch store.Changes) error
	// applied reports whether the change is visible.
	applied func(t *testing.T, s store.Store) bool
}

var webhookURL = "https://events.example/hook"

// changesFixture: project prj_1 with an events webhook, its service account sa_1 and
// environment env_1 (unbound), key_1 (live, expired at base+1h) and key_sa of sa_1; project
// prj_2 with no webhook.
func changesFixture(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	p := store.Project{ID: "prj_1", Name: "one", CreatedAt: base, UpdatedAt: base, EventsWebhookURL: &webhookURL}
	if err := s.CreateProject(ctx, p, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	mustProject(t, s, "prj_2", "two")
	mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	mustEnvironment(t, s, "env_1", "prj_1", "staging")
	k := newKey("key_1", "prj_1", "one")
	k.ExpiresAt = ptr(base.Add(time.Hour))
	mustKey(t, s, k)
	sa := newKey("key_sa", "prj_1", "robot-key")
	sa.ServiceAccountID = ptr("sa_1")
	mustKey(t, s, sa)
}

func mutations() []mutation {
	later := base.Add(time.Minute)
	key := func(t *testing.T, s store.Store, id string) store.APIKey {
		t.Helper()
		k, err := s.GetAPIKey(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	project := func(t *testing.T, s store.Store) store.Project {
		t.Helper()
		p, err := s.GetProject(context.Background(), "prj_1")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	exists := func(err error) bool { return err == nil }
	return []mutation{
		{"CreateProject", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.CreateProject(ctx, store.Project{ID: "prj_new", Name: "new", CreatedAt: later, UpdatedAt: later, EventsWebhookURL: &webhookURL}, ch)
		}, func(t *testing.T, s store.Store) bool {
			_, err := s.GetProject(context.Background(), "prj_new")
			return exists(err)
		}},
		{"UpdateProject", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.UpdateProject(ctx, store.Project{ID: "prj_1", Name: "one", Description: "changed", UpdatedAt: later, EventsWebhookURL: &webhookURL}, ch)
		}, func(t *testing.T, s store.Store) bool { return project(t, s).Description == "changed" }},
		{"DeleteProject", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.DeleteProject(ctx, "prj_1", later, ch)
		}, func(t *testing.T, s store.Store) bool {
			deleted := project(t, s).DeletedAt != nil
			if revoked := key(t, s, "key_1").RevokedAt != nil; revoked != deleted {
				t.Errorf("project deleted %v but its key revoked %v", deleted, revoked)
			}
			return deleted
		}},
		{"SetProjectWebhookSecret", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.SetProjectWebhookSecret(ctx, "prj_1", []byte("sealed"), later, ch)
		}, func(t *testing.T, s store.Store) bool {
			return string(project(t, s).WebhookSecret) == "sealed"
		}},
		{"SetProjectOTPSecret", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.SetProjectOTPSecret(ctx, "prj_1", []byte("sealed"), later, ch)
		}, func(t *testing.T, s store.Store) bool { return project(t, s).OTPSecret != nil }},
		{"CreateServiceAccount", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.CreateServiceAccount(ctx, store.ServiceAccount{ID: "sa_new", ProjectID: "prj_1", Name: "new", Active: true, CreatedAt: later, UpdatedAt: later}, ch)
		}, func(t *testing.T, s store.Store) bool {
			_, err := s.GetServiceAccount(context.Background(), "sa_new")
			return exists(err)
		}},
		{"UpdateServiceAccount", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.UpdateServiceAccount(ctx, store.ServiceAccount{ID: "sa_1", ProjectID: "prj_1", Name: "robot", Active: false, UpdatedAt: later}, ch)
		}, func(t *testing.T, s store.Store) bool {
			a, err := s.GetServiceAccount(context.Background(), "sa_1")
			return err == nil && !a.Active
		}},
		{"DeleteServiceAccount", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.DeleteServiceAccount(ctx, "sa_1", later, ch)
		}, func(t *testing.T, s store.Store) bool {
			a, err := s.GetServiceAccount(context.Background(), "sa_1")
			deleted := err == nil && a.DeletedAt != nil
			if revoked := key(t, s, "key_sa").RevokedAt != nil; revoked != deleted {
				t.Errorf("service account deleted %v but its key revoked %v", deleted, revoked)
			}
			return deleted
		}},
		{"CreateEnvironment", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.CreateEnvironment(ctx, store.Environment{ID: "env_new", ProjectID: "prj_1", Name: "production", CreatedAt: later, UpdatedAt: later}, ch)
		}, func(t *testing.T, s store.Store) bool {
			_, err := s.GetEnvironment(context.Background(), "env_new")
			return exists(err)
		}},
		{"UpdateEnvironment", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.UpdateEnvironment(ctx, store.Environment{ID: "env_1", ProjectID: "prj_1", Name: "qa", UpdatedAt: later}, ch)
		}, func(t *testing.T, s store.Store) bool {
			e, err := s.GetEnvironment(context.Background(), "env_1")
			return err == nil && e.Name == "qa"
		}},
		{"DeleteEnvironment", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.DeleteEnvironment(ctx, "env_1", later, ch)
		}, func(t *testing.T, s store.Store) bool {
			e, err := s.GetEnvironment(context.Background(), "env_1")
			return err == nil && e.DeletedAt != nil
		}},
		{"CreateAPIKey", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.CreateAPIKey(ctx, newKey("key_new", "prj_1", "new"), ch)
		}, func(t *testing.T, s store.Store) bool {
			_, err := s.GetAPIKey(context.Background(), "key_new")
			return exists(err)
		}},
		{"UpdateAPIKey", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			k := newKey("key_1", "prj_1", "one")
			k.Description, k.UpdatedAt, k.Version = "changed", later, 1
			return s.UpdateAPIKey(ctx, k, ch)
		}, func(t *testing.T, s store.Store) bool { return key(t, s, "key_1").Description == "changed" }},
		{"RotateAPIKey", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			old := key(t, s, "key_1")
			old.ReplacedByKeyID, old.GraceExpiresAt, old.UpdatedAt = ptr("key_next"), ptr(later), later
			return s.RotateAPIKey(ctx, old, newKey("key_next", "prj_1", "one"), ch)
		}, func(t *testing.T, s store.Store) bool {
			_, err := s.GetAPIKey(context.Background(), "key_next")
			replaced := key(t, s, "key_1").ReplacedByKeyID != nil
			if exists(err) != replaced {
				t.Errorf("successor exists %v but the old key replaced %v", exists(err), replaced)
			}
			return replaced
		}},
		{"RevokeAPIKeys", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.RevokeAPIKeys(ctx, []string{"key_1", "key_sa"}, later, ch)
		}, func(t *testing.T, s store.Store) bool {
			revoked := key(t, s, "key_1").RevokedAt != nil
			if other := key(t, s, "key_sa").RevokedAt != nil; other != revoked {
				t.Errorf("one key revoked (%v) without the other (%v)", revoked, other)
			}
			return revoked
		}},
		{"MarkExpiryEvent", func(t *testing.T, s store.Store, ch store.Changes) error {
			ctx := context.Background()
			return s.MarkExpiryEvent(ctx, store.ExpiryEventExpired, key(t, s, "key_1"), ch)
		}, func(t *testing.T, s store.Store) bool {
			owed, err := s.ListExpiryEventKeys(context.Background(), store.ExpiryEventFilter{
				Event: store.ExpiryEventExpired, Now: base.Add(2 * time.Hour), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(owed) == 0
		}},
	}
}

func auditEvent(id, project, action string) store.AuditEvent {
	return store.AuditEvent{
		ID: id, OccurredAt: base, ProjectID: &project, Actor: store.AuditActor{Type: "admin"},
		Action: action, Target: store.AuditTarget{Type: "api_key", ID: "key_x", Name: "x"},
		Changes: map[string]store.FieldChange{}, Outcome: "success",
	}
}

func outboxEvent(id, project, typ string) store.OutboxEvent {
	return store.OutboxEvent{ID: id, ProjectID: project, Type: typ, Payload: []byte(`{"id":"` + id + `"}`), CreatedAt: base}
}

func allAuditEvents(t *testing.T, s store.Store) []store.AuditEvent {
	t.Helper()
	events, err := s.ListAuditEvents(context.Background(), store.AuditEventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func allOutboxEvents(t *testing.T, s store.Store) []store.OutboxEvent {
	t.Helper()
	events, err := s.ListOutboxEvents(context.Background(), store.OutboxFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func auditIDs(events []store.AuditEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	slices.Sort(out)
	return out
}

func outboxIDs(events []store.OutboxEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	slices.Sort(out)
	return out
}

// testChangesCommitWithTheWrite: each mutation writes exactly the events it is given.
func testChangesCommitWithTheWrite(t *testing.T, open func(t *testing.T) store.Store) {
	for _, m := range mutations() {
		t.Run(m.name, func(t *testing.T) {
			s := open(t)
			changesFixture(t, s)
			ch := store.Changes{
				Audit:  []store.AuditEvent{auditEvent("aud_a", "prj_1", "test.a"), auditEvent("aud_b", "prj_1", "test.b")},
				Outbox: []store.OutboxEvent{outboxEvent("evt_a", "prj_1", "test.a")},
			}
			if err := m.do(t, s, ch); err != nil {
				t.Fatal(err)
			}
			if !m.applied(t, s) {
				t.Fatal("the change is not there")
			}
			if got := auditIDs(allAuditEvents(t, s)); !slices.Equal(got, []string{"aud_a", "aud_b"}) {
				t.Errorf("audit events = %v, want [aud_a aud_b]", got)
			}
			if got := outboxIDs(allOutboxEvents(t, s)); !slices.Equal(got, []string{"evt_a"}) {
				t.Errorf("outbox events = %v, want [evt_a]", got)
			}
		})
	}
}

// testChangesRollBackWithTheWrite: each mutation whose last event insert fails (an outbox id
// that is taken) leaves neither the change nor any of its events, and the failure is not
// mistaken for a conflict or a missing row.
func testChangesRollBackWithTheWrite(t *testing.T, open func(t *testing.T) store.Store) {
	for _, m := range mutations() {
		t.Run(m.name, func(t *testing.T) {
			s := open(t)
			changesFixture(t, s)
			ctx := context.Background()
			taken := store.Changes{Audit: []store.AuditEvent{auditEvent("aud_taken", "prj_1", "test.taken")},
				Outbox: []store.OutboxEvent{outboxEvent("evt_taken", "prj_1", "test.taken")}}
			if err := s.RecordChanges(ctx, taken); err != nil {
				t.Fatal(err)
			}
			ch := store.Changes{
				Audit: []store.AuditEvent{auditEvent("aud_a", "prj_1", "test.a")},
				Outbox: []store.OutboxEvent{outboxEvent("evt_a", "prj_1", "test.a"),
					outboxEvent("evt_taken", "prj_1", "test.again")},
			}
			err := m.do(t, s, ch)
			if err == nil {
				t.Fatal("the write succeeded although its last event could not be written")
			}
			if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
				t.Errorf("a failed event insert reads as a store sentinel: %v", err)
			}
			if m.applied(t, s) {
				t.Error("the change is there although its events were not written")
			}
			if got := auditIDs(allAuditEvents(t, s)); !slices.Equal(got, []string{"aud_taken"}) {
				t.Errorf("audit events = %v, want only [aud_taken]", got)
			}
			if got := outboxIDs(allOutboxEvents(t, s)); !slices.Equal(got, []string{"evt_taken"}) {
				t.Errorf("outbox events = %v, want only [evt_taken]", got)
			}
			// The store is still usable, and the same write with good events succeeds.
			ch.Outbox = ch.Outbox[:1]
			if err := m.do(t, s, ch); err != nil {
				t.Fatalf("the write again, with events that can be written: %v", err)
			}
			if !m.applied(t, s) {
				t.Error("the change is not there after the retry")
			}
		})
	}
}

// testChangesOfRefusedWrites: a write that changes nothing (a conditional write whose condition
// fails, a missing row) writes none of its events.
func testChangesOfRefusedWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	n := 0
	ch := func() store.Changes {
		n++
		return store.Changes{Audit: []store.AuditEvent{auditEvent(fmt.Sprintf("aud_%d", n), "prj_1", "test")},
			Outbox: []store.OutboxEvent{outboxEvent(fmt.Sprintf("evt_%d", n), "prj_1", "test")}}
	}
	stale := newKey("key_1", "prj_1", "one")
	stale.Version = 7
	refused := map[string]error{
		"UpdateAPIKey at a stale version": s.UpdateAPIKey(ctx, stale, ch()),
		"CreateAPIKey with a taken name":  s.CreateAPIKey(ctx, newKey("key_dup", "prj_1", "one"), ch()),
		"UpdateProject of a missing one":  s.UpdateProject(ctx, store.Project{ID: "prj_x", Name: "x"}, ch()),
		"DeleteEnvironment of a missing":  s.DeleteEnvironment(ctx, "env_x", base, ch()),
		"RevokeAPIKeys with a missing id": s.RevokeAPIKeys(ctx, []string{"key_1", "key_x"}, base, ch()),
		"MarkExpiryEvent of a changed expiry": s.MarkExpiryEvent(ctx, store.ExpiryEventExpired,
			store.APIKey{ID: "key_1", ExpiresAt: ptr(base.Add(5 * time.Hour))}, ch()),
	}
	for what, err := range refused {
		if err == nil {
			t.Errorf("%s: succeeded", what)
		}
	}
	if got := allAuditEvents(t, s); len(got) != 0 {
		t.Errorf("refused writes left %d audit events: %v", len(got), auditIDs(got))
	}
	if got := allOutboxEvents(t, s); len(got) != 0 {
		t.Errorf("refused writes left %d outbox events: %v", len(got), outboxIDs(got))
	}
}

// testForRevokedKey: the writes that revoke keys call ForRevokedKey once for each key they
// revoke, with the key as revoked, and not for keys revoked before.
func testForRevokedKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	second := newKey("key_sa2", "prj_1", "robot-key-2")
	second.ServiceAccountID = ptr("sa_1")
	mustKey(t, s, second)
	gone := newKey("key_gone", "prj_1", "gone")
	gone.ServiceAccountID = ptr("sa_1")
	mustKey(t, s, gone)
	if err := s.RevokeAPIKeys(ctx, []string{"key_gone"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	at := base.Add(time.Minute)
	var seen []string
	forKey := func(k store.APIKey) store.Changes {
		seen = append(seen, k.ID)
		if k.RevokedAt == nil || !k.RevokedAt.Equal(at) {
			t.Errorf("ForRevokedKey got %s with revoked_at %v, want %v", k.ID, k.RevokedAt, at)
		}
		return store.Changes{Audit: []store.AuditEvent{auditEvent("aud_"+k.ID, k.ProjectID, "api_key.revoke")},
			Outbox: []store.OutboxEvent{outboxEvent("evt_"+k.ID, k.ProjectID, "api_key.revoked")}}
	}
	err := s.DeleteServiceAccount(ctx, "sa_1", at, store.Changes{
		Audit: []store.AuditEvent{auditEvent("aud_sa", "prj_1", "service_account.delete")}, ForRevokedKey: forKey})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if want := []string{"key_sa", "key_sa2"}; !slices.Equal(seen, want) {
		t.Errorf("ForRevokedKey saw %v, want %v (key_gone was revoked before)", seen, want)
	}
	if got, want := auditIDs(allAuditEvents(t, s)), []string{"aud_key_sa", "aud_key_sa2", "aud_sa"}; !slices.Equal(got, want) {
		t.Errorf("audit events = %v, want %v", got, want)
	}
	if got, want := outboxIDs(allOutboxEvents(t, s)), []string{"evt_key_sa", "evt_key_sa2"}; !slices.Equal(got, want) {
		t.Errorf("outbox events = %v, want %v", got, want)
	}

	// A revocation of a key already revoked, beside a live one: only the live one is passed.
	seen = nil
	if err := s.RevokeAPIKeys(ctx, []string{"key_sa", "key_1"}, at, store.Changes{ForRevokedKey: forKey}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []string{"key_1"}) {
		t.Errorf("RevokeAPIKeys passed %v, want [key_1]", seen)
	}
}

// testOutboxNeedsEventsWebhook: outbox events of a project without an events webhook are not
// written; audit events are.
func testOutboxNeedsEventsWebhook(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	err := s.RecordChanges(ctx, store.Changes{
		Audit:  []store.AuditEvent{auditEvent("aud_2", "prj_2", "test")},
		Outbox: []store.OutboxEvent{outboxEvent("evt_1", "prj_1", "test"), outboxEvent("evt_2", "prj_2", "test")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := outboxIDs(allOutboxEvents(t, s)); !slices.Equal(got, []string{"evt_1"}) {
		t.Errorf("outbox = %v, want [evt_1]: prj_2 has no events webhook", got)
	}
	if got := auditIDs(allAuditEvents(t, s)); !slices.Equal(got, []string{"aud_2"}) {
		t.Errorf("audit events = %v, want [aud_2]", got)
	}
	// The URL is stored, read back and cleared by UpdateProject.
	p, err := s.GetProject(ctx, "prj_1")
	if err != nil || p.EventsWebhookURL == nil || *p.EventsWebhookURL != webhookURL {
		t.Fatalf("events_webhook_url = %v, %v", p.EventsWebhookURL, err)
	}
	p.EventsWebhookURL = nil
	if err := s.UpdateProject(ctx, p, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.GetProject(ctx, "prj_1"); p.EventsWebhookURL != nil {
		t.Fatalf("events_webhook_url not cleared: %q", *p.EventsWebhookURL)
	}
}
