package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
)

func TestProjectsCRUD(t *testing.T) {
	e := newTestEnv(t)

	r := e.admin("POST", "/v1/projects", map[string]any{"name": "payments", "description": "pay"})
	expectStatus(t, r, http.StatusCreated)
	p := r.json(t)
	id := p["id"].(string)
	for _, f := range []string{"id", "name", "description", "created_at", "updated_at"} {
		if _, ok := p[f]; !ok {
			t.Errorf("project lacks %q: %s", f, r.raw)
		}
	}
	if len(id) != len("prj_")+20 || id[:4] != "prj_" {
		t.Errorf("id = %q, want prj_ + 20 chars", id)
	}

	r = e.admin("GET", "/v1/projects/"+id, nil)
	expectStatus(t, r, http.StatusOK)
	if got := r.str(t, "name"); got != "payments" {
		t.Errorf("name = %q", got)
	}

	r = e.admin("POST", "/v1/projects", map[string]any{"name": "payments"})
	expectStatus(t, r, http.StatusConflict)
	if code, field := r.errorCodeField(t); code != "conflict" || field != "name" {
		t.Errorf("duplicate project: code=%q field=%q", code, field)
	}

	r = e.admin("PATCH", "/v1/projects/"+id, map[string]any{"description": "new"})
	expectStatus(t, r, http.StatusOK)
	if r.str(t, "description") != "new" || r.str(t, "name") != "payments" {
		t.Errorf("patch result: %s", r.raw)
	}

	r = e.admin("PATCH", "/v1/projects/"+id, map[string]any{"name": ""})
	expectStatus(t, r, http.StatusBadRequest)

	// Delete revokes the project's keys in the same write.
	_, secret := e.createKey(id, "k", nil)
	expectStatus(t, e.verify(secret), http.StatusOK)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+id, nil), http.StatusNoContent)
	expectStatus(t, e.admin("GET", "/v1/projects/"+id, nil), http.StatusNotFound)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+id, nil), http.StatusNotFound)
	expectStatus(t, e.verify(secret), http.StatusUnauthorized)

	// The name is free again once the project is deleted.
	e.createProject("payments")
}

func TestProjectsListPaging(t *testing.T) {
	e := newTestEnv(t)
	want := map[string]bool{}
	for i := range 7 {
		want[e.createProject(fmt.Sprintf("p%d", i))] = true
	}
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not terminate")
		}
		r := e.admin("GET", "/v1/projects?page_size=3&page_token="+token, nil)
		expectStatus(t, r, http.StatusOK)
		m := r.json(t)
		for _, it := range m["items"].([]any) {
			id := it.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("duplicate %s", id)
			}
			seen[id] = true
		}
		token, _ = m["next_page_token"].(string)
		if token == "" {
			break
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("saw %d projects, want %d", len(seen), len(want))
	}
	r := e.admin("GET", "/v1/projects?page_size=0", nil)
	expectStatus(t, r, http.StatusBadRequest)
	if _, f := r.errorCodeField(t); f != "page_size" {
		t.Errorf("field = %q", f)
	}
	r = e.admin("GET", "/v1/projects?page_token=garbage", nil)
	expectStatus(t, r, http.StatusBadRequest)
	if _, f := r.errorCodeField(t); f != "page_token" {
		t.Errorf("field = %q", f)
	}
}
