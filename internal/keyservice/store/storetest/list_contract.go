package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// The list contract: every filter, sort order and paging rule of every list, checked against a
// reference written here in Go. Each test stores a varied fixture (ties on every sort value,
// names that differ only in case or hold SQL wildcards, keys revoked, replaced, bound to service
// accounts and environments, rows of another project, deleted rows), then, for every filter and
// every order, walks all pages at several page sizes and compares the ids, in order, with what
// the reference selects. So SQLite and PostgreSQL are held to one contract, and a store that
// ignores a filter, breaks a tie the other way or loses a row at a page boundary fails here.

// pageSizes are the page sizes every listing is walked with: one row a page (every row is a
// boundary), a size that splits ties, and one page for everything.
var pageSizes = []int{1, 3, 1000}

// walk lists every page of a listing and returns the ids in order. list takes the cursor of the
// previous page's last row (nil first) and the page size.
func walk[T any](t *testing.T, what string, limit int, list func(after *store.Cursor, limit int) ([]T, error),
	id func(T) string, cursor func(T) store.Cursor) []string {
	t.Helper()
	var (
		ids   []string
		after *store.Cursor
	)
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("%s: no end after %d pages", what, pages)
		}
		items, err := list(after, limit)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(items) > limit {
			t.Fatalf("%s: a page of %d rows, limit %d", what, len(items), limit)
		}
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if len(items) < limit {
			return ids
		}
		c := cursor(items[len(items)-1])
		after = &c
	}
}

func checkListing[T any](t *testing.T, what string, want []T, list func(after *store.Cursor, limit int) ([]T, error),
	id func(T) string, cursor func(T) store.Cursor) {
	t.Helper()
	wantIDs := make([]string, len(want))
	for i, it := range want {
		wantIDs[i] = id(it)
	}
	for _, limit := range pageSizes {
		got := walk(t, what, limit, list, id, cursor)
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%s, pages of %d:\n got %v\nwant %v", what, limit, got, wantIDs)
		}
	}
}

func apiKeyID(k store.APIKey) string { return k.ID }

// selectAPIKeys is the reference of APIKeyFilter's selection (its paging aside).
func selectAPIKeys(all []store.APIKey, f store.APIKeyFilter) []store.APIKey {
	var out []store.APIKey
	for _, k := range all {
		switch {
		case k.ProjectID != f.ProjectID,
			!f.IncludeRevoked && (k.RevokedAt != nil || k.ReplacedByKeyID != nil),
			f.Name != nil && k.Name != *f.Name,
			f.NamePrefix != nil && !strings.HasPrefix(k.Name, *f.NamePrefix),
			f.Active != nil && k.Active != *f.Active,
			f.Scope != nil && !slices.Contains(k.Scopes, *f.Scope),
			f.ExpiresBefore != nil && (k.ExpiresAt == nil || !k.ExpiresAt.Before(*f.ExpiresBefore)),
			f.ServiceAccountID != nil && (k.ServiceAccountID == nil || *k.ServiceAccountID != *f.ServiceAccountID),
			f.EnvironmentID != nil && (k.EnvironmentID == nil || *k.EnvironmentID != *f.EnvironmentID):
			continue
		}
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b store.APIKey) int {
		c := cmp.Or(compareBy(f.SortBy, a, b), cmp.Compare(a.ID, b.ID)) // ordering.go: bytewise names, no expiry last
		if f.Descending {
			return -c
		}
		return c
	})
	return out
}

// testAPIKeyListContract: every filter of ListAPIKeys alone and in combination, under every sort
// order, both directions, every page size.
func testAPIKeyListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	mustServiceAccount(t, s, "sa_1", "prj_1", "deployer")
	mustServiceAccount(t, s, "sa_2", "prj_1", "billing")
	mustServiceAccount(t, s, "sa_9", "prj_2", "other")
	mustEnvironment(t, s, "env_1", "prj_1", "production")
	mustEnvironment(t, s, "env_2", "prj_1", "staging")
	mustEnvironment(t, s, "env_9", "prj_2", "production")

	names := []string{"ci-a", "ci-b", "CI-c", "ci", "web", "web-2", "a_b", "a%b", "aXb", "zeta", "Zeta", "mid", "ci-a2", "web-3"}
	scopes := [][]string{{}, {"read"}, {"read", "write"}, {"write"}, {"keys:admin", "read"}}
	var ids []string
	for i, name := range names {
		k := newKey(fmt.Sprintf("key_%02d", i), "prj_1", name)
		k.CreatedAt = base.Add(time.Duration(i%4) * time.Second) // ties on created_at
		k.Active = i%3 != 1
		k.Scopes = scopes[i%len(scopes)]
		if i%4 != 3 {
			k.ExpiresAt = ptr(base.Add(time.Duration(i%5) * time.Hour)) // ties on expires_at, and none
		}
		switch i % 3 {
		case 1:
			k.ServiceAccountID = ptr("sa_1")
		case 2:
			k.ServiceAccountID = ptr("sa_2")
		}
		switch i % 4 {
		case 0:
			k.EnvironmentID = ptr("env_1")
		case 1:
			k.EnvironmentID = ptr("env_2")
		}
		mustKey(t, s, k)
		ids = append(ids, k.ID)
	}
	// Another project's keys, with names and settings that every filter would match.
	for i, name := range []string{"ci-a", "web", "zeta"} {
		k := newKey(fmt.Sprintf("key_other%d", i), "prj_2", name)
		k.Scopes, k.ServiceAccountID, k.EnvironmentID = []string{"read", "write"}, ptr("sa_9"), ptr("env_9")
		k.ExpiresAt = ptr(base)
		mustKey(t, s, k)
	}
	// Two revoked keys, and one replaced by a rotation (its successor keeps the name).
	if err := s.RevokeAPIKeys(ctx, []string{"key_04", "key_09"}, base.Add(time.Minute), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	old, err := s.GetAPIKey(ctx, "key_05")
	if err != nil {
		t.Fatal(err)
	}
	next := newKey("key_05r", "prj_1", old.Name)
	next.Scopes, next.ServiceAccountID, next.CreatedAt = old.Scopes, old.ServiceAccountID, base.Add(time.Minute)
	old.ReplacedByKeyID, old.GraceExpiresAt, old.UpdatedAt = ptr(next.ID), ptr(base.Add(time.Hour)), base.Add(time.Minute)
	if err := s.RotateAPIKey(ctx, old, next, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, next.ID)

	var all []store.APIKey
	for _, id := range append(ids, "key_other0", "key_other1", "key_other2") {
		k, err := s.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, k)
	}

	filters := map[string]store.APIKeyFilter{
		"none":                        {},
		"include_revoked":             {IncludeRevoked: true},
		"name":                        {Name: ptr("ci-a")},
		"name of a replaced key":      {Name: ptr("ci-b"), IncludeRevoked: true},
		"name, no match":              {Name: ptr("CI-A")},
		"name_prefix":                 {NamePrefix: ptr("ci-")},
		"name_prefix, case":           {NamePrefix: ptr("CI")},
		"name_prefix, underscore":     {NamePrefix: ptr("a_")},
		"name_prefix, percent":        {NamePrefix: ptr("a%")},
		"name_prefix, empty":          {NamePrefix: ptr("")},
		"name_prefix, whole name":     {NamePrefix: ptr("web-2")},
		"active":                      {Active: ptr(true)},
		"inactive":                    {Active: ptr(false)},
		"inactive, include_revoked":   {Active: ptr(false), IncludeRevoked: true},
		"scope":                       {Scope: ptr("read")},
		"scope, other":                {Scope: ptr("write")},
		"scope, none held":            {Scope: ptr("rea")},
		"expires_before":              {ExpiresBefore: ptr(base.Add(2 * time.Hour))},
		"expires_before, on a value":  {ExpiresBefore: ptr(base.Add(time.Hour))},
		"expires_before, before all":  {ExpiresBefore: ptr(base)},
		"expires_before, after all":   {ExpiresBefore: ptr(base.Add(100 * time.Hour))},
		"service_account_id":          {ServiceAccountID: ptr("sa_1")},
		"service_account_id, other":   {ServiceAccountID: ptr("sa_2")},
		"service_account_id, foreign": {ServiceAccountID: ptr("sa_9")},
		"environment_id":              {EnvironmentID: ptr("env_1")},
		"environment_id, other":       {EnvironmentID: ptr("env_2")},
		"environment_id, foreign":     {EnvironmentID: ptr("env_9")},
		"combined": {NamePrefix: ptr("ci"), Active: ptr(true), Scope: ptr("read"),
			ExpiresBefore: ptr(base.Add(4 * time.Hour)), IncludeRevoked: true},
		"combined, references": {ServiceAccountID: ptr("sa_1"), EnvironmentID: ptr("env_2"), Active: ptr(true)},
	}
	for name, f := range filters {
		f.ProjectID = "prj_1"
		for _, sortBy := range []store.APIKeySort{store.SortByCreatedAt, store.SortByName, store.SortByExpiresAt} {
			for _, desc := range []bool{false, true} {
				f.SortBy, f.Descending = sortBy, desc
				what := fmt.Sprintf("ListAPIKeys %s, sort_by %s desc=%v", name, sortBy, desc)
				checkListing(t, what, selectAPIKeys(all, f), func(after *store.Cursor, limit int) ([]store.APIKey, error) {
					g := f
					g.After, g.Limit = after, limit
					return s.ListAPIKeys(ctx, g)
				}, apiKeyID, sortBy.CursorAfter)
			}
		}
	}
	// The filters select something: a contract checked on empty results alone proves little.
	for _, name := range []string{"name", "name_prefix", "inactive", "scope", "expires_before", "service_account_id", "environment_id", "combined"} {
		f := filters[name]
		f.ProjectID = "prj_1"
		if n := len(selectAPIKeys(all, f)); n == 0 || n == len(selectAPIKeys(all, store.APIKeyFilter{ProjectID: "prj_1"})) {
			t.Errorf("fixture: filter %q selects %d keys; it must select some but not all", name, n)
		}
	}
}

// testServiceAccountListContract: ListServiceAccounts' filters, both orders, both directions,
// every page size; deleted accounts and other projects' never show.
func testServiceAccountListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	names := []string{"deployer", "deploy", "Deployer-2", "billing", "a_b", "a%b", "aXb", "zeta", "Zeta", "ci"}
	var all []store.ServiceAccount
	for i, name := range names {
		a := store.ServiceAccount{ID: fmt.Sprintf("sa_%02d", i), ProjectID: "prj_1", Name: name, Active: i%3 != 1,
			CreatedAt: base.Add(time.Duration(i%3) * time.Second), UpdatedAt: base}
		if err := s.CreateServiceAccount(ctx, a, store.Changes{}); err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	mustServiceAccount(t, s, "sa_other", "prj_2", "deployer")
	if err := s.DeleteServiceAccount(ctx, "sa_03", base.Add(time.Minute), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	all = slices.DeleteFunc(all, func(a store.ServiceAccount) bool { return a.ID == "sa_03" })

	filters := map[string]store.ServiceAccountFilter{
		"none":                    {},
		"name":                    {Name: ptr("deployer")},
		"name of a deleted one":   {Name: ptr("billing")},
		"name_prefix":             {NamePrefix: ptr("deploy")},
		"name_prefix, case":       {NamePrefix: ptr("Deploy")},
		"name_prefix, underscore": {NamePrefix: ptr("a_")},
		"name_prefix, percent":    {NamePrefix: ptr("a%")},
		"name_prefix, empty":      {NamePrefix: ptr("")},
		"active":                  {Active: ptr(true)},
		"inactive":                {Active: ptr(false)},
		"combined":                {NamePrefix: ptr("deploy"), Active: ptr(true)},
	}
	for name, f := range filters {
		f.ProjectID = "prj_1"
		for _, sortBy := range []store.APIKeySort{store.SortByCreatedAt, store.SortByName} {
			for _, desc := range []bool{false, true} {
				f.SortBy, f.Descending = sortBy, desc
				var want []store.ServiceAccount
				for _, a := range all {
					if (f.Name == nil || a.Name == *f.Name) && (f.NamePrefix == nil || strings.HasPrefix(a.Name, *f.NamePrefix)) &&
						(f.Active == nil || a.Active == *f.Active) {
						want = append(want, a)
					}
				}
				slices.SortFunc(want, func(a, b store.ServiceAccount) int {
					c := a.CreatedAt.Compare(b.CreatedAt)
					if sortBy == store.SortByName {
						c = strings.Compare(a.Name, b.Name)
					}
					c = cmp.Or(c, cmp.Compare(a.ID, b.ID))
					if desc {
						return -c
					}
					return c
				})
				checkListing(t, fmt.Sprintf("ListServiceAccounts %s, sort_by %s desc=%v", name, sortBy, desc), want,
					func(after *store.Cursor, limit int) ([]store.ServiceAccount, error) {
						g := f
						g.After, g.Limit = after, limit
						return s.ListServiceAccounts(ctx, g)
					},
					func(a store.ServiceAccount) string { return a.ID },
					func(a store.ServiceAccount) store.Cursor {
						return store.Cursor{ID: a.ID, Time: a.CreatedAt, String: a.Name}
					})
			}
		}
	}
}

// testEnvironmentListContract: ListEnvironments by name or all, oldest first, every page size;
// deleted environments and other projects' never show.
func testEnvironmentListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	var all []store.Environment
	for i, name := range []string{"production", "staging", "dev", "qa", "preview", "canary", "sandbox"} {
		e := store.Environment{ID: fmt.Sprintf("env_%02d", 9-i), ProjectID: "prj_1", Name: name,
			CreatedAt: base.Add(time.Duration(i%3) * time.Second), UpdatedAt: base}
		if err := s.CreateEnvironment(ctx, e, store.Changes{}); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	mustEnvironment(t, s, "env_other", "prj_2", "production")
	if err := s.DeleteEnvironment(ctx, "env_07", base.Add(time.Minute), store.Changes{}); err != nil { // "dev"
		t.Fatal(err)
	}
	all = slices.DeleteFunc(all, func(e store.Environment) bool { return e.ID == "env_07" })
	slices.SortFunc(all, func(a, b store.Environment) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	for name, f := range map[string]store.EnvironmentFilter{
		"none": {}, "name": {Name: ptr("production")}, "name, deleted": {Name: ptr("dev")}, "name, no match": {Name: ptr("Production")},
	} {
		f.ProjectID = "prj_1"
		want := slices.DeleteFunc(slices.Clone(all), func(e store.Environment) bool { return f.Name != nil && e.Name != *f.Name })
		checkListing(t, "ListEnvironments "+name, want, func(after *store.Cursor, limit int) ([]store.Environment, error) {
			g := f
			g.After, g.Limit = after, limit
			return s.ListEnvironments(ctx, g)
		}, func(e store.Environment) string { return e.ID }, func(e store.Environment) store.Cursor {
			return store.Cursor{ID: e.ID, Time: e.CreatedAt}
		})
	}
}

// testProjectListContract: ListProjects lists the live projects oldest first, every page size.
func testProjectListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	var all []store.Project
	for i := range 8 {
		p := store.Project{ID: fmt.Sprintf("prj_%02d", 9-i), Name: fmt.Sprintf("p%d", i),
			CreatedAt: base.Add(time.Duration(i%3) * time.Second), UpdatedAt: base}
		if err := s.CreateProject(ctx, p, store.Changes{}); err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	if err := s.DeleteProject(ctx, "prj_05", base.Add(time.Minute), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	all = slices.DeleteFunc(all, func(p store.Project) bool { return p.ID == "prj_05" })
	slices.SortFunc(all, func(a, b store.Project) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	checkListing(t, "ListProjects", all, func(after *store.Cursor, limit int) ([]store.Project, error) {
		return s.ListProjects(ctx, store.ProjectFilter{After: after, Limit: limit})
	}, func(p store.Project) string { return p.ID }, func(p store.Project) store.Cursor {
		return store.Cursor{ID: p.ID, Time: p.CreatedAt}
	})
}

// testDueKeyListContract: ListDueAPIKeys selects the live, unexpired keys of every project that
// have a rotation webhook and are due at Now (next_rotation_at <= Now), ordered by
// (next_rotation_at, id), every page size.
func testDueKeyListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	mustProject(t, s, "prj_2", "two")
	now := base.Add(10 * time.Hour)
	hook := ptr("https://hooks.example/rotated")
	due := func(id, project string, next time.Time) store.APIKey {
		k := newKey(id, project, id)
		k.NextRotationAt, k.RotationIntervalDays, k.RotationWebhookURL = ptr(next), ptr(1), hook
		return k
	}
	var want []store.APIKey
	for i := range 7 {
		k := due(fmt.Sprintf("key_due%d", 6-i), "prj_1", now.Add(-time.Duration(i%3)*time.Hour)) // ties
		if i == 3 {
			k.ProjectID = "prj_2" // every project's keys are due
		}
		if i == 4 {
			k.NextRotationAt = ptr(now) // due at exactly Now
		}
		if i == 5 {
			k.ExpiresAt = ptr(now.Add(time.Second)) // expires after Now: still due
		}
		want = append(want, mustKey(t, s, k))
	}
	notDue := []store.APIKey{
		due("key_later", "prj_1", now.Add(time.Microsecond)),
		newKey("key_unscheduled", "prj_1", "unscheduled"),
		func() store.APIKey { k := due("key_nohook", "prj_1", now); k.RotationWebhookURL = nil; return k }(),
		func() store.APIKey { k := due("key_expired", "prj_1", now); k.ExpiresAt = ptr(now); return k }(),
		due("key_revoked", "prj_1", now),
		due("key_replaced", "prj_1", now),
	}
	for _, k := range notDue {
		mustKey(t, s, k)
	}
	if err := s.RevokeAPIKeys(ctx, []string{"key_revoked"}, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	old, _ := s.GetAPIKey(ctx, "key_replaced")
	old.ReplacedByKeyID, old.GraceExpiresAt = ptr("key_successor"), ptr(now.Add(time.Hour))
	if err := s.RotateAPIKey(ctx, old, newKey("key_successor", "prj_1", "key_replaced"), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(want, func(a, b store.APIKey) int {
		return cmp.Or(a.NextRotationAt.Compare(*b.NextRotationAt), cmp.Compare(a.ID, b.ID))
	})
	checkListing(t, "ListDueAPIKeys", want, func(after *store.Cursor, limit int) ([]store.APIKey, error) {
		return s.ListDueAPIKeys(ctx, store.DueAPIKeyFilter{Now: now, After: after, Limit: limit})
	}, apiKeyID, func(k store.APIKey) store.Cursor { return store.Cursor{ID: k.ID, Time: *k.NextRotationAt} })
}
