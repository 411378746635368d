package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestNoExistenceOracle: for a key principal, an id of another project's key, service account,
// environment or project answers exactly as an id that names nothing: the same status (404, or
// the same 400 when the request is also malformed) and the same body, byte for byte; every
// route that takes an id, a project_id, a service_account_id or an environment_id, and nothing
// changes.
//
// Regression (issue 12): a foreign project's key id answered 403 where an unknown id answered
// 404, telling a key of one project which ids exist in the others.
func TestNoExistenceOracle(t *testing.T) {
	e := newTestEnv(t)
	own := e.createProject("own")
	other := e.createProject("other")
	_, manager := e.createKey(own, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	foreignKey, _ := e.createKey(other, "foreign", nil)
	foreign := map[string]string{
		"key": foreignKey["id"].(string), "sa": e.createServiceAccount(other, "robot"),
		"env": e.createEnvironment(other, "staging"), "prj": other,
	}
	unknown := map[string]string{
		"key": "key_00000000000000000000", "sa": "sa_00000000000000000000",
		"env": "env_00000000000000000000", "prj": "prj_00000000000000000000",
	}
	// Each request names the id it is about as {key}, {sa}, {env} or {prj}, in its path or body.
	requests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/v1/api-keys/{key}", "", http.StatusNotFound},
		{"PATCH", "/v1/api-keys/{key}", `{"description":"x"}`, http.StatusNotFound},
		{"PATCH", "/v1/api-keys/{key}", `{"name":""}`, http.StatusNotFound}, // looked up before the body is
		{"DELETE", "/v1/api-keys/{key}", "", http.StatusNotFound},
		{"POST", "/v1/api-keys/{key}/rotate", `{"grace_period_seconds":0}`, http.StatusNotFound},
		{"POST", "/v1/api-keys/revoke", `{"ids":["{key}"]}`, http.StatusNotFound},
		{"GET", "/v1/api-keys?project_id={prj}", "", http.StatusNotFound},
		{"GET", "/v1/api-keys?project_id={prj}&sort_by=size", "", http.StatusBadRequest},
		{"POST", "/v1/api-keys", `{"project_id":"{prj}","name":"x"}`, http.StatusNotFound},
		{"POST", "/v1/api-keys", `{"project_id":"{prj}","name":""}`, http.StatusBadRequest},
		{"POST", "/v1/api-keys", `{"project_id":"` + own + `","name":"x","service_account_id":"{sa}"}`, http.StatusNotFound},
		{"POST", "/v1/api-keys", `{"project_id":"` + own + `","name":"x","environment_id":"{env}"}`, http.StatusNotFound},
		{"GET", "/v1/service-accounts/{sa}", "", http.StatusNotFound},
		{"GET", "/v1/service-accounts/robot?project_id={prj}", "", http.StatusNotFound},
		{"PATCH", "/v1/service-accounts/{sa}", `{"description":"x"}`, http.StatusNotFound},
		{"DELETE", "/v1/service-accounts/{sa}", "", http.StatusNotFound},
		{"DELETE", "/v1/service-accounts/robot?project_id={prj}", "", http.StatusNotFound},
		{"GET", "/v1/service-accounts?project_id={prj}", "", http.StatusNotFound},
		{"POST", "/v1/service-accounts", `{"project_id":"{prj}","name":"x"}`, http.StatusNotFound},
		{"GET", "/v1/environments/{env}", "", http.StatusNotFound},
		{"PATCH", "/v1/environments/{env}", `{"description":"x"}`, http.StatusNotFound},
		{"DELETE", "/v1/environments/{env}", "", http.StatusNotFound},
		{"GET", "/v1/environments?project_id={prj}", "", http.StatusNotFound},
		{"POST", "/v1/environments", `{"project_id":"{prj}","name":"x"}`, http.StatusNotFound},
		{"GET", "/v1/projects/{prj}", "", http.StatusNotFound},
		{"PATCH", "/v1/projects/{prj}", `{"description":"x"}`, http.StatusNotFound},
		{"POST", "/v1/projects/{prj}/webhook-signing-secret/rotate", "", http.StatusNotFound},
	}
	fill := func(s string, ids map[string]string) string {
		for name, id := range ids {
			s = strings.ReplaceAll(s, "{"+name+"}", id)
		}
		return s
	}
	before := e.snapshot()
	for _, r := range requests {
		var answers [2]response
		for i, ids := range []map[string]string{foreign, unknown} {
			var body any
			if r.body != "" {
				body = fill(r.body, ids)
			}
			answers[i] = e.do(r.method, fill(r.path, ids), manager, body)
		}
		if answers[0].status != r.status || answers[1].status != r.status {
			t.Errorf("%s %s: foreign %d, unknown %d, want both %d: %s / %s", r.method, r.path,
				answers[0].status, answers[1].status, r.status, answers[0].raw, answers[1].raw)
			continue
		}
		if !bytes.Equal(answers[0].raw, answers[1].raw) {
			t.Errorf("%s %s: the answers differ:\nforeign: %s\nunknown: %s", r.method, r.path, answers[0].raw, answers[1].raw)
		}
	}
	if e.snapshot() != before {
		t.Error("the requests about another project's objects changed the server's state")
	}
}
