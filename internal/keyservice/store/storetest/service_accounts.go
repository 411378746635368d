package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func mustServiceAccount(t *testing.T, s store.Store, id, project, name string) store.ServiceAccount {
	t.Helper()
	a := store.ServiceAccount{ID: id, ProjectID: project, Name: name, Active: true, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateServiceAccount(context.Background(), a, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	return a
}

func testServiceAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	a := mustServiceAccount(t, s, "sa_1", "prj_1", "deployer")
	got, err := s.GetServiceAccount(ctx, a.ID)
	if err != nil || got.Name != "deployer" || got.ProjectID != "prj_1" || !got.Active || !got.CreatedAt.Equal(base) || got.DeletedAt != nil {
		t.Fatalf("GetServiceAccount = %+v, %v", got, err)
	}
	if _, err := s.GetServiceAccount(ctx, "sa_x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing account: %v", err)
	}
	got, err = s.GetServiceAccountByName(ctx, "prj_1", "deployer")
	if err != nil || got.ID != a.ID {
		t.Fatalf("GetServiceAccountByName = %+v, %v", got, err)
	}
	if _, err := s.GetServiceAccountByName(ctx, "prj_2", "deployer"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("by name in another project: %v", err)
	}
	dup := store.ServiceAccount{ID: "sa_2", ProjectID: "prj_1", Name: "deployer", Active: true, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateServiceAccount(ctx, dup, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate live name: %v", err)
	}
	mustServiceAccount(t, s, "sa_3", "prj_2", "deployer") // names are per project

	a.Name, a.Description, a.Active, a.UpdatedAt = "ci", "runs CI", false, base.Add(time.Minute)
	if err := s.UpdateServiceAccount(ctx, a, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetServiceAccount(ctx, a.ID)
	if got.Name != "ci" || got.Description != "runs CI" || got.Active || !got.UpdatedAt.Equal(a.UpdatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	mustServiceAccount(t, s, "sa_4", "prj_1", "other")
	taken := a
	taken.Name = "other"
	if err := s.UpdateServiceAccount(ctx, taken, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if err := s.UpdateServiceAccount(ctx, store.ServiceAccount{ID: "sa_x", Name: "x"}, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}

	at := base.Add(time.Hour)
	if err := s.DeleteServiceAccount(ctx, a.ID, at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteServiceAccount(ctx, a.ID, at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	got, err = s.GetServiceAccount(ctx, a.ID)
	if err != nil || got.DeletedAt == nil || !got.DeletedAt.Equal(at) {
		t.Fatalf("deleted account: %+v, %v", got, err)
	}
	if _, err := s.GetServiceAccountByName(ctx, "prj_1", "ci"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted account by name: %v", err)
	}
	if err := s.UpdateServiceAccount(ctx, a, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update deleted: %v", err)
	}
	// The name is free again.
	mustServiceAccount(t, s, "sa_5", "prj_1", "ci")
}

func testServiceAccountList(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustServiceAccount(t, s, "sa_other", "prj_2", "x")
	for i := range 7 {
		a := store.ServiceAccount{
			ID: fmt.Sprintf("sa_%02d", i), ProjectID: "prj_1", Name: fmt.Sprintf("n%d", 6-i), Active: i%2 == 0,
			CreatedAt: base.Add(time.Duration(i%3) * time.Second), UpdatedAt: base, // ties on purpose
		}
		if err := s.CreateServiceAccount(ctx, a, store.Changes{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteServiceAccount(ctx, "sa_06", base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	for _, sortBy := range []store.APIKeySort{store.SortByCreatedAt, store.SortByName} {
		for _, desc := range []bool{false, true} {
			var (
				seen  []string
				after *store.Cursor
			)
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("no termination")
				}
				items, err := s.ListServiceAccounts(ctx, store.ServiceAccountFilter{ProjectID: "prj_1", SortBy: sortBy, Descending: desc, After: after, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range items {
					seen = append(seen, a.ID)
				}
				if len(items) < 2 {
					break
				}
				last := items[len(items)-1]
				after = &store.Cursor{ID: last.ID, Time: last.CreatedAt, String: last.Name}
			}
			if len(seen) != 6 || hasDuplicate(seen) {
				t.Fatalf("%s desc=%v: saw %v, want the 6 live accounts once each", sortBy, desc, seen)
			}
			if sortBy == store.SortByName {
				want := []string{"sa_05", "sa_04", "sa_03", "sa_02", "sa_01", "sa_00"} // n1 … n6
				if desc {
					want = []string{"sa_00", "sa_01", "sa_02", "sa_03", "sa_04", "sa_05"}
				}
				if fmt.Sprint(seen) != fmt.Sprint(want) {
					t.Fatalf("by name desc=%v: %v, want %v", desc, seen, want)
				}
			}
		}
	}
	items, err := s.ListServiceAccounts(ctx, store.ServiceAccountFilter{ProjectID: "prj_1", Active: ptr(true), Limit: 100})
	if err != nil || len(items) != 3 { // sa_00, sa_02, sa_04 (sa_06 is deleted)
		t.Fatalf("active filter: %d, %v", len(items), err)
	}
	items, _ = s.ListServiceAccounts(ctx, store.ServiceAccountFilter{ProjectID: "prj_1", NamePrefix: ptr("n1"), Limit: 100})
	if len(items) != 1 || items[0].ID != "sa_05" {
		t.Fatalf("prefix filter: %+v", items)
	}
	items, _ = s.ListServiceAccounts(ctx, store.ServiceAccountFilter{ProjectID: "prj_1", Name: ptr("n3"), Limit: 100})
	if len(items) != 1 || items[0].ID != "sa_03" {
		t.Fatalf("name filter: %+v", items)
	}
}

func hasDuplicate(ids []string) bool {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

func testDeleteServiceAccountRevokesKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	mustServiceAccount(t, s, "sa_2", "prj_1", "other")
	for _, k := range []struct{ id, sa string }{{"key_1", "sa_1"}, {"key_2", "sa_1"}, {"key_3", "sa_2"}, {"key_4", ""}} {
		key := newKey(k.id, "prj_1", k.id)
		if k.sa != "" {
			key.ServiceAccountID = ptr(k.sa)
		}
		mustKey(t, s, key)
	}
	earlier := base.Add(time.Minute)
	if err := s.RevokeAPIKeys(ctx, []string{"key_2"}, earlier, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	at := base.Add(time.Hour)
	if err := s.DeleteServiceAccount(ctx, "sa_1", at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]*time.Time{"key_1": &at, "key_2": &earlier, "key_3": nil, "key_4": nil} {
		k, err := s.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if deref(k.RevokedAt) != deref(want) {
			t.Errorf("%s: revoked_at = %s, want %s", id, deref(k.RevokedAt), deref(want))
		}
	}
}
