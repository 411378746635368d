package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

func TestServiceAccountCRUD(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")

	r := e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": pid, "name": "ci deployer", "description": "runs deploys"})
	expectStatus(t, r, http.StatusCreated)
	created := r.json(t)
	id := created["id"].(string)
	if created["project_id"] != pid || created["name"] != "ci deployer" || created["description"] != "runs deploys" || created["active"] != true {
		t.Fatalf("create response: %s", r.raw)
	}
	if len(id) != len("sa_")+20 /* random characters of an id */ || id[:3] != "sa_" {
		t.Fatalf("id %q is not sa_ + %d characters", id, 20 /* random characters of an id */)
	}
	for _, f := range []string{"created_at", "updated_at"} {
		if _, ok := created[f].(string); !ok {
			t.Errorf("create response lacks %s", f)
		}
	}

	// By id, and by name within the project (names may hold characters that need escaping).
	expectStatus(t, e.admin("GET", "/v1/service-accounts/"+id, nil), http.StatusOK)
	r = e.admin("GET", "/v1/service-accounts/"+url.PathEscape("ci deployer")+"?project_id="+pid, nil)
	expectStatus(t, r, http.StatusOK)
	if r.str(t, "id") != id {
		t.Fatalf("by name: %s", r.raw)
	}
	r = e.admin("GET", "/v1/service-accounts/"+url.PathEscape("ci deployer")+"?project_id="+other, nil)
	expectStatus(t, r, http.StatusNotFound)
	expectStatus(t, e.admin("GET", "/v1/service-accounts/sa_00000000000000000000", nil), http.StatusNotFound)

	// Names are unique among a project's live accounts, not across projects.
	r = e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": pid, "name": "ci deployer"})
	expectStatus(t, r, http.StatusConflict)
	if _, field := r.errorCodeField(t); field != "name" {
		t.Errorf("conflict names field %q", field)
	}
	e.createServiceAccount(other, "ci deployer")

	r = e.admin("PATCH", "/v1/service-accounts/"+id, map[string]any{"name": "deployer", "active": false, "description": nil})
	expectStatus(t, r, http.StatusOK)
	updated := r.json(t)
	if updated["name"] != "deployer" || updated["active"] != false || updated["description"] != "" {
		t.Fatalf("after patch: %s", r.raw)
	}
	// PATCH by name too.
	r = e.admin("PATCH", "/v1/service-accounts/deployer?project_id="+pid, map[string]any{"active": true})
	expectStatus(t, r, http.StatusOK)
	if r.json(t)["active"] != true {
		t.Fatalf("patch by name: %s", r.raw)
	}
	for _, body := range []any{map[string]any{"name": nil}, map[string]any{"active": nil}, map[string]any{"project_id": other}, map[string]any{"name": ""}} {
		expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+id, body), http.StatusBadRequest)
	}

	expectStatus(t, e.admin("DELETE", "/v1/service-accounts/"+id, nil), http.StatusNoContent)
	expectStatus(t, e.admin("GET", "/v1/service-accounts/"+id, nil), http.StatusNotFound)
	expectStatus(t, e.admin("GET", "/v1/service-accounts/deployer?project_id="+pid, nil), http.StatusNotFound)
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+id, map[string]any{"active": true}), http.StatusNotFound)
	expectStatus(t, e.admin("DELETE", "/v1/service-accounts/"+id, nil), http.StatusNotFound)
	e.createServiceAccount(pid, "deployer") // the name is free again
}

func TestServiceAccountValidation(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	long := make([]byte, 65535+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		body  map[string]any
		want  int
		field string
	}{
		{map[string]any{"name": "a"}, 400, "project_id"},
		{map[string]any{"project_id": pid}, 400, "name"},
		{map[string]any{"project_id": pid, "name": string(make([]byte, 256))}, 400, "name"},
		{map[string]any{"project_id": pid, "name": "a", "description": string(long)}, 400, "description"},
		{map[string]any{"project_id": pid, "name": "a", "active": "yes"}, 400, "active"},
		{map[string]any{"project_id": pid, "name": "a", "scopes": []string{}}, 400, "scopes"},
		{map[string]any{"project_id": "prj_missing", "name": "a"}, 404, "project_id"},
	}
	for i, tc := range tests {
		r := e.admin("POST", "/v1/service-accounts", tc.body)
		if r.status != tc.want {
			t.Errorf("case %d: status %d, want %d: %s", i, r.status, tc.want, r.raw)
			continue
		}
		if _, field := r.errorCodeField(t); field != tc.field {
			t.Errorf("case %d: field %q, want %q", i, field, tc.field)
		}
	}
	for _, q := range []string{"", "?project_id=" + pid + "&active=maybe", "?project_id=" + pid + "&sort_by=active"} {
		expectStatus(t, e.admin("GET", "/v1/service-accounts"+q, nil), http.StatusBadRequest)
	}
}

func TestServiceAccountListFiltersAndPaging(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	e.createServiceAccount(e.createProject("q"), "foreign")
	for i := range 5 {
		e.clock.Advance(time.Second) // created_at orders them; equal times would order by random id
		e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": pid, "name": fmt.Sprintf("sa-%d", i), "active": i%2 == 0})
	}
	list := func(query string) []string {
		t.Helper()
		var names []string
		token := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("no termination")
			}
			r := e.admin("GET", "/v1/service-accounts?project_id="+pid+"&page_size=2"+query+"&page_token="+url.QueryEscape(token), nil)
			expectStatus(t, r, http.StatusOK)
			m := r.json(t)
			for _, it := range m["items"].([]any) {
				names = append(names, it.(map[string]any)["name"].(string))
			}
			if token = m["next_page_token"].(string); token == "" {
				return names
			}
		}
	}
	if got := fmt.Sprint(list("")); got != "[sa-0 sa-1 sa-2 sa-3 sa-4]" {
		t.Errorf("all: %s", got)
	}
	if got := fmt.Sprint(list("&sort_by=-name")); got != "[sa-4 sa-3 sa-2 sa-1 sa-0]" {
		t.Errorf("by name descending: %s", got)
	}
	if got := fmt.Sprint(list("&active=false")); got != "[sa-1 sa-3]" {
		t.Errorf("inactive: %s", got)
	}
	if got := fmt.Sprint(list("&name=sa-2")); got != "[sa-2]" {
		t.Errorf("by name: %s", got)
	}
	if got := fmt.Sprint(list("&name_prefix=sa-")); got != "[sa-0 sa-1 sa-2 sa-3 sa-4]" {
		t.Errorf("by prefix: %s", got)
	}
	// A page token is bound to its query.
	r := e.admin("GET", "/v1/service-accounts?project_id="+pid+"&page_size=2", nil)
	token := r.json(t)["next_page_token"].(string)
	expectStatus(t, e.admin("GET", "/v1/service-accounts?project_id="+pid+"&active=true&page_token="+url.QueryEscape(token), nil), http.StatusBadRequest)
}

func TestKeysOfServiceAccount(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")
	sa := e.createServiceAccount(pid, "robot")
	foreign := e.createServiceAccount(other, "robot")

	k, secret := e.createKey(pid, "robot-key", map[string]any{"service_account_id": sa})
	if k["service_account_id"] != sa {
		t.Fatalf("key: %v", k)
	}
	_, plain := e.createKey(pid, "plain", nil)
	expectStatus(t, e.verify(secret), http.StatusOK)

	// The service account must be live and in the key's project.
	for _, ref := range []string{foreign, "sa_00000000000000000000"} {
		r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "x", "service_account_id": ref})
		expectStatus(t, r, http.StatusNotFound)
		if _, field := r.errorCodeField(t); field != "service_account_id" {
			t.Errorf("%s: field %q", ref, field)
		}
	}

	// Disabling the account stops its keys without touching them; enabling restores them.
	before := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t)
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": false}), http.StatusOK)
	expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	expectStatus(t, e.verify(plain), http.StatusOK)
	after := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t)
	if after["active"] != true || after["updated_at"] != before["updated_at"] {
		t.Errorf("disabling the service account wrote its key: %v -> %v", before, after)
	}
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": true}), http.StatusOK)
	expectStatus(t, e.verify(secret), http.StatusOK)

	// A keys:admin key of a disabled account cannot manage anything either.
	_, admin := e.createKey(pid, "robot-admin", map[string]any{"service_account_id": sa, "scopes": []string{keyservice.ScopeAdmin}})
	expectStatus(t, e.do("GET", "/v1/service-accounts/"+sa, admin, nil), http.StatusOK)
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": false}), http.StatusOK)
	expectStatus(t, e.do("GET", "/v1/service-accounts/"+sa, admin, nil), http.StatusUnauthorized)
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": true}), http.StatusOK)

	// Deleting the account revokes its keys, at once and for good.
	expectStatus(t, e.admin("DELETE", "/v1/service-accounts/"+sa, nil), http.StatusNoContent)
	expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	expectStatus(t, e.verify(plain), http.StatusOK)
	got := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t)
	if got["revoked_at"] == nil {
		t.Errorf("key of the deleted account not revoked: %v", got)
	}
	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "late", "service_account_id": sa})
	expectStatus(t, r, http.StatusNotFound)
}

func TestServiceAccountAccessByProjectKey(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")
	_, admin := e.createKey(pid, "admin", map[string]any{"scopes": []string{keyservice.ScopeAdmin}})
	_, reader := e.createKey(pid, "reader", map[string]any{"scopes": []string{"read"}})
	foreign := e.createServiceAccount(other, "robot")

	r := e.do("POST", "/v1/service-accounts", admin, map[string]any{"project_id": pid, "name": "robot"})
	expectStatus(t, r, http.StatusCreated)
	own := r.str(t, "id")
	expectStatus(t, e.do("PATCH", "/v1/service-accounts/"+own, admin, map[string]any{"description": "d"}), http.StatusOK)
	expectStatus(t, e.do("GET", "/v1/service-accounts?project_id="+pid, admin, nil), http.StatusOK)

	// Another project's service accounts are not found, as unknown ones are.
	expectStatus(t, e.do("POST", "/v1/service-accounts", admin, map[string]any{"project_id": other, "name": "x"}), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/service-accounts/"+foreign, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/service-accounts/robot?project_id="+other, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("DELETE", "/v1/service-accounts/"+foreign, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/service-accounts?project_id="+other, admin, nil), http.StatusNotFound)
	expectStatus(t, e.do("GET", "/v1/service-accounts/"+own, reader, nil), http.StatusForbidden)
	expectStatus(t, e.do("GET", "/v1/service-accounts/"+own, "", nil), http.StatusUnauthorized)
	expectStatus(t, e.do("DELETE", "/v1/service-accounts/"+own, admin, nil), http.StatusNoContent)
}
