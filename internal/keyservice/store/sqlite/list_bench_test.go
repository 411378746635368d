package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// BenchmarkListAPIKeys walks every page (1,000 keys each) of a project of 10,000 keys, with
// each filter and sort of GET /v1/api-keys: what the keyservice_api_keys data source asks for.
func BenchmarkListAPIKeys(b *testing.B) {
	const keys = 10_000
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "ks.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(s.CreateProject(ctx, store.Project{ID: "prj_1", Name: "p", CreatedAt: at, UpdatedAt: at}, store.Changes{}))
	must(s.CreateServiceAccount(ctx, store.ServiceAccount{ID: "sa_1", ProjectID: "prj_1", Name: "robot", Active: true, CreatedAt: at, UpdatedAt: at}, store.Changes{}))
	must(s.CreateEnvironment(ctx, store.Environment{ID: "env_1", ProjectID: "prj_1", Name: "production", CreatedAt: at, UpdatedAt: at}, store.Changes{}))
	var revoke []string
	for i := range keys {
		k := store.APIKey{
			ID: fmt.Sprintf("key_%05d", i), ProjectID: "prj_1", Name: fmt.Sprintf("svc-%d-%05d", i%10, i),
			KeyPrefix: "ks_x", KeyHash: fmt.Sprintf("hash-%05d", i), HashVersion: store.HashVersionHMACSHA256,
			Scopes: []string{"read"}, Active: i%7 != 0, CreatedAt: at.Add(time.Duration(i) * time.Second), UpdatedAt: at,
		}
		if i%3 == 0 {
			k.Scopes = append(k.Scopes, "deploy:write")
		}
		if i%2 == 0 {
			e := at.Add(time.Duration(i) * time.Hour)
			k.ExpiresAt = &e
		}
		if i%5 == 0 {
			k.ServiceAccountID = ptr("sa_1")
		}
		if i%4 == 0 {
			k.EnvironmentID = ptr("env_1")
		}
		must(s.CreateAPIKey(ctx, k, store.Changes{}))
		if i%20 == 0 {
			revoke = append(revoke, k.ID)
		}
	}
	must(s.RevokeAPIKeys(ctx, revoke, at, store.Changes{}))

	expiresBefore := at.Add(5000 * time.Hour)
	for _, tc := range []struct {
		name   string
		filter store.APIKeyFilter
	}{
		{"all", store.APIKeyFilter{}},
		{"include_revoked", store.APIKeyFilter{IncludeRevoked: true}},
		{"name_prefix", store.APIKeyFilter{NamePrefix: ptr("svc-3-")}},
		{"name", store.APIKeyFilter{Name: ptr("svc-3-00013")}},
		{"active", store.APIKeyFilter{Active: ptr(false)}},
		{"scope", store.APIKeyFilter{Scope: ptr("deploy:write")}},
		{"expires_before", store.APIKeyFilter{ExpiresBefore: &expiresBefore}},
		{"service_account_id", store.APIKeyFilter{ServiceAccountID: ptr("sa_1")}},
		{"environment_id", store.APIKeyFilter{EnvironmentID: ptr("env_1")}},
		{"sort_by_name", store.APIKeyFilter{SortBy: store.SortByName}},
		{"sort_by_expires_at", store.APIKeyFilter{SortBy: store.SortByExpiresAt}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				f := tc.filter
				f.ProjectID, f.Limit, f.After = "prj_1", 1000, nil
				n := 0
				for {
					page, err := s.ListAPIKeys(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					n += len(page)
					if len(page) < f.Limit {
						break
					}
					last := page[len(page)-1]
					f.After = cursorAfter(f.SortBy, last)
				}
				b.ReportMetric(float64(n), "keys")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// cursorAfter is the server's page cursor after k, for the sort in use.
func cursorAfter(sort store.APIKeySort, k store.APIKey) *store.Cursor {
	switch sort {
	case store.SortByName:
		return &store.Cursor{String: k.Name, ID: k.ID}
	case store.SortByExpiresAt:
		if k.ExpiresAt == nil {
			return &store.Cursor{Null: true, ID: k.ID}
		}
		return &store.Cursor{Time: *k.ExpiresAt, ID: k.ID}
	}
	return &store.Cursor{Time: k.CreatedAt, ID: k.ID}
}
