package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func mustEnvironment(t *testing.T, s store.Store, id, project, name string) store.Environment {
	t.Helper()
	e := store.Environment{ID: id, ProjectID: project, Name: name, CreatedAt: base, UpdatedAt: base}
	if err := s.CreateEnvironment(context.Background(), e, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func testEnvironments(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	e := mustEnvironment(t, s, "env_1", "prj_1", "production")
	got, err := s.GetEnvironment(ctx, e.ID)
	if err != nil || got.Name != "production" || got.ProjectID != "prj_1" || !got.CreatedAt.Equal(base) || got.DeletedAt != nil {
		t.Fatalf("GetEnvironment = %+v, %v", got, err)
	}
	if _, err := s.GetEnvironment(ctx, "env_x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing environment: %v", err)
	}
	dup := store.Environment{ID: "env_2", ProjectID: "prj_1", Name: "production", CreatedAt: base, UpdatedAt: base}
	if err := s.CreateEnvironment(ctx, dup, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate live name: %v", err)
	}
	mustEnvironment(t, s, "env_3", "prj_2", "production")
	staging := mustEnvironment(t, s, "env_4", "prj_1", "staging")
	staging.CreatedAt = base.Add(time.Second)

	e.Name, e.Description, e.UpdatedAt = "prod", "live traffic", base.Add(time.Minute)
	if err := s.UpdateEnvironment(ctx, e, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetEnvironment(ctx, e.ID)
	if got.Name != "prod" || got.Description != "live traffic" || !got.UpdatedAt.Equal(e.UpdatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	taken := e
	taken.Name = "staging"
	if err := s.UpdateEnvironment(ctx, taken, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if err := s.UpdateEnvironment(ctx, store.Environment{ID: "env_x", Name: "x"}, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}

	list, err := s.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: "prj_1", Limit: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("first page: %+v, %v", list, err)
	}
	next, err := s.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: "prj_1", Limit: 10,
		After: &store.Cursor{Time: list[0].CreatedAt, ID: list[0].ID}})
	if err != nil || len(next) != 1 || next[0].ID == list[0].ID {
		t.Fatalf("second page: %+v, %v", next, err)
	}
	byName, _ := s.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: "prj_1", Name: ptr("staging"), Limit: 10})
	if len(byName) != 1 || byName[0].ID != "env_4" {
		t.Fatalf("name filter: %+v", byName)
	}

	at := base.Add(time.Hour)
	if err := s.DeleteEnvironment(ctx, e.ID, at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEnvironment(ctx, e.ID, at, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	got, _ = s.GetEnvironment(ctx, e.ID)
	if got.DeletedAt == nil || !got.DeletedAt.Equal(at) {
		t.Fatalf("deleted environment: %+v", got)
	}
	if err := s.UpdateEnvironment(ctx, e, store.Changes{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update deleted: %v", err)
	}
	list, _ = s.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: "prj_1", Limit: 10})
	if len(list) != 1 || list[0].ID != "env_4" {
		t.Fatalf("list after delete: %+v", list)
	}
	mustEnvironment(t, s, "env_5", "prj_1", "prod") // the name is free again
}

func testDeleteEnvironmentWithBoundKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustEnvironment(t, s, "env_1", "prj_1", "production")
	k := newKey("key_1", "prj_1", "a")
	k.EnvironmentID = ptr("env_1")
	old := mustKey(t, s, k)

	if err := s.DeleteEnvironment(ctx, "env_1", base, store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("delete with a live key: %v", err)
	}
	if e, _ := s.GetEnvironment(ctx, "env_1"); e.DeletedAt != nil {
		t.Fatal("refused delete still deleted the environment")
	}
	// A replaced key inside its grace period still authenticates, so it still binds.
	old.ReplacedByKeyID = ptr("key_2")
	old.GraceExpiresAt = ptr(base.Add(time.Hour))
	next := newKey("key_2", "prj_1", "a")
	next.EnvironmentID = ptr("env_1")
	if err := s.RotateAPIKey(ctx, old, next, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_2"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEnvironment(ctx, "env_1", base.Add(time.Minute), store.Changes{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("delete while a replaced key is in its grace period: %v", err)
	}
	if err := s.DeleteEnvironment(ctx, "env_1", base.Add(time.Hour), store.Changes{}); err != nil {
		t.Fatalf("delete once no bound key can authenticate: %v", err)
	}
}

func testCreateAPIKeyChecksReferences(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	mustServiceAccount(t, s, "sa_2", "prj_2", "robot")
	mustEnvironment(t, s, "env_1", "prj_1", "production")
	mustEnvironment(t, s, "env_2", "prj_2", "production")
	mustServiceAccount(t, s, "sa_gone", "prj_1", "gone")
	if err := s.DeleteServiceAccount(ctx, "sa_gone", base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	mustEnvironment(t, s, "env_gone", "prj_1", "gone")
	if err := s.DeleteEnvironment(ctx, "env_gone", base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sa, env, missing string
	}{
		{"unknown service account", "sa_x", "", "sa_x"},
		{"service account of another project", "sa_2", "", "sa_2"},
		{"deleted service account", "sa_gone", "", "sa_gone"},
		{"unknown environment", "", "env_x", "env_x"},
		{"environment of another project", "sa_1", "env_2", "env_2"},
		{"deleted environment", "", "env_gone", "env_gone"},
	}
	for i, tc := range tests {
		k := newKey(fmt.Sprintf("key_%d", i), "prj_1", tc.name)
		if tc.sa != "" {
			k.ServiceAccountID = ptr(tc.sa)
		}
		if tc.env != "" {
			k.EnvironmentID = ptr(tc.env)
		}
		err := s.CreateAPIKey(ctx, k, store.Changes{})
		var missing *store.MissingError
		if !errors.As(err, &missing) || missing.ID != tc.missing || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: CreateAPIKey = %v, want a MissingError naming %s", tc.name, err, tc.missing)
		}
		if _, err := s.GetAPIKey(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: the refused key was stored", tc.name)
		}
	}
	k := newKey("key_ok", "prj_1", "ok")
	k.ServiceAccountID, k.EnvironmentID = ptr("sa_1"), ptr("env_1")
	mustKey(t, s, k)
	got, _ := s.GetAPIKey(ctx, "key_ok")
	if got.ServiceAccountID == nil || *got.ServiceAccountID != "sa_1" || got.EnvironmentID == nil || *got.EnvironmentID != "env_1" {
		t.Fatalf("bound key: %+v", got)
	}
}

func testDeleteProjectCascades(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustServiceAccount(t, s, "sa_1", "prj_1", "robot")
	mustEnvironment(t, s, "env_1", "prj_1", "production")
	mustServiceAccount(t, s, "sa_2", "prj_2", "robot")
	mustEnvironment(t, s, "env_2", "prj_2", "production")
	k := newKey("key_1", "prj_1", "a")
	k.ServiceAccountID, k.EnvironmentID = ptr("sa_1"), ptr("env_1")
	mustKey(t, s, k)
	at := base.Add(time.Hour)
	if err := s.DeleteProject(ctx, "prj_1", at, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.GetServiceAccount(ctx, "sa_1"); a.DeletedAt == nil || !a.DeletedAt.Equal(at) {
		t.Errorf("service account of the deleted project: %+v", a)
	}
	if e, _ := s.GetEnvironment(ctx, "env_1"); e.DeletedAt == nil || !e.DeletedAt.Equal(at) {
		t.Errorf("environment of the deleted project: %+v", e)
	}
	if k, _ := s.GetAPIKey(ctx, "key_1"); k.RevokedAt == nil {
		t.Error("key of the deleted project not revoked")
	}
	if a, _ := s.GetServiceAccount(ctx, "sa_2"); a.DeletedAt != nil {
		t.Error("another project's service account was deleted")
	}
	if e, _ := s.GetEnvironment(ctx, "env_2"); e.DeletedAt != nil {
		t.Error("another project's environment was deleted")
	}
}
