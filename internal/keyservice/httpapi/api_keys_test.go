package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

var apiKeyFields = []string{
	"id", "project_id", "service_account_id", "environment_id", "name", "description", "key_prefix",
	"scopes", "active", "expires_at", "last_used_at", "created_at", "updated_at", "revoked_at",
	"replaced_by_key_id", "grace_expires_at", "rotation_interval_days", "next_rotation_at",
	"rotation_webhook_url",
}

func TestAPIKeyRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	saID := e.createServiceAccount(pid, "robot")

	created, secret := e.createKey(pid, "ci", map[string]any{
		"description": "ci key", "scopes": []string{"read", "write:all"},
		"expires_in_days": 30, "service_account_id": saID, "rotation_interval_days": 7,
		"rotation_webhook_url": "https://hooks.example.com/rotate",
	})
	for _, f := range append(slices.Clone(apiKeyFields), "key") {
		if _, ok := created[f]; !ok {
			t.Errorf("create response lacks %q", f)
		}
	}
	if err := keyservice.ParseKey(secret); err != nil {
		t.Fatalf("issued key does not parse: %v", err)
	}
	if created["key_prefix"] != secret[:12] {
		t.Errorf("key_prefix = %v, want %q", created["key_prefix"], secret[:12])
	}
	id := created["id"].(string)
	if !strings.HasPrefix(id, "key_") || len(id) != 24 {
		t.Errorf("id = %q", id)
	}
	now := e.clock.Now()
	if created["expires_at"] != apiTime(now.AddDate(0, 0, 30)) {
		t.Errorf("expires_at = %v", created["expires_at"])
	}
	if created["next_rotation_at"] != apiTime(now.AddDate(0, 0, 7)) {
		t.Errorf("next_rotation_at = %v", created["next_rotation_at"])
	}
	if created["active"] != true {
		t.Errorf("active default = %v", created["active"])
	}

	r := e.admin("GET", "/v1/api-keys/"+id, nil)
	expectStatus(t, r, http.StatusOK)
	got := r.json(t)
	if _, ok := got["key"]; ok {
		t.Error("GET returned the secret")
	}
	for _, f := range apiKeyFields {
		if fmt.Sprint(got[f]) != fmt.Sprint(created[f]) {
			t.Errorf("GET %s = %v, create said %v", f, got[f], created[f])
		}
	}

	v := e.verify(secret)
	expectStatus(t, v, http.StatusOK)
	vm := v.json(t)
	if vm["id"] != id || vm["project_id"] != pid || vm["service_account_id"] != saID {
		t.Errorf("verify = %s", v.raw)
	}
	r = e.admin("GET", "/v1/api-keys/"+id, nil)
	if r.json(t)["last_used_at"] == nil {
		t.Error("verify did not record last_used_at")
	}

	e.clock.Advance(time.Minute)
	r = e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{
		"name": "ci2", "active": false, "expires_at": nil, "scopes": []string{"x"},
	})
	expectStatus(t, r, http.StatusOK)
	p := r.json(t)
	if p["name"] != "ci2" || p["active"] != false || p["expires_at"] != nil ||
		fmt.Sprint(p["scopes"]) != "[x]" || p["description"] != "ci key" ||
		p["rotation_interval_days"] != float64(7) {
		t.Errorf("patch result: %s", r.raw)
	}
	if p["updated_at"] == created["updated_at"] {
		t.Error("updated_at did not move")
	}
	// Disabled keys do not verify; re-enabled ones do again.
	expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{"active": true}), http.StatusOK)
	expectStatus(t, e.verify(secret), http.StatusOK)

	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+id, nil), http.StatusNoContent)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+id, nil), http.StatusNoContent)
	r = e.admin("GET", "/v1/api-keys/"+id, nil)
	expectStatus(t, r, http.StatusOK)
	if r.json(t)["revoked_at"] == nil {
		t.Error("revoked_at not set")
	}
	r = e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{"name": "again"})
	expectStatus(t, r, http.StatusConflict)
	expectStatus(t, e.admin("GET", "/v1/api-keys/key_doesnotexist0000000", nil), http.StatusNotFound)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/key_doesnotexist0000000", nil), http.StatusNotFound)
}

func TestRevokedKeyFailsVerifyAtOnce(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, secret := e.createKey(pid, "k", nil)
	expectStatus(t, e.verify(secret), http.StatusOK)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+k["id"].(string), nil), http.StatusNoContent)
	r := e.verify(secret)
	expectStatus(t, r, http.StatusUnauthorized)
	if code, _ := r.errorCodeField(t); code != "unauthorized" {
		t.Errorf("code = %q", code)
	}
}

func TestVerifyUniformFailures(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, secret := e.createKey(pid, "k", map[string]any{"expires_in_days": 1})
	unknown, _ := keyservice.GenerateKey("")
	cases := map[string]string{
		"garbage":      "not-a-key",
		"bad checksum": secret[:len(secret)-1] + flipBase62(secret[len(secret)-1]),
		"unknown":      unknown,
		"empty":        "",
	}
	var messages []string
	for name, key := range cases {
		r := e.verify(key)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, r.status)
			continue
		}
		messages = append(messages, string(r.raw))
	}
	e.clock.Advance(25 * time.Hour)
	r := e.verify(secret)
	expectStatus(t, r, http.StatusUnauthorized)
	messages = append(messages, string(r.raw))
	for _, m := range messages {
		if m != messages[0] {
			t.Errorf("non-uniform 401 bodies: %q vs %q", m, messages[0])
		}
	}
}

func flipBase62(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestCreateAPIKeyValidation(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	past := e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
	future := e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	manyScopes := make([]string, 51)
	for i := range manyScopes {
		manyScopes[i] = fmt.Sprintf("s%d", i)
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"missing project", map[string]any{"name": "a"}, 400, "project_id"},
		{"unknown project", map[string]any{"project_id": "prj_nope", "name": "a"}, 404, "project_id"},
		{"missing name", map[string]any{"project_id": pid}, 400, "name"},
		{"long name", map[string]any{"project_id": pid, "name": strings.Repeat("n", 256)}, 400, "name"},
		{"long description", map[string]any{"project_id": pid, "name": "a", "description": strings.Repeat("d", 65536)}, 400, "description"},
		{"bad scope", map[string]any{"project_id": pid, "name": "a", "scopes": []string{"ok", "ok2", "Bad"}}, 400, "scopes[2]"},
		{"duplicate scope", map[string]any{"project_id": pid, "name": "a", "scopes": []string{"x", "x"}}, 400, "scopes[1]"},
		{"too many scopes", map[string]any{"project_id": pid, "name": "a", "scopes": manyScopes}, 400, "scopes"},
		{"long scope", map[string]any{"project_id": pid, "name": "a", "scopes": []string{"a" + strings.Repeat("b", 64)}}, 400, "scopes[0]"},
		{"past expiry", map[string]any{"project_id": pid, "name": "a", "expires_at": past}, 400, "expires_at"},
		{"bad expiry", map[string]any{"project_id": pid, "name": "a", "expires_at": "tomorrow"}, 400, "expires_at"},
		{"both expiries", map[string]any{"project_id": pid, "name": "a", "expires_at": future, "expires_in_days": 1}, 400, "expires_in_days"},
		{"zero days", map[string]any{"project_id": pid, "name": "a", "expires_in_days": 0}, 400, "expires_in_days"},
		{"too many days", map[string]any{"project_id": pid, "name": "a", "expires_in_days": 3651}, 400, "expires_in_days"},
		{"rotation interval", map[string]any{"project_id": pid, "name": "a", "rotation_interval_days": 0}, 400, "rotation_interval_days"},
		{"webhook scheme", map[string]any{"project_id": pid, "name": "a", "rotation_webhook_url": "ftp://x"}, 400, "rotation_webhook_url"},
		{"empty service account", map[string]any{"project_id": pid, "name": "a", "service_account_id": ""}, 400, "service_account_id"},
		{"wrong type", map[string]any{"project_id": pid, "name": 5}, 400, "name"},
		{"unknown field", map[string]any{"project_id": pid, "name": "a", "colour": "red"}, 400, "colour"},
		{"ok", map[string]any{"project_id": pid, "name": "a", "expires_at": future, "scopes": []string{"a.b:c-d_e"}}, 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.admin("POST", "/v1/api-keys", tc.body)
			expectStatus(t, r, tc.status)
			if tc.status >= 400 {
				code, field := r.errorCodeField(t)
				if field != tc.field {
					t.Errorf("field = %q, want %q (%s)", field, tc.field, r.raw)
				}
				if tc.status == 400 && code != "validation_failed" {
					t.Errorf("code = %q", code)
				}
			}
		})
	}
}

func TestRequestFormatErrors(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "k", nil)
	kid := k["id"].(string)

	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		contentType string
		status      int
		field       string
	}{
		{"invalid json", "POST", "/v1/api-keys", `{"name":`, "application/json", 400, ""},
		{"not an object", "POST", "/v1/api-keys", `[1,2]`, "application/json", 400, ""},
		{"trailing data", "POST", "/v1/api-keys", `{} {}`, "application/json", 400, ""},
		{"wrong content type", "POST", "/v1/api-keys", `{}`, "text/plain", 415, "Content-Type"},
		{"too large", "POST", "/v1/api-keys", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, "application/json", 413, ""},
		{"patch unknown field", "PATCH", "/v1/api-keys/" + kid, `{"key_prefix":"x"}`, "application/json", 400, "key_prefix"},
		{"patch null name", "PATCH", "/v1/api-keys/" + kid, `{"name":null}`, "application/json", 400, "name"},
		{"patch past expiry", "PATCH", "/v1/api-keys/" + kid, `{"expires_at":"2000-01-01T00:00:00Z"}`, "application/json", 400, "expires_at"},
		{"patch bad scopes", "PATCH", "/v1/api-keys/" + kid, `{"scopes":["ok","NO"]}`, "application/json", 400, "scopes[1]"},
		{"rotate negative grace", "POST", "/v1/api-keys/" + kid + "/rotate", `{"grace_period_seconds":-1}`, "application/json", 400, "grace_period_seconds"},
		{"rotate long grace", "POST", "/v1/api-keys/" + kid + "/rotate", `{"grace_period_seconds":2592001}`, "application/json", 400, "grace_period_seconds"},
		{"list without project", "GET", "/v1/api-keys", "", "", 400, "project_id"},
		{"list page size", "GET", "/v1/api-keys?project_id=" + pid + "&page_size=1001", "", "", 400, "page_size"},
		{"list page size text", "GET", "/v1/api-keys?project_id=" + pid + "&page_size=x", "", "", 400, "page_size"},
		{"list page token", "GET", "/v1/api-keys?project_id=" + pid + "&page_token=%21%21", "", "", 400, "page_token"},
		{"list sort", "GET", "/v1/api-keys?project_id=" + pid + "&sort_by=id", "", "", 400, "sort_by"},
		{"list active", "GET", "/v1/api-keys?project_id=" + pid + "&active=maybe", "", "", 400, "active"},
		{"unknown route", "GET", "/v1/nothing", "", "", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			opts := []reqOpt{}
			if tc.contentType != "" {
				opts = append(opts, withHeader("Content-Type", tc.contentType))
			}
			r := e.admin(tc.method, tc.path, body, opts...)
			expectStatus(t, r, tc.status)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if _, field := r.errorCodeField(t); field != tc.field {
				t.Errorf("field = %q, want %q (%s)", field, tc.field, r.raw)
			}
		})
	}
}

func TestDuplicateLiveNameAndReuseAfterRevoke(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")
	k, _ := e.createKey(pid, "deploy", nil)

	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "deploy"})
	expectStatus(t, r, http.StatusConflict)
	if code, field := r.errorCodeField(t); code != "conflict" || field != "name" {
		t.Errorf("code=%q field=%q", code, field)
	}
	// Names are unique per project only.
	e.createKey(other, "deploy", nil)

	// Renaming onto a live name conflicts too.
	k2, _ := e.createKey(pid, "other", nil)
	r = e.admin("PATCH", "/v1/api-keys/"+k2["id"].(string), map[string]any{"name": "deploy"})
	expectStatus(t, r, http.StatusConflict)

	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+k["id"].(string), nil), http.StatusNoContent)
	e.createKey(pid, "deploy", nil)
}

func TestBulkRevoke(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	a, sa := e.createKey(pid, "a", nil)
	b, sb := e.createKey(pid, "b", nil)
	ida, idb := a["id"].(string), b["id"].(string)

	r := e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{ida, "key_missing000000000000"}})
	expectStatus(t, r, http.StatusNotFound)
	if _, field := r.errorCodeField(t); field != "ids[1]" {
		t.Errorf("404 does not name the id's place in the list: %s", r.raw)
	}
	expectStatus(t, e.verify(sa), http.StatusOK) // nothing revoked

	r = e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{ida, idb}})
	expectStatus(t, r, http.StatusOK)
	if fmt.Sprint(r.json(t)["revoked"]) != fmt.Sprint([]any{ida, idb}) {
		t.Errorf("revoked = %s", r.raw)
	}
	expectStatus(t, e.verify(sa), http.StatusUnauthorized)
	expectStatus(t, e.verify(sb), http.StatusUnauthorized)
}

func TestListFiltersPagingAndSort(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	other := e.createProject("q")
	e.createKey(other, "foreign", nil)
	saEven := e.createServiceAccount(pid, "even")

	var ids []string
	for i := range 23 {
		extra := map[string]any{"scopes": []string{"read"}}
		if i%2 == 0 {
			extra["scopes"] = []string{"read", "write"}
			extra["service_account_id"] = saEven
		}
		if i%3 == 0 {
			extra["active"] = false
		}
		if i%4 != 0 {
			extra["expires_in_days"] = 30 - i
		}
		k, _ := e.createKey(pid, fmt.Sprintf("key-%02d", (i*7)%23), extra)
		ids = append(ids, k["id"].(string))
		e.clock.Advance(time.Second)
	}
	// One revoked key and one replaced key, hidden by default.
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+ids[1], nil), http.StatusNoContent)
	expectStatus(t, e.admin("POST", "/v1/api-keys/"+ids[2]+"/rotate", map[string]any{"grace_period_seconds": 60}), http.StatusCreated)

	listAll := func(query string, pageSize int) []map[string]any {
		t.Helper()
		var out []map[string]any
		seen := map[string]bool{}
		token := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("paging does not terminate")
			}
			q := fmt.Sprintf("/v1/api-keys?project_id=%s&page_size=%d&page_token=%s%s", pid, pageSize, url.QueryEscape(token), query)
			r := e.admin("GET", q, nil)
			expectStatus(t, r, http.StatusOK)
			m := r.json(t)
			items := m["items"].([]any)
			if len(items) > pageSize {
				t.Fatalf("page of %d > page_size %d", len(items), pageSize)
			}
			for _, it := range items {
				k := it.(map[string]any)
				if seen[k["id"].(string)] {
					t.Fatalf("%s: duplicate %s across pages", query, k["id"])
				}
				seen[k["id"].(string)] = true
				out = append(out, k)
			}
			token, _ = m["next_page_token"].(string)
			if token == "" {
				return out
			}
		}
	}

	all := listAll("", 5)
	if len(all) != 22 { // 23 created + 1 rotated-in - 1 revoked - 1 replaced
		t.Fatalf("default list has %d keys, want 22", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1]["created_at"].(string) > all[i]["created_at"].(string) {
			t.Fatalf("not sorted by created_at")
		}
	}
	if n := len(listAll("&include_revoked=true", 4)); n != 24 {
		t.Errorf("include_revoked list has %d keys, want 24", n)
	}

	byName := listAll("&sort_by=name", 3)
	for i := 1; i < len(byName); i++ {
		if byName[i-1]["name"].(string) > byName[i]["name"].(string) {
			t.Fatalf("not sorted by name: %v then %v", byName[i-1]["name"], byName[i]["name"])
		}
	}
	byNameDesc := listAll("&sort_by=-name", 7)
	for i := 1; i < len(byNameDesc); i++ {
		if byNameDesc[i-1]["name"].(string) < byNameDesc[i]["name"].(string) {
			t.Fatalf("not sorted by -name")
		}
	}
	byExpiry := listAll("&sort_by=expires_at", 4)
	if len(byExpiry) != 22 {
		t.Fatalf("expires_at sort lost keys: %d", len(byExpiry))
	}
	sawNull := false
	for i, k := range byExpiry {
		if k["expires_at"] == nil {
			sawNull = true
			continue
		}
		if sawNull {
			t.Fatalf("key with expiry after a key without")
		}
		if i > 0 && byExpiry[i-1]["expires_at"] != nil && byExpiry[i-1]["expires_at"].(string) > k["expires_at"].(string) {
			t.Fatalf("not sorted by expires_at")
		}
	}
	if n := len(listAll("&sort_by=-expires_at", 5)); n != 22 {
		t.Errorf("-expires_at sort has %d keys", n)
	}

	count := func(query string, pred func(map[string]any) bool) {
		t.Helper()
		got := listAll(query, 1000)
		want := 0
		for _, k := range all {
			if pred(k) {
				want++
			}
		}
		for _, k := range got {
			if !pred(k) {
				t.Errorf("%s returned non-matching key %v", query, k["name"])
			}
		}
		if len(got) != want {
			t.Errorf("%s: %d keys, want %d", query, len(got), want)
		}
	}
	hasScope := func(s string) func(map[string]any) bool {
		return func(k map[string]any) bool { return slices.Contains(k["scopes"].([]any), any(s)) }
	}
	count("&scope=write", hasScope("write"))
	count("&active=false", func(k map[string]any) bool { return k["active"] == false })
	count("&active=true", func(k map[string]any) bool { return k["active"] == true })
	count("&service_account_id="+saEven, func(k map[string]any) bool { return k["service_account_id"] == saEven })
	count("&name=key-05", func(k map[string]any) bool { return k["name"] == "key-05" })
	count("&name_prefix=key-1", func(k map[string]any) bool { return strings.HasPrefix(k["name"].(string), "key-1") })
	cut := apiTime(e.clock.Now().AddDate(0, 0, 20))
	count("&expires_before="+url.QueryEscape(cut), func(k map[string]any) bool {
		return k["expires_at"] != nil && k["expires_at"].(string) < cut
	})

	// A token only continues the query it came from.
	r := e.admin("GET", "/v1/api-keys?project_id="+pid+"&page_size=2", nil)
	token := r.json(t)["next_page_token"].(string)
	r = e.admin("GET", "/v1/api-keys?project_id="+pid+"&page_size=2&sort_by=name&page_token="+token, nil)
	expectStatus(t, r, http.StatusBadRequest)
}
