package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// TestListAPIKeysPlans holds every filter and sort of a key list to the index that answers it,
// from SQLite's own EXPLAIN QUERY PLAN: a page reads the rows it returns (or, for a filter
// whose matches must be sorted, the matches), never the whole project. The planner has no
// statistics (no ANALYZE), as in production, so its choice is the same on every database.
func TestListAPIKeysPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "ks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	str := func(v string) *string { return &v }
	no := false
	after := &store.Cursor{Time: at, String: "m", ID: "key_1"}
	for _, tc := range []struct {
		name   string
		filter store.APIKeyFilter
		want   string // the plan's line for api_keys (or api_key_scopes)
	}{
		{"default", store.APIKeyFilter{}, "SEARCH api_keys USING INDEX api_keys_live_created (project_id=?)"},
		{"default, next page", store.APIKeyFilter{After: after}, "SEARCH api_keys USING INDEX api_keys_live_created (project_id=? AND created_at>?)"},
		{"include_revoked", store.APIKeyFilter{IncludeRevoked: true, After: after}, "SEARCH api_keys USING INDEX api_keys_project_created (project_id=? AND created_at>?)"},
		{"active=false", store.APIKeyFilter{Active: &no, After: after}, "SEARCH api_keys USING INDEX api_keys_live_disabled (project_id=? AND created_at>?)"},
		{"name_prefix", store.APIKeyFilter{NamePrefix: str("svc-")}, "SEARCH api_keys USING INDEX api_keys_live_name (project_id=? AND name>? AND name<?)"},
		{"name_prefix, revoked too", store.APIKeyFilter{NamePrefix: str("svc-"), IncludeRevoked: true}, "SEARCH api_keys USING INDEX api_keys_project_name (project_id=? AND name>? AND name<?)"},
		{"name", store.APIKeyFilter{Name: str("svc-1")}, "SEARCH api_keys USING INDEX api_keys_live_name (project_id=? AND name=?)"},
		{"scope", store.APIKeyFilter{Scope: str("deploy:write"), After: after}, "SEARCH api_key_scopes USING PRIMARY KEY (key_project_id=? AND scope=? AND key_created_at>?)"},
		{"scope, sort by name", store.APIKeyFilter{Scope: str("deploy:write"), SortBy: store.SortByName}, "SEARCH api_key_scopes USING PRIMARY KEY (key_project_id=? AND scope=?)"},
		{"expires_before", store.APIKeyFilter{ExpiresBefore: &at}, "_expiry (project_id=? AND <expr><?)"},
		{"expires_before, next page", store.APIKeyFilter{ExpiresBefore: &at, After: after}, "_expiry (project_id=? AND <expr><?)"},
		{"name_prefix, next page", store.APIKeyFilter{NamePrefix: str("svc-"), After: after}, "SEARCH api_keys USING INDEX api_keys_live_name (project_id=? AND name>? AND name<?)"},
		{"service account, next page", store.APIKeyFilter{ServiceAccountID: str("sa_1"), After: after}, "SEARCH api_keys USING INDEX api_keys_service_account (service_account_id=?)"},
		{"sort by expires_at", store.APIKeyFilter{SortBy: store.SortByExpiresAt, After: after}, "_expiry (project_id=? AND <expr>>?)"},
		{"sort by expires_at, revoked too", store.APIKeyFilter{SortBy: store.SortByExpiresAt, IncludeRevoked: true}, "SEARCH api_keys USING INDEX api_keys_project_expiry (project_id=?)"},
		{"sort by name", store.APIKeyFilter{SortBy: store.SortByName, After: after}, "SEARCH api_keys USING INDEX api_keys_live_name (project_id=? AND name>?)"},
		{"sort by name, revoked too", store.APIKeyFilter{SortBy: store.SortByName, IncludeRevoked: true, After: after}, "SEARCH api_keys USING INDEX api_keys_project_name (project_id=? AND name>?)"},
		{"service account", store.APIKeyFilter{ServiceAccountID: str("sa_1")}, "SEARCH api_keys USING INDEX api_keys_service_account (service_account_id=?)"},
		{"environment", store.APIKeyFilter{EnvironmentID: str("env_1")}, "SEARCH api_keys USING INDEX api_keys_environment (environment_id=?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.ProjectID, f.Limit = "prj_1", 100
			query, args := listAPIKeysQuery(f)
			rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			got := strings.Join(plan, "\n")
			if !strings.Contains(got, tc.want) {
				t.Errorf("plan:\n%s\nwant a step %q", got, tc.want)
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN api_keys") {
					t.Errorf("plan scans api_keys:\n%s", got)
				}
			}
		})
	}
}
