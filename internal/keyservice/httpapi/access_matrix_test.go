package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// The principals of the access matrix, in column order: the admin token; keys:read, keys:write
// and keys:admin keys of the project every request addresses ("own"); a key of own at its
// ceiling (keys:write and deploy:read, expiring in a day: it may not make or keep a key that
// holds more, such as the target key, which never expires); keys:read, keys:write and
// keys:admin keys of another project; a key of own without a management scope; a revoked
// keys:admin key of own.
var accessPrincipals = []string{
	"admin", "own-read", "own-write", "own-admin", "ceiling",
	"other-read", "other-write", "other-admin", "no-scope", "revoked",
}

// accessFixture is a fresh server with two projects: "own", holding the objects every request
// addresses, and "other"; and a credential for every principal.
type accessFixture struct {
	e              *testEnv
	own, other     string
	key, keySecret string // a live key of own, no scopes, no expiry
	serviceAccount string // of own
	environment    string // of own
	tokens         map[string]string
}

func newAccessFixture(t *testing.T) *accessFixture {
	e := newTestEnv(t)
	f := &accessFixture{e: e, own: e.createProject("own"), other: e.createProject("other")}
	scoped := func(project, name string, extra map[string]any) string {
		_, secret := e.createKey(project, name, extra)
		return secret
	}
	scopes := func(s ...string) map[string]any { return map[string]any{"scopes": s} }
	f.tokens = map[string]string{
		"admin":       testAdminToken,
		"own-read":    scoped(f.own, "own-read", scopes(keyservice.ScopeRead)),
		"own-write":   scoped(f.own, "own-write", scopes(keyservice.ScopeWrite)),
		"own-admin":   scoped(f.own, "own-admin", scopes(keyservice.ScopeAdmin)),
		"ceiling":     scoped(f.own, "ceiling", map[string]any{"scopes": []string{keyservice.ScopeWrite, "deploy:read"}, "expires_in_days": 1}),
		"other-read":  scoped(f.other, "other-read", scopes(keyservice.ScopeRead)),
		"other-write": scoped(f.other, "other-write", scopes(keyservice.ScopeWrite)),
		"other-admin": scoped(f.other, "other-admin", scopes(keyservice.ScopeAdmin)),
		"no-scope":    scoped(f.own, "no-scope", scopes("read")),
	}
	revokedKey, revoked := e.createKey(f.own, "revoked", scopes(keyservice.ScopeAdmin))
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+revokedKey["id"].(string), nil), http.StatusNoContent)
	f.tokens["revoked"] = revoked
	target, secret := e.createKey(f.own, "target", nil)
	f.key, f.keySecret = target["id"].(string), secret
	f.serviceAccount = e.createServiceAccount(f.own, "robot")
	f.environment = e.createEnvironment(f.own, "staging")
	return f
}

// accessCase is one route of the matrix: the request it sends (against a fresh fixture) and
// the status each principal must get, in accessPrincipals order.
type accessCase struct {
	request func(f *accessFixture) (method, path string, body any)
	want    [10]int
}

const (
	ok200 = http.StatusOK
	ok201 = http.StatusCreated
	ok204 = http.StatusNoContent
	no401 = http.StatusUnauthorized
	no403 = http.StatusForbidden
	no404 = http.StatusNotFound
)

// Route families by who may use them. The order of the checks makes them: a credential that
// does not authenticate is 401; one without the route's right is 403, whatever the request
// addresses; an object of a project the credential does not reach is 404, as an unknown one;
// a key beyond the caller's ceiling is 403.
var (
	everyone = [10]int{ok200, ok200, ok200, ok200, ok200, ok200, ok200, ok200, ok200, ok200}
	anyone   = func(ok int) [10]int { return [10]int{ok, ok, ok, ok, ok, ok, ok, ok, ok, ok} }
	// adminToken: the admin token only.
	adminToken = func(ok int) [10]int {
		return [10]int{ok, no403, no403, no403, no403, no403, no403, no403, no403, no401}
	}
	// readOwn: keys:read and above, in the own project.
	readOwn = func(ok int) [10]int {
		return [10]int{ok, ok, ok, ok, ok, no404, no404, no404, no403, no401}
	}
	// writeOwn: keys:write and above, in the own project; the key at its ceiling gets atCeiling.
	writeOwn = func(ok, atCeiling int) [10]int {
		return [10]int{ok, no403, ok, ok, atCeiling, no403, no404, no404, no403, no401}
	}
	// adminOwn: keys:admin, in the own project.
	adminOwn = func(ok int) [10]int {
		return [10]int{ok, no403, no403, ok, no403, no403, no403, no404, no403, no401}
	}
	fixed = func(method, path string, body any) func(*accessFixture) (string, string, any) {
		return func(*accessFixture) (string, string, any) { return method, path, body }
	}
	accessExpectations = map[string]accessCase{
		"GET /healthz": {fixed("GET", "/healthz", nil), everyone},
		"GET /readyz":  {fixed("GET", "/readyz", nil), everyone},
		"GET /metrics": {fixed("GET", "/metrics", nil), adminToken(ok200)},
		"POST /v1/verify": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/verify", map[string]any{"key": f.keySecret}
		}, everyone},
		// Whatever the credential: a leak report needs none, and a string that is no key is
		// ignored (a real one would be revoked: see leaks_test.go).
		"POST /v1/leaks": {fixed("POST", "/v1/leaks", map[string]any{"keys": []string{"ks_not_a_key"}}), anyone(http.StatusAccepted)},
		"GET /v1/audit-events": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/audit-events?project_id=" + f.own, nil
		}, readOwn(ok200)},

		"POST /v1/projects": {fixed("POST", "/v1/projects", map[string]any{"name": "new"}), adminToken(ok201)},
		// Every credential that reads lists the projects it reaches: a key, its own.
		"GET /v1/projects": {fixed("GET", "/v1/projects", nil), [10]int{ok200, ok200, ok200, ok200, ok200, ok200, ok200, ok200, no403, no401}},
		"GET /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/projects/" + f.own, nil
		}, readOwn(ok200)},
		"PATCH /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/projects/" + f.own, map[string]any{"description": "changed"}
		}, adminOwn(ok200)},
		"DELETE /v1/projects/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.own, nil
		}, adminToken(ok204)},
		"POST /v1/projects/{id}/webhook-signing-secret/rotate": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.own + "/webhook-signing-secret/rotate", nil
		}, adminOwn(ok200)},
		"POST /v1/projects/{id}/otp": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.own + "/otp", nil
		}, adminToken(ok201)},
		"DELETE /v1/projects/{id}/otp": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.own + "/otp", nil
		}, adminToken(ok204)},

		"POST /v1/service-accounts": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/service-accounts", map[string]any{"project_id": f.own, "name": "new-robot"}
		}, adminOwn(ok201)},
		"GET /v1/service-accounts": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/service-accounts?project_id=" + f.own, nil
		}, readOwn(ok200)},
		"GET /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/service-accounts/" + f.serviceAccount, nil
		}, readOwn(ok200)},
		"PATCH /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/service-accounts/" + f.serviceAccount, map[string]any{"description": "changed"}
		}, adminOwn(ok200)},
		"DELETE /v1/service-accounts/{id_or_name}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/service-accounts/" + f.serviceAccount, nil
		}, adminOwn(ok204)},

		"POST /v1/environments": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/environments", map[string]any{"project_id": f.own, "name": "production"}
		}, adminOwn(ok201)},
		"GET /v1/environments": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/environments?project_id=" + f.own, nil
		}, readOwn(ok200)},
		"GET /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/environments/" + f.environment, nil
		}, readOwn(ok200)},
		"PATCH /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/environments/" + f.environment, map[string]any{"description": "changed"}
		}, adminOwn(ok200)},
		"DELETE /v1/environments/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/environments/" + f.environment, nil
		}, adminOwn(ok204)},

		// The key at its ceiling expires: it may not make a key that never does.
		"POST /v1/api-keys": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys", map[string]any{"project_id": f.own, "name": "minted"}
		}, writeOwn(ok201, no403)},
		"GET /v1/api-keys": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/api-keys?project_id=" + f.own, nil
		}, readOwn(ok200)},
		"GET /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "GET", "/v1/api-keys/" + f.key, nil
		}, readOwn(ok200)},
		// The target never expires, which the key at its ceiling may not leave so by changing it.
		"PATCH /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.key, map[string]any{"description": "changed"}
		}, writeOwn(ok200, no403)},
		// Revoking takes rights away: allowed on any key of the project.
		"DELETE /v1/api-keys/{id}": {func(f *accessFixture) (string, string, any) {
			return "DELETE", "/v1/api-keys/" + f.key, nil
		}, writeOwn(ok204, ok204)},
		// A rotation hands the caller the new secret of a key that never expires.
		"POST /v1/api-keys/{id}/rotate": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys/" + f.key + "/rotate", map[string]any{"grace_period_seconds": 0}
		}, writeOwn(ok201, no403)},
		"POST /v1/api-keys/revoke": {func(f *accessFixture) (string, string, any) {
			return "POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{f.key}}
		}, writeOwn(ok200, ok200)},
	}
)

// TestAccessMatrix sends every route the server registers (Server.Routes, so a new route
// cannot be left out) as each principal, each cell against a fresh server, and asserts the
// status of every cell. A route without an expectation fails the test: add it above. A refused
// request must change nothing (the whole state the API shows is compared before and after; the
// audit trail, which records refusals, aside); a write that succeeds must change it, the control
// that the comparison sees changes (a verification, and a leak report of no key, change nothing). Each row
// must also agree with the right the route declares (Server.Access): the principals of the own
// project that the row lets through are exactly those holding that right.
func TestAccessMatrix(t *testing.T) {
	api := newTestEnv(t).api
	routes := api.Routes()
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
	ownRights := map[string]keyservice.Right{"own-read": keyservice.RightRead, "own-write": keyservice.RightWrite, "own-admin": keyservice.RightAdmin}
	var table strings.Builder
	fmt.Fprintf(&table, "%-58s %s\n", "route", strings.Join(accessPrincipals, " "))
	cells := 0
	for _, route := range routes {
		c, ok := accessExpectations[route]
		if !ok {
			continue
		}
		access := api.Access(route)
		got := make([]string, len(accessPrincipals))
		for i, who := range accessPrincipals {
			if right, own := ownRights[who]; own && access != 0 {
				if allowed := c.want[i] < 400; allowed != (right >= access) {
					t.Errorf("%s: the matrix lets %s through: %t, but the route needs %s", route, who, allowed, access)
				}
			}
			f := newAccessFixture(t)
			method, path, body := c.request(f)
			before := f.e.snapshot()
			f.e.clock.Advance(time.Second) // so that a write shows in updated_at
			r := f.e.do(method, path, f.tokens[who], body)
			got[i] = fmt.Sprint(r.status)
			cells++
			if r.status != c.want[i] {
				t.Errorf("%s as %s: status %d, want %d: %s", route, who, r.status, c.want[i], r.raw)
				continue
			}
			after := f.e.snapshot()
			switch {
			case r.status >= 400:
				if code, _ := r.errorCodeField(t); code == "" {
					t.Errorf("%s as %s: %d without the error model: %s", route, who, r.status, r.raw)
				}
				if after != before {
					t.Errorf("%s as %s was refused (%d) but changed the server's state", route, who, r.status)
				}
			case method != "GET" && route != "POST /v1/verify" && route != "POST /v1/leaks" && after == before:
				t.Errorf("%s as %s succeeded (%d) but the state did not change: the comparison would not see a change", route, who, r.status)
			}
		}
		fmt.Fprintf(&table, "%-58s %s\n", route, strings.Join(got, "  "))
	}
	t.Logf("access matrix, %d cells:\n%s", cells, table.String())
}
