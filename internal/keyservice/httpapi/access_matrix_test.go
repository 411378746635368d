package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The principals of the access matrix, in column order.
var accessPrincipals = []string{"admin", "own-manager", "other-manager", "no-scope", "revoked"}

// accessFixture is a fresh server with two projects: "own", holding the objects every request
// addresses, and "other". Its credentials: the admin token; a keys:admin key of own; a
// keys:admin key of other; a key of own without keys:admin; a revoked keys:admin key of own.
type accessFixture struct {
	e              *testEnv
	own, other     string
	key, keySecret string // a live key of own
	serviceAccount string // of own
	environment    string // of own
	tokens         map[string]string
}

func newAccessFixture(t *testing.T) *accessFixture {
	e := newTestEnv(t)
	f := &accessFixture{e: e, own: e.createProject("own"), other: e.createProject("other")}
	admin := map[string]any{"scopes": []string{"keys:admin"}}
	_, ownManager := e.createKey(f.own, "own-manager", admin)
	_, otherManager := e.createKey(f.other, "other-manager", admin)
	_, noScope := e.createKey(f.own, "no-scope", map[string]any{"scopes": []string{"read"}})
	revokedKey, revoked := e.createKey(f.own, "revoked", admin)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+revokedKey["id"].(string), nil), http.StatusNoContent)
	target, secret := e.createKey(f.own, "target", nil)
	f.key, f.keySecret = target["id"].(string), secret
	r := e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": f.own, "name": "robot"})
	expectStatus(t, r, http.StatusCreated)
	f.serviceAccount = r.str(t, "id")
	r = e.admin("POST", "/v1/environments", map[string]any{"project_id": f.own, "name": "staging"})
	expectStatus(t, r, http.StatusCreated)
	f.environment = r.str(t, "id")
	f.tokens = map[string]string{
		"admin": testAdminToken, "own-manager": ownManager, "other-manager": otherManager,
		"no-scope": noScope, "revoked": revoked,
	}
	return f
}

// accessCase is one route of the matrix: the request it sends (against a fresh fixture) and
// the status each principal must get, in accessPrincipals order.
type accessCase struct {
	request func(f *accessFixture) (method, path string, body any)
	want    [5]int
}

const (
	ok200 = http.StatusOK
	ok201 = http.StatusCreated
	ok204 = http.StatusNoContent
	no401 = http.StatusUnauthorized
	no403 = http.StatusForbidden
)

// Route families by who may use them.
var (
	everyone   = [5]int{ok200, ok200, ok200, ok200, ok200}
	anyone     = func(ok int) [5]int { return [5]int{ok, ok, ok, ok, ok} }
	adminOnly  = func(ok int) [5]int { return [5]int{ok, no403, no403, no403, no401} }
	ownProject = func(ok int) [5]int { return [5]int{ok, ok, no403, no403, no401} }
	fixed      = func(method, path string, body any) func(*accessFixture) (string, string, any) {
		return func(*accessFixture) (string, string, any) { return method, path, body }
	}
	accessExpectations = map[string]accessCase{
		"GET /healthz": {fixed("GET", "/healthz", nil), everyone},
		"GET /readyz":  {fixed("GET", "/readyz", nil), everyone},
		"GET /metrics": {fixed("GET", "/metrics", nil), adminOnly(ok200)},
		"POST /v1/verify": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/verify", map[string]any{"key": f.keySecret}
		}, everyone},
		// Whatever the credential: a leak report needs none, and a string that is no key is
		// ignored (a real one would be revoked: see leaks_test.go).
		"POST /v1/leaks": {fixed("POST", "/v1/leaks", map[string]any{"keys": []string{"ks_not_a_key"}}), anyone(http.StatusAccepted)},
		"GET /v1/audit-events": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/audit-events?project_id=" + f.own, nil
		}, ownProject(ok200)},

		"POST /v1/projects": {fixed("POST", "/v1/projects", map[string]any{"name": "new"}), adminOnly(ok201)},
		"GET /v1/projects":  {fixed("GET", "/v1/projects", nil), adminOnly(ok200)},
		"GET /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/projects/" + f.own, nil
		}, ownProject(ok200)},
		"PATCH /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/projects/" + f.own, map[string]any{"description": "changed"}
		}, ownProject(ok200)},
		"DELETE /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.own, nil
		}, adminOnly(ok204)},
		"POST /v1/projects/{id}/webhook-signing-secret/rotate": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.own + "/webhook-signing-secret/rotate", nil
		}, ownProject(ok200)},
		"POST /v1/projects/{id}/otp": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.own + "/otp", nil
		}, adminOnly(ok201)},
		"DELETE /v1/projects/{id}/otp": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.own + "/otp", nil
		}, adminOnly(ok204)},

		"POST /v1/service-accounts": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/service-accounts", map[string]any{"project_id": f.own, "name": "new-robot"}
		}, ownProject(ok201)},
		"GET /v1/service-accounts": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/service-accounts?project_id=" + f.own, nil
		}, ownProject(ok200)},
		"GET /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/service-accounts/" + f.serviceAccount, nil
		}, ownProject(ok200)},
		"PATCH /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/service-accounts/" + f.serviceAccount, map[string]any{"description": "changed"}
		}, ownProject(ok200)},
		"DELETE /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/service-accounts/" + f.serviceAccount, nil
		}, ownProject(ok204)},

		"POST /v1/environments": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/environments", map[string]any{"project_id": f.own, "name": "production"}
		}, ownProject(ok201)},
		"GET /v1/environments": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/environments?project_id=" + f.own, nil
		}, ownProject(ok200)},
		"GET /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/environments/" + f.environment, nil
		}, ownProject(ok200)},
		"PATCH /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/environments/" + f.environment, map[string]any{"description": "changed"}
		}, ownProject(ok200)},
		"DELETE /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/environments/" + f.environment, nil
		}, ownProject(ok204)},

		"POST /v1/api-keys": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys", map[string]any{"project_id": f.own, "name": "minted"}
		}, ownProject(ok201)},
		"GET /v1/api-keys": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/api-keys?project_id=" + f.own, nil
		}, ownProject(ok200)},
		"GET /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/api-keys/" + f.key, nil
		}, ownProject(ok200)},
		"PATCH /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.key, map[string]any{"description": "changed"}
		}, ownProject(ok200)},
		"DELETE /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/api-keys/" + f.key, nil
		}, ownProject(ok204)},
		"POST /v1/api-keys/{id}/rotate": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys/" + f.key + "/rotate", map[string]any{"grace_period_seconds": 0}
		}, ownProject(ok201)},
		"POST /v1/api-keys/revoke": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{f.key}}
		}, ownProject(ok200)},
	}
)

// TestAccessMatrix sends every route the server registers (Server.Routes, so a new route
// cannot be left out) as each principal, each cell against a fresh server, and asserts the
// status of every cell. A route without an expectation fails the test: add it above. A
// request refused for a principal must change nothing; the cells that succeed are the
// control that the request itself is valid.
func TestAccessMatrix(t *testing.T) {
	routes := newTestEnv(t).api.Routes()
	for _, route := range routes {
		if _, ok := accessExpectations[route]; !ok {
			t.Errorf("route %q has no access expectation: add one to accessExpectations", route)
		}
	}
	for route := range accessExpectations {
		if !slices.Contains(routes, route) {
			t.Errorf("accessExpectations lists %q, which the server does not serve", route)
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-58s %s\n", "route", strings.Join(accessPrincipals, " "))
	cells := 0
	for _, route := range routes {
		c, ok := accessExpectations[route]
		if !ok {
			continue
		}
		got := make([]string, len(accessPrincipals))
		for i, who := range accessPrincipals {
			f := newAccessFixture(t)
			method, path, body := c.request(f)
			r := f.e.do(method, path, f.tokens[who], body)
			got[i] = fmt.Sprint(r.status)
			cells++
			if r.status != c.want[i] {
				t.Errorf("%s as %s: status %d, want %d: %s", route, who, r.status, c.want[i], r.raw)
				continue
			}
			if r.status >= 400 {
				if code, _ := r.errorCodeField(t); code == "" {
					t.Errorf("%s as %s: %d without the error model: %s", route, who, r.status, r.raw)
				}
				f.assertUnchanged(t, route, who)
			}
		}
		fmt.Fprintf(&table, "%-58s %s\n", route, strings.Join(got, "  "))
	}
	t.Logf("access matrix, %d cells:\n%s", cells, table.String())
}

// assertUnchanged checks that a refused request left the fixture's objects as they were.
func (f *accessFixture) assertUnchanged(t *testing.T, route, who string) {
	t.Helper()
	e := f.e
	k := e.admin("GET", "/v1/api-keys/"+f.key, nil)
	m := k.json(t)
	if k.status != http.StatusOK || m["revoked_at"] != nil || m["replaced_by_key_id"] != nil || m["description"] != "" {
		t.Errorf("%s as %s was refused but changed the target key: %s", route, who, k.raw)
	}
	if p := e.admin("GET", "/v1/projects/"+f.own, nil).json(t); p["description"] != "" || p["require_otp"] != false {
		t.Errorf("%s as %s was refused but changed the project: %v", route, who, p)
	}
	if sa := e.admin("GET", "/v1/service-accounts/"+f.serviceAccount, nil); sa.status != http.StatusOK || sa.json(t)["description"] != "" {
		t.Errorf("%s as %s was refused but changed the service account: %s", route, who, sa.raw)
	}
	if env := e.admin("GET", "/v1/environments/"+f.environment, nil); env.status != http.StatusOK || env.json(t)["description"] != "" {
		t.Errorf("%s as %s was refused but changed the environment: %s", route, who, env.raw)
	}
	list := e.admin("GET", "/v1/api-keys?project_id="+f.own, nil).json(t)["items"].([]any)
	if len(list) != 3 { // own-manager, no-scope and target; the revoked key is not listed
		t.Errorf("%s as %s was refused but the own project now has %d live keys, want 3", route, who, len(list))
	}
}
