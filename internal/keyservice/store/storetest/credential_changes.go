package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testCredentialChanges: every write that changes what GetCredential answers for a key reports
// a change covering that key before its call returns (the server drops its memory of the key
// on it), and the writes that change nothing a verification reads report nothing covering it
// (so the server keeps its memory through them).
func testCredentialChanges(t *testing.T, s store.Store) {
	w, ok := s.(store.CredentialChanges)
	if !ok {
		t.Fatal("the store does not report its credential changes (store.CredentialChanges)")
	}
	var (
		mu  sync.Mutex
		got []store.CredentialChange
	)
	live := w.WatchCredentials(func(c store.CredentialChange) {
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
	})
	// A shared store registers its listener first; this only guards against a hang.
	for deadline := time.Now().Add(30 * time.Second); !live(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the store never became live")
		}
	}
	take := func() []store.CredentialChange {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
	covers := func(changes []store.CredentialChange, k store.APIKey) bool {
		for _, c := range changes {
			if c.All || slices.Contains(c.KeyIDs, k.ID) || slices.Contains(c.ProjectIDs, k.ProjectID) ||
				(k.ServiceAccountID != nil && slices.Contains(c.ServiceAccountIDs, *k.ServiceAccountID)) {
				return true
			}
		}
		return false
	}
	ctx := context.Background()
	at := base.Add(time.Hour)

	mustProject(t, s, "prj_cc", "cc")
	mustServiceAccount(t, s, "sa_cc", "prj_cc", "robot")
	key := newKey("key_cc", "prj_cc", "watched")
	key.ServiceAccountID = ptr("sa_cc")
	mustKey(t, s, key)
	take()

	mustNotCover := func(what string, write func() error) {
		t.Helper()
		take()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if c := take(); covers(c, key) {
			t.Errorf("%s reported %+v, which drops the unrelated key", what, c)
		}
	}
	mustCover := func(what string, k store.APIKey, write func() error) {
		t.Helper()
		take()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if c := take(); !covers(c, k) {
			t.Errorf("%s reported %+v by the time it returned, which does not cover key %s", what, c, k.ID)
		}
	}

	mustNotCover("CreateProject", func() error {
		return s.CreateProject(ctx, store.Project{ID: "prj_other", Name: "other", CreatedAt: base, UpdatedAt: base}, store.Changes{})
	})
	mustNotCover("UpdateProject", func() error {
		return s.UpdateProject(ctx, store.Project{ID: "prj_cc", Name: "cc", Description: "renamed", UpdatedAt: at}, store.Changes{})
	})
	other := newKey("key_other", "prj_cc", "other")
	mustNotCover("CreateAPIKey of another key", func() error { return s.CreateAPIKey(ctx, other, store.Changes{}) })
	mustNotCover("CreateServiceAccount", func() error {
		return s.CreateServiceAccount(ctx, store.ServiceAccount{ID: "sa_other", ProjectID: "prj_cc", Name: "other", Active: true, CreatedAt: base, UpdatedAt: base}, store.Changes{})
	})
	mustNotCover("TouchAPIKeys", func() error { return s.TouchAPIKeys(ctx, []store.KeyUse{{ID: key.ID, At: at}}) })
	mustNotCover("RevokeAPIKeys of another key", func() error { return s.RevokeAPIKeys(ctx, []string{other.ID}, at, store.Changes{}) })

	updated := key
	updated.Scopes = []string{"write"}
	updated.UpdatedAt = at
	mustCover("UpdateAPIKey", key, func() error { return s.UpdateAPIKey(ctx, updated, store.Changes{}) })
	mustCover("UpdateServiceAccount", key, func() error {
		return s.UpdateServiceAccount(ctx, store.ServiceAccount{ID: "sa_cc", ProjectID: "prj_cc", Name: "robot", Active: false, UpdatedAt: at}, store.Changes{})
	})

	rotated := newKey("key_cc2", "prj_cc", "rotating")
	mustKey(t, s, rotated)
	old := rotated
	old.GraceExpiresAt, old.UpdatedAt = nil, at
	mustCover("RotateAPIKey", rotated, func() error {
		return s.RotateAPIKey(ctx, old, newKey("key_cc3", "prj_cc", "rotating"), store.Changes{})
	})
	mustCover("RevokeAPIKeys", key, func() error { return s.RevokeAPIKeys(ctx, []string{key.ID}, at, store.Changes{}) })

	bySA := newKey("key_cc4", "prj_cc", "by-sa")
	bySA.ServiceAccountID = ptr("sa_other")
	mustKey(t, s, bySA)
	mustCover("DeleteServiceAccount", bySA, func() error { return s.DeleteServiceAccount(ctx, "sa_other", at, store.Changes{}) })
	inProject := mustKey(t, s, newKey("key_cc5", "prj_cc", "in-project"))
	mustCover("DeleteProject", inProject, func() error { return s.DeleteProject(ctx, "prj_cc", at, store.Changes{}) })
}
