package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testTouchAPIKeys: a batch sets last_used_at on every listed key, never
// moves it back, ignores unknown ids, and touches nothing else.
func testTouchAPIKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	const n = 1203 // more than one SQLite statement's worth
	var uses []store.KeyUse
	for i := range n {
		k := mustKey(t, s, newKey(fmt.Sprintf("key_%04d", i), "prj_1", fmt.Sprintf("k%04d", i)))
		uses = append(uses, store.KeyUse{ID: k.ID, At: base.Add(time.Duration(i) * time.Microsecond)})
	}
	mustKey(t, s, newKey("key_untouched", "prj_1", "untouched"))
	if err := s.TouchAPIKeys(ctx, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	uses = append(uses, store.KeyUse{ID: "key_unknown", At: base})
	if err := s.TouchAPIKeys(ctx, uses); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 499, 500, 1000, n - 1} {
		k, _ := s.GetAPIKey(ctx, uses[i].ID)
		if k.LastUsedAt == nil || !k.LastUsedAt.Equal(uses[i].At) {
			t.Fatalf("%s: LastUsedAt = %v, want %v", k.ID, k.LastUsedAt, uses[i].At)
		}
		if !k.UpdatedAt.Equal(base) {
			t.Fatalf("%s: a use changed updated_at to %v", k.ID, k.UpdatedAt)
		}
	}
	if k, _ := s.GetAPIKey(ctx, "key_untouched"); k.LastUsedAt != nil {
		t.Fatalf("key not in the batch touched: %v", k.LastUsedAt)
	}

	// An older use, e.g. a slower replica's batch, does not move it back.
	later := base.Add(time.Hour)
	if err := s.TouchAPIKeys(ctx, []store.KeyUse{{ID: "key_0000", At: later}, {ID: "key_0001", At: later}}); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIKeys(ctx, []store.KeyUse{{ID: "key_0000", At: base.Add(time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"key_0000", "key_0001"} {
		if k, _ := s.GetAPIKey(ctx, id); !k.LastUsedAt.Equal(later) {
			t.Fatalf("%s: LastUsedAt = %v, want %v", id, k.LastUsedAt, later)
		}
	}
	// Revoked and replaced keys keep recording uses (a key in its grace period still verifies).
	if err := s.RevokeAPIKeys(ctx, []string{"key_0002"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIKeys(ctx, []store.KeyUse{{ID: "key_0002", At: later}}); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.GetAPIKey(ctx, "key_0002"); !k.LastUsedAt.Equal(later) {
		t.Fatalf("revoked key: LastUsedAt = %v", k.LastUsedAt)
	}
}

// testConcurrentTouches: replicas flushing overlapping batches in opposite
// orders all succeed (no deadlock surfaces as an error), and the latest use
// of each key wins.
func testConcurrentTouches(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	const keys = 50
	for i := range keys {
		mustKey(t, s, newKey(fmt.Sprintf("key_%02d", i), "prj_1", fmt.Sprintf("k%02d", i)))
	}
	errs := race(racers, func(r int) error {
		uses := make([]store.KeyUse, keys)
		for i := range keys {
			j := i
			if r%2 == 1 {
				j = keys - 1 - i
			}
			uses[i] = store.KeyUse{ID: fmt.Sprintf("key_%02d", j), At: base.Add(time.Duration(r) * time.Second)}
		}
		return s.TouchAPIKeys(ctx, uses)
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", r, err)
		}
	}
	want := base.Add((racers - 1) * time.Second)
	for i := range keys {
		k, _ := s.GetAPIKey(ctx, fmt.Sprintf("key_%02d", i))
		if k.LastUsedAt == nil || !k.LastUsedAt.Equal(want) {
			t.Fatalf("%s: LastUsedAt = %v, want the latest use %v", k.ID, k.LastUsedAt, want)
		}
	}
}
