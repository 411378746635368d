package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testNameUniquenessRules: live names are unique per project and
// case-sensitive; renames are held to the same rule; a name leaves the live
// set with a revocation, and passes to the successor with a rotation.
func testNameUniquenessRules(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_lower", "prj_1", "deploy"))
	mustKey(t, s, newKey("key_upper", "prj_1", "Deploy")) // differs only in case: allowed
	other := mustKey(t, s, newKey("key_other", "prj_1", "other"))

	other.Name, other.UpdatedAt = "deploy", base.Add(time.Minute)
	if err := s.UpdateAPIKey(ctx, other, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rename onto a live name: %v", err)
	}
	if k, _ := s.GetAPIKey(ctx, "key_other"); k.Name != "other" {
		t.Fatalf("refused rename changed the name to %q", k.Name)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_lower"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateAPIKey(ctx, other, store.Changes{}); err != nil {
		t.Fatalf("rename onto a revoked key's name: %v", err)
	}

	// After a rotation the successor holds the name; the replaced key does not.
	old, _ := s.GetAPIKey(ctx, "key_upper")
	old.ReplacedByKeyID, old.GraceExpiresAt = ptr("key_next"), ptr(base.Add(time.Hour))
	if err := s.RotateAPIKey(ctx, old, newKey("key_next", "prj_1", "Deploy"), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIKey(ctx, newKey("key_dup", "prj_1", "Deploy"), store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("create with the successor's name: %v", err)
	}
	live, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", Name: ptr("Deploy"), Limit: 10})
	if err != nil || len(live) != 1 || live[0].ID != "key_next" {
		t.Fatalf("live keys named Deploy: %v, %v", ids(live), err)
	}
	all, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", Name: ptr("Deploy"), IncludeRevoked: true, Limit: 10})
	if err != nil || len(all) != 2 {
		t.Fatalf("all keys named Deploy: %v, %v", ids(all), err)
	}
}

// testIdempotencyRecords: records are per principal, bytes round-trip
// exactly, and expiry is inclusive of its instant.
func testIdempotencyRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	body := []byte{0, 1, 2, 0xff, 0xfe, 0, 'x'}
	hash := make([]byte, 32)
	for i := range hash {
		hash[i] = byte(255 - i)
	}
	for _, p := range []string{"admin", "key:key_1"} {
		rec := store.IdempotencyRecord{Principal: p, Key: "same", RequestHash: hash, Status: 201, Body: body,
			Projects: []string{"prj_1", "prj_2"}, CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
		if err := s.PutIdempotencyRecord(ctx, rec); err != nil {
			t.Fatalf("put for %s: %v", p, err)
		}
	}
	got, err := s.GetIdempotencyRecord(ctx, "key:key_1", "same")
	if err != nil || string(got.Body) != string(body) || string(got.RequestHash) != string(hash) ||
		!got.CreatedAt.Equal(base) || got.Status != 201 || !slices.Equal(got.Projects, []string{"prj_1", "prj_2"}) {
		t.Fatalf("GetIdempotencyRecord = %+v, %v", got, err)
	}
	later := store.IdempotencyRecord{Principal: "admin", Key: "later", RequestHash: hash, Status: 200, Body: []byte("{}"),
		CreatedAt: base, ExpiresAt: base.Add(time.Hour + time.Microsecond)}
	if err := s.PutIdempotencyRecord(ctx, later); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpiredIdempotencyRecords(ctx, base.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpired at the expiry instant = %d, %v; want 2", n, err)
	}
	if got, err := s.GetIdempotencyRecord(ctx, "admin", "later"); err != nil || len(got.Projects) != 0 {
		t.Fatalf("record expiring a microsecond later was deleted, or changed no project but reads back %v: %v", got.Projects, err)
	}
	if err := s.DeleteIdempotencyRecord(ctx, "admin", "later"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIdempotencyRecord(ctx, later); err != nil {
		t.Fatalf("put after delete: %v", err)
	}
}
