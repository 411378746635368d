package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestBadRequestsGetNamedErrors sends raw API requests that are wrong in ways a client, a
// proxy or an attacker produces, on top of TestCreateAPIKeyValidation and
// TestRequestFormatErrors: each must get a 4xx in the error model, with a code, a message and,
// where one member, parameter or header is at fault, its name; none may get a 500 or crash
// the server.
func TestBadRequestsGetNamedErrors(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "k", nil)
	kid := k["id"].(string)
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)

	type raw struct {
		body        string
		contentType string
		headers     map[string]string
	}
	json := func(body string) raw { return raw{body: body, contentType: "application/json"} }
	cases := []struct {
		name, method, path string
		req                raw
		status             int
		code, field        string
	}{
		{"negative page size", "GET", "/v1/api-keys?project_id=" + pid + "&page_size=-1", raw{}, 400, "validation_failed", "page_size"},
		{"zero page size", "GET", "/v1/api-keys?project_id=" + pid + "&page_size=0", raw{}, 400, "validation_failed", "page_size"},
		{"page size overflowing int", "GET", "/v1/api-keys?project_id=" + pid + "&page_size=99999999999999999999", raw{}, 400, "validation_failed", "page_size"},
		{"projects negative page size", "GET", "/v1/projects?page_size=-5", raw{}, 400, "validation_failed", "page_size"},
		{"page token of another query", "GET", "/v1/api-keys?project_id=" + pid + "&page_token=" + pageTokenOf(t, e, pid), raw{}, 400, "validation_failed", "page_token"},
		{"expires_before not a time", "GET", "/v1/api-keys?project_id=" + pid + "&expires_before=yesterday", raw{}, 400, "validation_failed", "expires_before"},
		{"include_revoked not a boolean", "GET", "/v1/api-keys?project_id=" + pid + "&include_revoked=perhaps", raw{}, 400, "validation_failed", "include_revoked"},
		{"list of an unknown project", "GET", "/v1/api-keys?project_id=prj_00000000000000000000", raw{}, 404, "not_found", "project_id"},
		{"key in the query", "GET", "/v1/api-keys?project_id=" + pid + "&key=ks_abc", raw{}, 400, "validation_failed", "key"},
		{"token in the query", "GET", "/v1/projects?token=" + testAdminToken, raw{}, 400, "validation_failed", "token"},
		{"JSON nested 20000 deep", "POST", "/v1/api-keys", json(deep), 400, "validation_failed", ""},
		{"name of invalid UTF-8", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"\xff\xfe"}`), 400, "validation_failed", ""},
		{"name with control characters", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"a\u0000b"}`), 400, "validation_failed", "name"},
		{"expires_in_days beyond int", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"a","expires_in_days":1e30}`), 400, "validation_failed", "expires_in_days"},
		{"expires_in_days negative", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"a","expires_in_days":-1}`), 400, "validation_failed", "expires_in_days"},
		{"scopes as a string", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"a","scopes":"read"}`), 400, "validation_failed", "scopes"},
		{"active as a string", "POST", "/v1/api-keys", json(`{"project_id":"` + pid + `","name":"a","active":"yes"}`), 400, "validation_failed", "active"},
		{"body of JSON null", "POST", "/v1/api-keys", json(`null`), 400, "validation_failed", "project_id"},
		{"form-encoded body", "POST", "/v1/api-keys", raw{body: "project_id=" + pid + "&name=a", contentType: "application/x-www-form-urlencoded"}, 415, "validation_failed", "Content-Type"},
		{"body without a content type", "PATCH", "/v1/api-keys/" + kid, raw{body: `{"name":"b"}`}, 415, "validation_failed", "Content-Type"},
		{"content type with a bad parameter", "PATCH", "/v1/api-keys/" + kid, raw{body: `{"name":"b"}`, contentType: "application/json; charset"}, 415, "validation_failed", "Content-Type"},
		{"huge body without a length", "POST", "/v1/api-keys", raw{body: "chunked:" + strings.Repeat("x", 2<<20), contentType: "application/json"}, 413, "validation_failed", ""},
		{"patch of an unknown key", "PATCH", "/v1/api-keys/key_00000000000000000000", json(`{"name":"b"}`), 404, "not_found", "id"},
		{"patch that is an array", "PATCH", "/v1/api-keys/" + kid, json(`[{"name":"b"}]`), 400, "validation_failed", ""},
		{"patch of a read-only member", "PATCH", "/v1/api-keys/" + kid, json(`{"revoked_at":"2030-01-01T00:00:00Z"}`), 400, "validation_failed", "revoked_at"},
		{"rotate with grace as a string", "POST", "/v1/api-keys/" + kid + "/rotate", json(`{"grace_period_seconds":"60"}`), 400, "validation_failed", "grace_period_seconds"},
		{"rotate an unknown key", "POST", "/v1/api-keys/key_00000000000000000000/rotate", json(`{}`), 404, "not_found", "id"},
		{"bulk revoke without ids", "POST", "/v1/api-keys/revoke", json(`{"ids":[]}`), 400, "validation_failed", "ids"},
		{"bulk revoke of an empty id", "POST", "/v1/api-keys/revoke", json(`{"ids":["` + kid + `",""]}`), 400, "validation_failed", "ids[1]"},
		{"bulk revoke of an unknown id", "POST", "/v1/api-keys/revoke", json(`{"ids":["` + kid + `","key_00000000000000000000"]}`), 404, "not_found", "ids[1]"},
		{"bulk revoke of 1001 ids", "POST", "/v1/api-keys/revoke", json(`{"ids":[` + strings.TrimSuffix(strings.Repeat(`"`+kid+`",`, 1001), ",") + `]}`), 400, "validation_failed", "ids"},
		{"Idempotency-Key too long", "POST", "/v1/api-keys", raw{body: `{"project_id":"` + pid + `","name":"i"}`, contentType: "application/json", headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}, 400, "validation_failed", "Idempotency-Key"},
		{"If-Match of another version", "PATCH", "/v1/api-keys/" + kid, raw{body: `{"name":"b"}`, contentType: "application/json", headers: map[string]string{"If-Match": `"999"`}}, 412, "precondition_failed", "If-Match"},
		{"Authorization not Bearer", "GET", "/v1/projects", raw{headers: map[string]string{"Authorization": "Token " + testAdminToken}}, 401, "unauthorized", ""},
		{"verify without a key", "POST", "/v1/verify", json(`{}`), 401, "unauthorized", ""},
		{"verify with a key of the wrong type", "POST", "/v1/verify", json(`{"key":42}`), 400, "validation_failed", "key"},
		{"project name too long", "POST", "/v1/projects", json(`{"name":"` + strings.Repeat("p", 256) + `"}`), 400, "validation_failed", "name"},
		{"project name taken", "POST", "/v1/projects", json(`{"name":"p"}`), 409, "conflict", "name"},
		{"method the route does not have", "PUT", "/v1/api-keys/" + kid, json(`{}`), 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.sendRaw(tc.method, tc.path, tc.req.body, tc.req.contentType, tc.req.headers)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, tc.status, r.raw)
			}
			code, field := r.errorCodeField(t)
			if code != tc.code || field != tc.field {
				t.Errorf("error %q on %q, want %q on %q: %.300s", code, field, tc.code, tc.field, r.raw)
			}
			if msg, _ := r.json(t)["error"].(map[string]any)["message"].(string); len(msg) < 10 {
				t.Errorf("message %q says too little", msg)
			}
		})
	}
	if logs := e.logs.String(); strings.Contains(logs, `"status":500`) || strings.Contains(logs, "panic") {
		t.Error("a bad request made the server answer 500 or panic")
	}
	t.Logf("%d bad requests, each with a 4xx in the error model", len(cases))
}

// sendRaw sends body as is; a body starting "chunked:" goes without a Content-Length.
func (e *testEnv) sendRaw(method, path, body, contentType string, headers map[string]string) response {
	e.t.Helper()
	var rd io.Reader
	if rest, ok := strings.CutPrefix(body, "chunked:"); ok {
		rd = io.MultiReader(strings.NewReader(rest)) // hides the length from net/http
	} else if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, raw: b}
}

// pageTokenOf returns a valid page token of one list query, to be replayed on another.
func pageTokenOf(t *testing.T, e *testEnv, pid string) string {
	t.Helper()
	for i := range 2 {
		e.createKey(pid, fmt.Sprint("paged", i), nil)
	}
	r := e.admin("GET", "/v1/api-keys?project_id="+pid+"&page_size=1&sort_by=name", nil)
	token, _ := r.json(t)["next_page_token"].(string)
	if token == "" {
		t.Fatalf("no page token: %s", r.raw)
	}
	return token
}
