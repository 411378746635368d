package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/bench/seed"
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

// BenchmarkListAPIKeysGrowth is one page (100 keys) of each filter and sort, the first and one
// deep in the list, in a project of 10,000 keys and of 100,000 (BENCH_LIST_SIZES overrides,
// e.g. "10000,1000000"): with every list answered from an index, the figures stay flat as the
// project grows (issue 19; make bench measures the same through HTTP at a million keys).
func BenchmarkListAPIKeysGrowth(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("BENCH_LIST_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("BENCH_LIST_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	ctx := context.Background()
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, size := range sizes {
		path := filepath.Join(b.TempDir(), "ks.db")
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CreateProject(ctx, store.Project{ID: "prj_1", Name: "p", CreatedAt: base, UpdatedAt: base}, store.Changes{}); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			b.Fatal(err)
		}
		if err := seed.SQLite(ctx, db, "prj_1", size, base); err != nil {
			b.Fatal(err)
		}
		db.Close()
		expiresBefore := base.Add(2000 * time.Hour) // 1,000 keys, whatever the size
		for _, tc := range []struct {
			name   string
			filter store.APIKeyFilter
		}{
			{"all", store.APIKeyFilter{}},
			{"include_revoked", store.APIKeyFilter{IncludeRevoked: true}},
			{"name_prefix", store.APIKeyFilter{NamePrefix: ptr("fill-0000001")}}, // 100 keys, whatever the size
			{"active=false", store.APIKeyFilter{Active: ptr(false)}},
			{"scope", store.APIKeyFilter{Scope: ptr("deploy:write")}},
			{"expires_before", store.APIKeyFilter{ExpiresBefore: &expiresBefore}},
			{"sort_by_expires_at", store.APIKeyFilter{SortBy: store.SortByExpiresAt}},
			{"sort_by_name_with_revoked", store.APIKeyFilter{SortBy: store.SortByName, IncludeRevoked: true}},
		} {
			f := tc.filter
			f.ProjectID, f.Limit = "prj_1", 100
			// The deep page starts after the 50th page's last key.
			deep := f
			for range 50 {
				page, err := s.ListAPIKeys(ctx, deep)
				if err != nil {
					b.Fatal(err)
				}
				if len(page) < deep.Limit {
					break
				}
				deep.After = cursorAfter(f.SortBy, page[len(page)-1])
			}
			for _, p := range []struct {
				name string
				f    store.APIKeyFilter
			}{{"first", f}, {"deep", deep}} {
				b.Run(fmt.Sprintf("keys=%d/%s/%s", size, tc.name, p.name), func(b *testing.B) {
					for b.Loop() {
						if _, err := s.ListAPIKeys(ctx, p.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
		s.Close()
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
