package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

func TestEnvironmentCRUD(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")

	r := e.admin("POST", "/v1/environments", map[string]any{"project_id": pid, "name": "production", "description": "live"})
	expectStatus(t, r, http.StatusCreated)
	env := r.json(t)
	id := env["id"].(string)
	if !strings.HasPrefix(id, "env_") || env["name"] != "production" || env["description"] != "live" || env["project_id"] != pid {
		t.Fatalf("create response: %s", r.raw)
	}
	expectStatus(t, e.admin("GET", "/v1/environments/"+id, nil), http.StatusOK)

	r = e.admin("POST", "/v1/environments", map[string]any{"project_id": pid, "name": "production"})
	expectStatus(t, r, http.StatusConflict)
	e.createEnvironment(other, "production") // unique per project only

	for _, name := range []string{"", "Production", "1st", "prod_eu", "-x", strings.Repeat("a", 33), "prod eu"} {
		r := e.admin("POST", "/v1/environments", map[string]any{"project_id": pid, "name": name})
		expectStatus(t, r, http.StatusBadRequest)
		if _, field := r.errorCodeField(t); field != "name" {
			t.Errorf("name %q: field %q", name, field)
		}
	}
	e.createEnvironment(pid, strings.Repeat("a", 32))

	e.clock.Advance(time.Second)
	staging := e.createEnvironment(pid, "staging")
	r = e.admin("GET", "/v1/environments?project_id="+pid+"&page_size=2", nil)
	expectStatus(t, r, http.StatusOK)
	page := r.json(t)
	token := page["next_page_token"].(string)
	if len(page["items"].([]any)) != 2 || token == "" {
		t.Fatalf("first page: %s", r.raw)
	}
	r = e.admin("GET", "/v1/environments?project_id="+pid+"&page_size=2&page_token="+token, nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != staging {
		t.Fatalf("second page: %s", r.raw)
	}
	r = e.admin("GET", "/v1/environments?project_id="+pid+"&name=staging", nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("by name: %s", r.raw)
	}
	expectStatus(t, e.admin("GET", "/v1/environments", nil), http.StatusBadRequest)

	r = e.admin("PATCH", "/v1/environments/"+id, map[string]any{"name": "prod"})
	expectStatus(t, r, http.StatusOK)
	if r.json(t)["name"] != "prod" {
		t.Fatalf("rename: %s", r.raw)
	}
	expectStatus(t, e.admin("PATCH", "/v1/environments/"+id, map[string]any{"name": "staging"}), http.StatusConflict)
	expectStatus(t, e.admin("PATCH", "/v1/environments/"+id, map[string]any{"name": "Bad"}), http.StatusBadRequest)

	expectStatus(t, e.admin("DELETE", "/v1/environments/"+id, nil), http.StatusNoContent)
	expectStatus(t, e.admin("GET", "/v1/environments/"+id, nil), http.StatusNotFound)
	expectStatus(t, e.admin("DELETE", "/v1/environments/"+id, nil), http.StatusNotFound)
}

func TestKeysBoundToEnvironment(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	env := e.createEnvironment(pid, "production")
	foreign := e.createEnvironment(e.createProject("q"), "production")

	k, secret := e.createKey(pid, "api", map[string]any{"environment_id": env})
	if !strings.HasPrefix(secret, "ks_production_") {
		t.Fatalf("secret of a production key does not say so: prefix %q", k["key_prefix"])
	}
	if k["key_prefix"] != secret[:len("ks_production_")+9 /* secret characters in key_prefix */] || k["environment_id"] != env {
		t.Fatalf("key_prefix %v for a production key", k["key_prefix"])
	}
	v := e.verify(secret)
	expectStatus(t, v, http.StatusOK)
	if v.json(t)["environment_id"] != env {
		t.Errorf("verify: %s", v.raw)
	}

	for _, ref := range []string{foreign, "env_00000000000000000000"} {
		r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "x", "environment_id": ref})
		expectStatus(t, r, http.StatusNotFound)
		if _, field := r.errorCodeField(t); field != "environment_id" {
			t.Errorf("%s: field %q", ref, field)
		}
	}

	// A renamed environment shows in keys issued from then on, rotations included.
	expectStatus(t, e.admin("PATCH", "/v1/environments/"+env, map[string]any{"name": "prod"}), http.StatusOK)
	r := e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 60})
	expectStatus(t, r, http.StatusCreated)
	rotated := r.json(t)
	if !strings.HasPrefix(rotated["key"].(string), "ks_prod_") || !strings.HasPrefix(rotated["key_prefix"].(string), "ks_prod_") {
		t.Errorf("rotated key prefix %v", rotated["key_prefix"])
	}
	expectStatus(t, e.verify(secret), http.StatusOK) // the old one, in its grace period

	// Deleting an environment with keys that still work is refused.
	r = e.admin("DELETE", "/v1/environments/"+env, nil)
	expectStatus(t, r, http.StatusConflict)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+rotated["id"].(string), nil), http.StatusNoContent)
	expectStatus(t, e.admin("DELETE", "/v1/environments/"+env, nil), http.StatusConflict) // old key still in grace
	e.clock.Advance(2 * time.Minute)
	expectStatus(t, e.admin("DELETE", "/v1/environments/"+env, nil), http.StatusNoContent)
	r = e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "late", "environment_id": env})
	expectStatus(t, r, http.StatusNotFound)
}

func TestEnvironmentAccessByProjectKey(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")
	_, admin := e.createKey(pid, "admin", map[string]any{"scopes": []string{keyservice.ScopeAdmin}})
	foreign := e.createEnvironment(other, "production")

	r := e.do("POST", "/v1/environments", admin, map[string]any{"project_id": pid, "name": "staging"})
	expectStatus(t, r, http.StatusCreated)
	expectStatus(t, e.do("GET", "/v1/environments/"+r.str(t, "id"), admin, nil), http.StatusOK)
	// Another project's environments are not found, as unknown ones are.
	expectStatus(t, e.do("POST", "/v1/environments", admin, map[string]any{"project_id": other, "name": "x"}), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/environments/"+foreign, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("PATCH", "/v1/environments/"+foreign, admin, map[string]any{"name": "x"}), http.StatusNotFound)
	expectStatus(t, e.do("DELETE", "/v1/environments/"+foreign, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/environments?project_id="+other, admin, nil), http.StatusNotFound)
	expectStatus(t, e.admin("GET", "/v1/environments/"+foreign, nil), http.StatusOK)
}

func TestDeleteProjectDeletesItsAccountsAndEnvironments(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	sa := e.createServiceAccount(pid, "robot")
	env := e.createEnvironment(pid, "production")
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid, nil), http.StatusNoContent)
	expectStatus(t, e.admin("GET", "/v1/service-accounts/"+sa, nil), http.StatusNotFound)
	expectStatus(t, e.admin("GET", "/v1/environments/"+env, nil), http.StatusNotFound)
}
