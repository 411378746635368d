package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// racers is how many goroutines race for one row. A store shared by several
// server replicas sees races like these between its connections.
const racers = 20

// race runs fn(i) for i in [0, n) at once and returns the errors by i.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// oneWinner fails unless exactly one error is nil and every other is ErrConflict.
func oneWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("%s: both %d and %d succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("%s: racer %d: %v, want ErrConflict", what, i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: nobody succeeded", what)
	}
	return winner
}

// testConcurrentRotate: of many rotations of one key, exactly one commits;
// the others are refused whole, leaving no successor behind.
func testConcurrentRotate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_old", "prj_1", "svc"))
	errs := race(racers, func(i int) error {
		old, err := s.GetAPIKey(ctx, "key_old")
		if err != nil {
			return err
		}
		next := newKey(fmt.Sprintf("key_next_%02d", i), "prj_1", "svc")
		old.ReplacedByKeyID, old.GraceExpiresAt, old.UpdatedAt = &next.ID, ptr(base.Add(time.Hour)), base.Add(time.Second)
		return s.RotateAPIKey(ctx, old, next, store.Changes{})
	})
	w := oneWinner(t, "concurrent rotations", errs)
	winner := fmt.Sprintf("key_next_%02d", w)
	old, _ := s.GetAPIKey(ctx, "key_old")
	if old.ReplacedByKeyID == nil || *old.ReplacedByKeyID != winner {
		t.Fatalf("old key replaced by %v, want %s", old.ReplacedByKeyID, winner)
	}
	all, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", IncludeRevoked: true, Limit: 100})
	if err != nil || len(all) != 2 {
		t.Fatalf("keys after the race: %v, %v; want key_old and %s", ids(all), err, winner)
	}
}

// testConcurrentCreateSameName: of many creates of one live name, exactly
// one commits.
func testConcurrentCreateSameName(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	errs := race(racers, func(i int) error {
		return s.CreateAPIKey(ctx, newKey(fmt.Sprintf("key_%02d", i), "prj_1", "svc"), store.Changes{})
	})
	oneWinner(t, "concurrent creates", errs)
	live, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", Limit: 100})
	if err != nil || len(live) != 1 {
		t.Fatalf("live keys after the race: %v, %v", ids(live), err)
	}
}

// testConcurrentRevokeAndRotate: a revocation racing a rotation never
// leaves the old key usable without a record of either, and a refused
// rotation leaves no successor.
func testConcurrentRevokeAndRotate(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	for round := range 10 {
		oldID, nextID := fmt.Sprintf("key_%02d", round), fmt.Sprintf("key_%02d_next", round)
		old := mustKey(t, s, newKey(oldID, "prj_1", fmt.Sprintf("svc%d", round)))
		errs := race(2, func(i int) error {
			if i == 0 {
				return s.RevokeAPIKeys(ctx, []string{oldID}, base.Add(time.Minute), store.Changes{})
			}
			o := old
			o.ReplacedByKeyID, o.GraceExpiresAt, o.UpdatedAt = &nextID, ptr(base.Add(time.Hour)), base.Add(time.Second)
			return s.RotateAPIKey(ctx, o, newKey(nextID, "prj_1", old.Name), store.Changes{})
		})
		if errs[0] != nil {
			t.Fatalf("round %d: revoke: %v", round, errs[0])
		}
		got, _ := s.GetAPIKey(ctx, oldID)
		if got.RevokedAt == nil {
			t.Fatalf("round %d: old key not revoked", round)
		}
		_, nextErr := s.GetAPIKey(ctx, nextID)
		switch {
		case errs[1] == nil && nextErr != nil:
			t.Fatalf("round %d: rotation succeeded but the successor is missing: %v", round, nextErr)
		case errs[1] != nil && !errors.Is(errs[1], store.ErrConflict):
			t.Fatalf("round %d: rotation: %v, want nil or ErrConflict", round, errs[1])
		case errs[1] != nil && !errors.Is(nextErr, store.ErrNotFound):
			t.Fatalf("round %d: refused rotation left a successor: %v", round, nextErr)
		}
	}
}

// testConcurrentDeleteServiceAccountAndCreateKey: a key created while its
// service account is being deleted either fails (the account is gone) or is
// revoked by the delete; it never outlives the account unrevoked.
func testConcurrentDeleteServiceAccountAndCreateKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	for round := range 10 {
		saID, keyID := fmt.Sprintf("sa_%02d", round), fmt.Sprintf("key_%02d", round)
		mustServiceAccount(t, s, saID, "prj_1", saID)
		errs := race(2, func(i int) error {
			if i == 0 {
				return s.DeleteServiceAccount(ctx, saID, base.Add(time.Minute), store.Changes{})
			}
			k := newKey(keyID, "prj_1", keyID)
			k.ServiceAccountID = &saID
			return s.CreateAPIKey(ctx, k, store.Changes{})
		})
		if errs[0] != nil {
			t.Fatalf("round %d: delete: %v", round, errs[0])
		}
		k, err := s.GetAPIKey(ctx, keyID)
		switch {
		case errs[1] == nil && (err != nil || k.RevokedAt == nil):
			t.Fatalf("round %d: key created under a deleted service account is not revoked: %+v, %v", round, k, err)
		case errs[1] != nil && !errors.Is(errs[1], store.ErrNotFound):
			t.Fatalf("round %d: create: %v, want nil or a MissingError", round, errs[1])
		}
	}
}

// testConcurrentDeleteEnvironmentAndCreateKey: deleting an environment and
// binding a new key to it never both succeed.
func testConcurrentDeleteEnvironmentAndCreateKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	for round := range 10 {
		envID, keyID := fmt.Sprintf("env_%02d", round), fmt.Sprintf("key_%02d", round)
		mustEnvironment(t, s, envID, "prj_1", envID)
		errs := race(2, func(i int) error {
			if i == 0 {
				return s.DeleteEnvironment(ctx, envID, base.Add(time.Minute), store.Changes{})
			}
			k := newKey(keyID, "prj_1", keyID)
			k.EnvironmentID = &envID
			return s.CreateAPIKey(ctx, k, store.Changes{})
		})
		deleted, created := errs[0] == nil, errs[1] == nil
		switch {
		case deleted && created:
			t.Fatalf("round %d: environment deleted with a live key bound to it", round)
		case !deleted && !errors.Is(errs[0], store.ErrConflict):
			t.Fatalf("round %d: delete: %v", round, errs[0])
		case !created && !errors.Is(errs[1], store.ErrNotFound):
			t.Fatalf("round %d: create: %v", round, errs[1])
		case !deleted && !created:
			t.Fatalf("round %d: both refused", round)
		}
	}
}
