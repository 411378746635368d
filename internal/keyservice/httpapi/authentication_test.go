package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUnauthenticated(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, plain := e.createKey(pid, "plain", nil)
	k, revokedAdmin := e.createKey(pid, "adm", map[string]any{"scopes": []string{"keys:admin"}})
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+k["id"].(string), nil), http.StatusNoContent)

	cases := map[string]string{
		"none":          "",
		"wrong token":   "Bearer nope",
		"basic":         "Basic " + testAdminToken,
		"empty bearer":  "Bearer ",
		"token prefix":  "Bearer " + testAdminToken[:len(testAdminToken)-1],
		"revoked key":   "Bearer " + revokedAdmin,
		"malformed key": "Bearer ks_123",
	}
	for name, header := range cases {
		t.Run(name, func(t *testing.T) {
			var opts []reqOpt
			if header != "" {
				opts = append(opts, withHeader("Authorization", header))
			}
			r := e.do("GET", "/v1/api-keys?project_id="+pid, "", nil, opts...)
			expectStatus(t, r, http.StatusUnauthorized)
			if code, _ := r.errorCodeField(t); code != "unauthorized" {
				t.Errorf("code = %q", code)
			}
			if r.header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
			}
		})
	}
	// A valid key without a management scope is forbidden, not unauthorized, and told the scope
	// it lacks.
	r := e.do("GET", "/v1/api-keys?project_id="+pid, plain, nil)
	expectStatus(t, r, http.StatusForbidden)
	if scope := r.json(t)["error"].(map[string]any)["required_scope"]; scope != "keys:read" {
		t.Errorf("required_scope = %v, want keys:read: %s", scope, r.raw)
	}

	// Public endpoints need nothing.
	expectStatus(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
	expectStatus(t, e.do("GET", "/readyz", "", nil), http.StatusOK)
}

// A keys:admin key manages its own project only: another project's objects are not found
// (exactly as unknown ids are, see TestNoExistenceOracle), and the admin token's operations are
// forbidden.
func TestKeyAdminConfinedToItsProject(t *testing.T) {
	e := newTestEnv(t)
	mine := e.createProject("mine")
	theirs := e.createProject("theirs")
	_, mgmt := e.createKey(mine, "mgmt", map[string]any{"scopes": []string{"keys:admin"}, "expires_in_days": 1})
	foreign, _ := e.createKey(theirs, "foreign", nil)
	fid := foreign["id"].(string)

	// Own project: allowed (a child expires no later than the key that makes it).
	r := e.do("POST", "/v1/api-keys", mgmt, map[string]any{"project_id": mine, "name": "child", "expires_in_days": 1})
	expectStatus(t, r, http.StatusCreated)
	child := r.json(t)["id"].(string)
	expectStatus(t, e.do("GET", "/v1/api-keys?project_id="+mine, mgmt, nil), http.StatusOK)
	expectStatus(t, e.do("GET", "/v1/api-keys/"+child, mgmt, nil), http.StatusOK)
	expectStatus(t, e.do("PATCH", "/v1/api-keys/"+child, mgmt, map[string]any{"description": "x"}), http.StatusOK)
	expectStatus(t, e.do("POST", "/v1/api-keys/"+child+"/rotate", mgmt, map[string]any{"grace_period_seconds": 1}), http.StatusCreated)
	expectStatus(t, e.do("GET", "/v1/projects/"+mine, mgmt, nil), http.StatusOK)
	expectStatus(t, e.do("PATCH", "/v1/projects/"+mine, mgmt, map[string]any{"description": "mine"}), http.StatusOK)
	// Listing projects shows its own only.
	r = e.do("GET", "/v1/projects", mgmt, nil)
	expectStatus(t, r, http.StatusOK)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != mine {
		t.Errorf("GET /v1/projects as a key of %s: %s", mine, r.raw)
	}

	// Another project's objects: 404; the admin token's operations: 403.
	refused := []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "/v1/api-keys", map[string]any{"project_id": theirs, "name": "x", "expires_in_days": 1}, http.StatusNotFound},
		{"GET", "/v1/api-keys?project_id=" + theirs, nil, http.StatusNotFound},
		{"GET", "/v1/api-keys/" + fid, nil, http.StatusNotFound},
		{"PATCH", "/v1/api-keys/" + fid, map[string]any{"name": "y"}, http.StatusNotFound},
		{"DELETE", "/v1/api-keys/" + fid, nil, http.StatusNotFound},
		{"POST", "/v1/api-keys/" + fid + "/rotate", map[string]any{}, http.StatusNotFound},
		{"POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{child, fid}}, http.StatusNotFound},
		{"GET", "/v1/projects/" + theirs, nil, http.StatusNotFound},
		{"PATCH", "/v1/projects/" + theirs, map[string]any{"name": "z"}, http.StatusNotFound},
		{"DELETE", "/v1/projects/" + mine, nil, http.StatusForbidden},
		{"POST", "/v1/projects", map[string]any{"name": "new"}, http.StatusForbidden},
	}
	for _, f := range refused {
		r := e.do(f.method, f.path, mgmt, f.body)
		if r.status != f.status {
			t.Errorf("%s %s: status %d, want %d: %s", f.method, f.path, r.status, f.status, r.raw)
			continue
		}
		if code, _ := r.errorCodeField(t); code != map[int]string{404: "not_found", 403: "forbidden"}[f.status] {
			t.Errorf("%s %s: code %q", f.method, f.path, code)
		}
	}
	// The foreign key is untouched, and so is the child (the bulk revoke was refused whole).
	r = e.admin("GET", "/v1/api-keys/"+fid, nil)
	if m := r.json(t); m["revoked_at"] != nil || m["name"] != "foreign" {
		t.Errorf("foreign key changed: %s", r.raw)
	}
	if m := e.admin("GET", "/v1/api-keys/"+child, nil).json(t); m["revoked_at"] != nil {
		t.Errorf("the child was revoked by a refused bulk revoke: %v", m)
	}

	// Once the management key expires it authenticates no more.
	e.clock.Advance(25 * time.Hour)
	expectStatus(t, e.do("GET", "/v1/api-keys?project_id="+mine, mgmt, nil), http.StatusUnauthorized)
}

func TestAdminTokenCaseAndWhitespace(t *testing.T) {
	e := newTestEnv(t)
	r := e.do("GET", "/v1/projects", "", nil, withHeader("Authorization", "bearer "+testAdminToken))
	expectStatus(t, r, http.StatusOK)
	r = e.do("GET", "/v1/projects", "", nil, withHeader("Authorization", "Bearer "+strings.ToUpper(testAdminToken)))
	expectStatus(t, r, http.StatusUnauthorized)
}
