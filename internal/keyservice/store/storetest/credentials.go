package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func testCredential(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	sa := mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	mustKey(t, s, newKey("key_plain", "prj_1", "plain"))
	owned := newKey("key_owned", "prj_1", "owned")
	owned.ServiceAccountID = ptr("sa_1")
	mustKey(t, s, owned)

	check := func(hash string, wantID string, wantProject, wantSA bool) {
		t.Helper()
		c, err := s.GetCredential(ctx, hash)
		if err != nil {
			t.Fatalf("GetCredential(%s): %v", hash, err)
		}
		if c.Key.ID != wantID || c.ProjectLive != wantProject || c.ServiceAccountUsable != wantSA {
			t.Fatalf("GetCredential(%s) = key %s project live %v account usable %v; want %s %v %v",
				hash, c.Key.ID, c.ProjectLive, c.ServiceAccountUsable, wantID, wantProject, wantSA)
		}
	}
	check("hash-key_plain", "key_plain", true, true)
	check("hash-key_owned", "key_owned", true, true)
	if _, err := s.GetCredential(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown hash: %v", err)
	}

	sa.Active, sa.UpdatedAt = false, base.Add(time.Minute)
	if err := s.UpdateServiceAccount(ctx, sa, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	check("hash-key_owned", "key_owned", true, false)
	check("hash-key_plain", "key_plain", true, true)
	sa.Active = true
	if err := s.UpdateServiceAccount(ctx, sa, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	check("hash-key_owned", "key_owned", true, true)
	if k, _ := s.GetAPIKey(ctx, "key_owned"); !k.UpdatedAt.Equal(base) {
		t.Fatal("disabling the service account wrote its keys")
	}

	if err := s.DeleteServiceAccount(ctx, "sa_1", base.Add(time.Hour), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	check("hash-key_owned", "key_owned", true, false)

	if err := s.DeleteProject(ctx, "prj_1", base.Add(time.Hour), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	check("hash-key_plain", "key_plain", false, true)
}

func testDueKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	hook := ptr("https://hooks.example.com/rotated")
	due := func(id string, at time.Time, mod func(*store.APIKey)) {
		k := newKey(id, "prj_1", id)
		k.RotationIntervalDays, k.NextRotationAt, k.RotationWebhookURL = ptr(1), ptr(at), hook
		if mod != nil {
			mod(&k)
		}
		mustKey(t, s, k)
	}
	now := base.Add(48 * time.Hour)
	due("key_a", base.Add(2*time.Hour), nil)
	due("key_b", base.Add(time.Hour), nil)
	due("key_c", base.Add(time.Hour), nil) // ties with key_b: ordered by id
	due("key_exact", now, nil)
	due("key_future", now.Add(time.Second), nil)
	due("key_nohook", base, func(k *store.APIKey) { k.RotationWebhookURL = nil })
	due("key_expired", base, func(k *store.APIKey) { k.ExpiresAt = ptr(now) })
	due("key_revoked", base, nil)
	due("key_replaced", base, nil)
	due("key_noschedule", base, func(k *store.APIKey) { k.RotationIntervalDays, k.NextRotationAt = nil, nil })
	if err := s.RevokeAPIKeys(ctx, []string{"key_revoked"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	old, _ := s.GetAPIKey(ctx, "key_replaced")
	old.ReplacedByKeyID, old.GraceExpiresAt = ptr("key_successor"), ptr(base)
	next := newKey("key_successor", "prj_1", "key_replaced")
	next.RotationIntervalDays, next.NextRotationAt, next.RotationWebhookURL = ptr(1), ptr(now.AddDate(0, 0, 1)), hook
	if err := s.RotateAPIKey(ctx, old, next, store.Changes{}); err != nil {
		t.Fatal(err)
	}

	var got []string
	var after *store.Cursor
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("no termination")
		}
		items, err := s.ListDueAPIKeys(ctx, store.DueAPIKeyFilter{Now: now, After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range items {
			got = append(got, k.ID)
		}
		if len(items) < 2 {
			break
		}
		last := items[len(items)-1]
		after = &store.Cursor{Time: *last.NextRotationAt, ID: last.ID}
	}
	want := []string{"key_b", "key_c", "key_a", "key_exact"}
	if len(got) != len(want) {
		t.Fatalf("due keys = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("due keys = %v, want %v", got, want)
		}
	}
}

func testProjectWebhookSecret(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := store.Project{ID: "prj_1", Name: "one", WebhookSecret: []byte{0, 1, 2, 255}, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateProject(ctx, p, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProject(ctx, p.ID)
	if err != nil || string(got.WebhookSecret) != string(p.WebhookSecret) {
		t.Fatalf("GetProject webhook secret = %v, %v", got.WebhookSecret, err)
	}
	at := base.Add(time.Minute)
	if err := s.SetProjectWebhookSecret(ctx, p.ID, []byte("sealed-2"), at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetProject(ctx, p.ID)
	if string(got.WebhookSecret) != "sealed-2" || !got.UpdatedAt.Equal(at) {
		t.Fatalf("after SetProjectWebhookSecret: %q %v", got.WebhookSecret, got.UpdatedAt)
	}
	list, _ := s.ListProjects(ctx, store.ProjectFilter{Limit: 10})
	if len(list) != 1 || string(list[0].WebhookSecret) != "sealed-2" {
		t.Fatalf("ListProjects webhook secret: %+v", list)
	}
	mustProject(t, s, "prj_old", "old") // created without a secret
	if old, _ := s.GetProject(ctx, "prj_old"); old.WebhookSecret != nil {
		t.Fatalf("project without secret reads back %v", old.WebhookSecret)
	}
	if err := s.SetProjectWebhookSecret(ctx, "prj_x", []byte("x"), at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown project: %v", err)
	}
	if err := s.DeleteProject(ctx, p.ID, at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProjectWebhookSecret(ctx, p.ID, []byte("x"), at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted project: %v", err)
	}
}
