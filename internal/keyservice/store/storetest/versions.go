package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testAPIKeyVersions: a new key is at Version 1; every write of the key (update, rotation,
// revocation) adds one; a write conditioned on a Version that is no longer
// current changes nothing and gives ErrConflict.
func testAPIKeyVersions(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_1", "prj_1", "a"))
	version := func(id string) int64 {
		t.Helper()
		k, err := s.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return k.Version
	}
	if v := version("key_1"); v != 1 {
		t.Fatalf("new key at version %d, want 1", v)
	}
	read, _ := s.GetAPIKey(ctx, "key_1")
	stale := read

	read.Description = "first"
	if err := s.UpdateAPIKey(ctx, read, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if v := version("key_1"); v != 2 {
		t.Fatalf("after an update at version %d, want 2", v)
	}
	stale.Description = "lost update"
	if err := s.UpdateAPIKey(ctx, stale, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update at a stale version: %v, want ErrConflict", err)
	}
	if k, _ := s.GetAPIKey(ctx, "key_1"); k.Description != "first" || k.Version != 2 {
		t.Fatalf("a stale update changed the key: %q at version %d", k.Description, k.Version)
	}
	// A rotation based on a stale read must not copy stale settings into the new key.
	old, _ := s.GetAPIKey(ctx, "key_1")
	staleOld := stale
	staleOld.ReplacedByKeyID, staleOld.GraceExpiresAt = ptr("key_2"), ptr(base.Add(time.Hour))
	if err := s.RotateAPIKey(ctx, staleOld, newKey("key_2", "prj_1", "a"), store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rotation at a stale version: %v, want ErrConflict", err)
	}
	old.ReplacedByKeyID, old.GraceExpiresAt = ptr("key_2"), ptr(base.Add(time.Hour))
	if err := s.RotateAPIKey(ctx, old, newKey("key_2", "prj_1", "a"), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if v, n := version("key_1"), version("key_2"); v != 3 || n != 1 {
		t.Fatalf("after rotation: old at %d (want 3), new at %d (want 1)", v, n)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_2"}, base.Add(2*time.Hour), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if v := version("key_2"); v != 2 {
		t.Fatalf("after revocation at %d, want 2", v)
	}
	// Revoking again changes nothing, so the version stays.
	if err := s.RevokeAPIKeys(ctx, []string{"key_2"}, base.Add(3*time.Hour), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if v := version("key_2"); v != 2 {
		t.Fatalf("a repeated revocation moved the version to %d", v)
	}

	// Version 0: unconditional, for callers that never read the key.
	mustKey(t, s, newKey("key_3", "prj_1", "c"))
	blind := newKey("key_3", "prj_1", "c")
	blind.Description = "blind"
	if err := s.UpdateAPIKey(ctx, blind, store.Changes{}); err != nil {
		t.Fatalf("an update at version 0: %v", err)
	}
	if v := version("key_3"); v != 2 {
		t.Fatalf("after a version-0 update at %d, want 2", v)
	}
}

// testConcurrentConditionalUpdates: of many writers that read the same version, exactly one
// wins; the others get ErrConflict. No update is lost silently.
func testConcurrentConditionalUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustKey(t, s, newKey("key_1", "prj_1", "a"))
	read, err := s.GetAPIKey(ctx, "key_1")
	if err != nil {
		t.Fatal(err)
	}
	const writers = 16
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := read
			k.Description = string(rune('a' + i))
			err := s.UpdateAPIKey(ctx, k, store.Changes{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				lost++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != writers-1 {
		t.Fatalf("%d writers won and %d got ErrConflict; want 1 and %d", won, lost, writers-1)
	}
	if k, _ := s.GetAPIKey(ctx, "key_1"); k.Version != 2 {
		t.Fatalf("version %d after one winning write, want 2", k.Version)
	}
}

// testProjectOTPSecret: the sealed TOTP secret is stored opaque, read back by get and list,
// cleared with nil, and only on live projects.
func testProjectOTPSecret(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := mustProject(t, s, "prj_1", "one")
	if got, _ := s.GetProject(ctx, p.ID); got.OTPSecret != nil {
		t.Fatalf("new project has an OTP secret: %v", got.OTPSecret)
	}
	at := base.Add(time.Minute)
	if err := s.SetProjectOTPSecret(ctx, p.ID, []byte{0, 1, 2, 255}, at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProject(ctx, p.ID)
	if err != nil || string(got.OTPSecret) != "\x00\x01\x02\xff" || !got.UpdatedAt.Equal(at) {
		t.Fatalf("after SetProjectOTPSecret: %v %v %v", got.OTPSecret, got.UpdatedAt, err)
	}
	if list, _ := s.ListProjects(ctx, store.ProjectFilter{Limit: 10}); len(list) != 1 || list[0].OTPSecret == nil {
		t.Fatalf("ListProjects lost the OTP secret: %+v", list)
	}
	if err := s.SetProjectOTPSecret(ctx, p.ID, nil, at.Add(time.Minute), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetProject(ctx, p.ID); got.OTPSecret != nil {
		t.Fatalf("a cleared OTP secret reads back %v", got.OTPSecret)
	}
	if err := s.SetProjectOTPSecret(ctx, "prj_x", []byte("x"), at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown project: %v", err)
	}
	if err := s.DeleteProject(ctx, p.ID, at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProjectOTPSecret(ctx, p.ID, []byte("x"), at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted project: %v", err)
	}
}
