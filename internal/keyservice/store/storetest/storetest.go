// Package storetest is the conformance suite every store.Store
// implementation must pass.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Run runs the suite. open returns a fresh, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Projects", testProjects},
		{"DeleteProjectRevokesKeys", testDeleteProjectRevokesKeys},
		{"APIKeyRoundTrip", testAPIKeyRoundTrip},
		{"LiveNameUnique", testLiveNameUnique},
		{"Rotate", testRotate},
		{"RevokeAllOrNothing", testRevokeAllOrNothing},
		{"ListPagingAndFilters", testList},
		{"Idempotency", testIdempotency},
		{"ProjectWebhookSecret", testProjectWebhookSecret},
		{"ServiceAccounts", testServiceAccounts},
		{"ServiceAccountListPagingAndFilters", testServiceAccountList},
		{"DeleteServiceAccountRevokesKeys", testDeleteServiceAccountRevokesKeys},
		{"Environments", testEnvironments},
		{"DeleteEnvironmentWithBoundKeys", testDeleteEnvironmentWithBoundKeys},
		{"CreateAPIKeyChecksReferences", testCreateAPIKeyChecksReferences},
		{"DeleteProjectCascades", testDeleteProjectCascades},
		{"Credential", testCredential},
		{"DueKeys", testDueKeys},
		{"ListOrder", testListOrder},
		{"TimePrecision", testTimePrecision},
		{"NameUniquenessRules", testNameUniquenessRules},
		{"IdempotencyRecords", testIdempotencyRecords},
		{"TouchAPIKeys", testTouchAPIKeys},
		{"ConcurrentTouches", testConcurrentTouches},
		{"ConcurrentRotate", testConcurrentRotate},
		{"ConcurrentCreateSameName", testConcurrentCreateSameName},
		{"ConcurrentRevokeAndRotate", testConcurrentRevokeAndRotate},
		{"ConcurrentDeleteServiceAccountAndCreateKey", testConcurrentDeleteServiceAccountAndCreateKey},
		{"ConcurrentDeleteEnvironmentAndCreateKey", testConcurrentDeleteEnvironmentAndCreateKey},
		{"APIKeyVersions", testAPIKeyVersions},
		{"ConcurrentConditionalUpdates", testConcurrentConditionalUpdates},
		{"ProjectOTPSecret", testProjectOTPSecret},
		{"OTPSteps", testOTPSteps},
		{"ConcurrentOTPStep", testConcurrentOTPStep},
		{"OTPFailures", testOTPFailures},
		{"ListContract/APIKeys", testAPIKeyListContract},
		{"ListContract/ServiceAccounts", testServiceAccountListContract},
		{"ListContract/Environments", testEnvironmentListContract},
		{"ListContract/Projects", testProjectListContract},
		{"ListContract/DueKeys", testDueKeyListContract},
		{"Changes/OfRefusedWrites", testChangesOfRefusedWrites},
		{"Changes/ForRevokedKey", testForRevokedKey},
		{"Changes/OutboxNeedsEventsWebhook", testOutboxNeedsEventsWebhook},
		{"AuditEvents/RoundTrip", testAuditEventRoundTrip},
		{"AuditEvents/Prune", testAuditEventPrune},
		{"ListContract/AuditEvents", testAuditEventListContract},
		{"Outbox/Claims", testOutboxClaims},
		{"Outbox/ConcurrentClaims", testConcurrentOutboxClaims},
		{"ExpiryEvents", testExpiryEvents},
		{"ConcurrentExpiryEvents", testConcurrentExpiryEvents},
		{"CredentialChanges", testCredentialChanges},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
	// Tests that open a fresh store per subtest.
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Changes/CommitWithTheWrite", testChangesCommitWithTheWrite},
		{"Changes/RollBackWithTheWrite", testChangesRollBackWithTheWrite},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var base = time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)

func ptr[T any](v T) *T { return &v }

func mustProject(t *testing.T, s store.Store, id, name string) store.Project {
	t.Helper()
	p := store.Project{ID: id, Name: name, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateProject(context.Background(), p, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	return p
}

func newKey(id, project, name string) store.APIKey {
	return store.APIKey{
		ID: id, ProjectID: project, Name: name, KeyPrefix: "ks_" + id, KeyHash: "hash-" + id,
		HashVersion: store.HashVersionHMACSHA256, Scopes: []string{}, Active: true,
		CreatedAt: base, UpdatedAt: base,
	}
}

func mustKey(t *testing.T, s store.Store, k store.APIKey) store.APIKey {
	t.Helper()
	if err := s.CreateAPIKey(context.Background(), k, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	return k
}

func testProjects(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := mustProject(t, s, "prj_1", "one")
	got, err := s.GetProject(ctx, p.ID)
	if err != nil || got.Name != "one" || !got.CreatedAt.Equal(base) || got.DeletedAt != nil {
		t.Fatalf("GetProject = %+v, %v", got, err)
	}
	if _, err := s.GetProject(ctx, "prj_x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	if err := s.CreateProject(ctx, store.Project{ID: "prj_2", Name: "one", CreatedAt: base, UpdatedAt: base}, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate name: %v", err)
	}
	p.Description = "d"
	if err := s.UpdateProject(ctx, p, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateProject(ctx, store.Project{ID: "prj_x", Name: "x"}, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if err := s.DeleteProject(ctx, p.ID, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProject(ctx, p.ID, base, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	got, _ = s.GetProject(ctx, p.ID)
	if got.DeletedAt == nil {
		t.Fatal("DeletedAt not set")
	}
	// The name is free again.
	mustProject(t, s, "prj_3", "one")
	list, err := s.ListProjects(ctx, store.ProjectFilter{Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != "prj_3" {
		t.Fatalf("ListProjects = %+v, %v", list, err)
	}
}

func testDeleteProjectRevokesKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_1", "prj_1", "a"))
	at := base.Add(time.Hour)
	if err := s.DeleteProject(ctx, "prj_1", at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	k, err := s.GetAPIKey(ctx, "key_1")
	if err != nil || k.RevokedAt == nil || !k.RevokedAt.Equal(at) {
		t.Fatalf("key after project delete: %+v, %v", k, err)
	}
}

func testAPIKeyRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	k := newKey("key_1", "prj_1", "a")
	k.ServiceAccountID = ptr("sa_1")
	k.Scopes = []string{"read", "write"}
	k.ExpiresAt = ptr(base.Add(time.Hour))
	k.RotationIntervalDays = ptr(3)
	k.NextRotationAt = ptr(base.AddDate(0, 0, 3))
	k.RotationWebhookURL = ptr("https://example.com")
	mustKey(t, s, k)

	for _, get := range []func() (store.APIKey, error){
		func() (store.APIKey, error) { return s.GetAPIKey(ctx, k.ID) },
		func() (store.APIKey, error) { c, err := s.GetCredential(ctx, k.KeyHash); return c.Key, err },
	} {
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if !equalKeys(got, k) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, k)
		}
	}
	if _, err := s.GetCredential(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing hash: %v", err)
	}
	if err := s.TouchAPIKeys(ctx, []store.KeyUse{{ID: k.ID, At: base.Add(time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetAPIKey(ctx, k.ID)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("LastUsedAt = %v", got.LastUsedAt)
	}
	got.Active = false
	got.ExpiresAt = nil
	got.Scopes = nil
	if err := s.UpdateAPIKey(ctx, got, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetAPIKey(ctx, k.ID)
	if got.Active || got.ExpiresAt != nil || got.Scopes == nil || len(got.Scopes) != 0 {
		t.Fatalf("after update: %+v", got)
	}
	if err := s.RevokeAPIKeys(ctx, []string{k.ID}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateAPIKey(ctx, got, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update revoked key: %v", err)
	}
}

func equalKeys(a, b store.APIKey) bool {
	return fmt.Sprintf("%v %v %v %v %v %v", a.ID, a.Scopes, deref(a.ExpiresAt), deref(a.NextRotationAt), *a.RotationIntervalDays, *a.ServiceAccountID) ==
		fmt.Sprintf("%v %v %v %v %v %v", b.ID, b.Scopes, deref(b.ExpiresAt), deref(b.NextRotationAt), *b.RotationIntervalDays, *b.ServiceAccountID) &&
		a.CreatedAt.Equal(b.CreatedAt) && *a.RotationWebhookURL == *b.RotationWebhookURL && a.Active == b.Active
}

func deref(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func testLiveNameUnique(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustKey(t, s, newKey("key_1", "prj_1", "a"))
	if err := s.CreateAPIKey(ctx, newKey("key_2", "prj_1", "a"), store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate live name: %v", err)
	}
	mustKey(t, s, newKey("key_3", "prj_2", "a"))
	if err := s.RevokeAPIKeys(ctx, []string{"key_1"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	mustKey(t, s, newKey("key_4", "prj_1", "a"))
	dup := newKey("key_5", "prj_1", "b")
	dup.KeyHash = "hash-key_4"
	if err := s.CreateAPIKey(ctx, dup, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate hash: %v", err)
	}
}

func testRotate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	old := mustKey(t, s, newKey("key_1", "prj_1", "a"))
	old.ReplacedByKeyID = ptr("key_2")
	old.GraceExpiresAt = ptr(base.Add(time.Minute))
	old.UpdatedAt = base.Add(time.Second)
	if err := s.RotateAPIKey(ctx, old, newKey("key_2", "prj_1", "a"), store.Changes{}); err != nil {
		t.Fatalf("rotate keeping the name: %v", err)
	}
	got, _ := s.GetAPIKey(ctx, "key_1")
	if got.ReplacedByKeyID == nil || *got.ReplacedByKeyID != "key_2" || !got.GraceExpiresAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("old key after rotate: %+v", got)
	}
	// Rotating the replaced key again is refused and writes nothing.
	old.ReplacedByKeyID = ptr("key_3")
	if err := s.RotateAPIKey(ctx, old, newKey("key_3", "prj_1", "a"), store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second rotate of old key: %v", err)
	}
	if _, err := s.GetAPIKey(ctx, "key_3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused rotation left a new key: %v", err)
	}
	// A failed insert rolls the old key's update back.
	next := mustKey(t, s, newKey("key_9", "prj_1", "z"))
	cur, _ := s.GetAPIKey(ctx, "key_2")
	cur.ReplacedByKeyID = ptr("key_4")
	bad := newKey("key_4", "prj_1", "a")
	bad.KeyHash = next.KeyHash
	if err := s.RotateAPIKey(ctx, cur, bad, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rotate with clashing hash: %v", err)
	}
	cur, _ = s.GetAPIKey(ctx, "key_2")
	if cur.ReplacedByKeyID != nil {
		t.Fatal("old key changed although the rotation failed")
	}
}

func testRevokeAllOrNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_1", "prj_1", "a"))
	err := s.RevokeAPIKeys(ctx, []string{"key_1", "key_missing"}, base, store.Changes{})
	var missing *store.MissingError
	if !errors.As(err, &missing) || missing.ID != "key_missing" || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RevokeAPIKeys with a missing id: %v", err)
	}
	if k, _ := s.GetAPIKey(ctx, "key_1"); k.RevokedAt != nil {
		t.Fatal("partial revoke")
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_1"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	// Revoking again keeps the first revocation time.
	if err := s.RevokeAPIKeys(ctx, []string{"key_1"}, base.Add(time.Hour), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.GetAPIKey(ctx, "key_1"); !k.RevokedAt.Equal(base) {
		t.Fatalf("revoked_at moved to %v", k.RevokedAt)
	}
}

func testList(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustKey(t, s, newKey("key_other", "prj_2", "x"))
	for i := range 10 {
		k := newKey(fmt.Sprintf("key_%02d", i), "prj_1", fmt.Sprintf("n%d", 9-i))
		k.CreatedAt = base.Add(time.Duration(i%3) * time.Second) // ties on purpose
		if i%2 == 0 {
			k.Scopes = []string{"even"}
			k.ExpiresAt = ptr(base.Add(time.Duration(i) * time.Hour))
		}
		mustKey(t, s, k)
	}
	for _, sortBy := range []store.APIKeySort{store.SortByCreatedAt, store.SortByName, store.SortByExpiresAt} {
		for _, desc := range []bool{false, true} {
			seen := map[string]bool{}
			var after *store.Cursor
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("no termination")
				}
				items, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", SortBy: sortBy, Descending: desc, After: after, Limit: 3})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range items {
					if seen[k.ID] {
						t.Fatalf("%s desc=%v: duplicate %s", sortBy, desc, k.ID)
					}
					seen[k.ID] = true
				}
				if len(items) < 3 {
					break
				}
				c := sortBy.CursorAfter(items[len(items)-1])
				after = &c
			}
			if len(seen) != 10 {
				t.Fatalf("%s desc=%v: saw %d keys, want 10", sortBy, desc, len(seen))
			}
		}
	}
	items, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", Scope: ptr("even"), Limit: 100})
	if err != nil || len(items) != 5 {
		t.Fatalf("scope filter: %d, %v", len(items), err)
	}
	items, _ = s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", NamePrefix: ptr("n1"), Limit: 100})
	if len(items) != 1 {
		t.Fatalf("prefix filter: %d", len(items))
	}
	items, _ = s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", ExpiresBefore: ptr(base.Add(3 * time.Hour)), Limit: 100})
	if len(items) != 2 {
		t.Fatalf("expires_before filter: %d", len(items))
	}
}

func testIdempotency(t *testing.T, s store.Store) {
	ctx := context.Background()
	rec := store.IdempotencyRecord{
		Principal: "admin", Key: "k1", RequestHash: []byte{1, 2, 3}, Status: 201,
		Body: []byte("sealed"), CreatedAt: base, ExpiresAt: base.Add(time.Hour),
	}
	if err := s.PutIdempotencyRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIdempotencyRecord(ctx, rec); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate record: %v", err)
	}
	got, err := s.GetIdempotencyRecord(ctx, "admin", "k1")
	if err != nil || got.Status != 201 || string(got.Body) != "sealed" || !got.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Fatalf("GetIdempotencyRecord = %+v, %v", got, err)
	}
	if _, err := s.GetIdempotencyRecord(ctx, "key:x", "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other principal: %v", err)
	}
	n, err := s.DeleteExpiredIdempotencyRecords(ctx, base.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v", n, err)
	}
	if err := s.DeleteIdempotencyRecord(ctx, "admin", "k1"); err != nil {
		t.Fatal(err)
	}
}
