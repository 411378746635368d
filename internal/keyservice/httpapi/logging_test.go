package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestLogsHoldNoSecrets drives every secret-bearing path at debug level and
// checks that neither key secrets nor the admin token reach the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, secret := e.createKey(pid, "a", map[string]any{"scopes": []string{"keys:admin"}})
	secrets := []string{secret, testAdminToken}

	r := e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 60},
		withHeader("Idempotency-Key", "log-test"))
	secrets = append(secrets, r.str(t, "key"))
	e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 60},
		withHeader("Idempotency-Key", "log-test"))
	e.verify(secret)
	e.verify(secret[:len(secret)-1] + "x")
	e.do("GET", "/v1/api-keys?project_id="+pid, secret, nil)
	e.do("GET", "/v1/projects", "wrong-"+testAdminToken, nil)
	e.admin("POST", "/v1/api-keys", `{"name": "`+secret+`"`)

	logs := e.logs.String()
	if !strings.Contains(logs, `"route":"POST /v1/verify"`) {
		t.Fatalf("request log lines missing; got:\n%s", logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) || strings.Contains(logs, s[len(s)/2:]) {
			t.Errorf("log contains a secret")
		}
	}
	if strings.Contains(logs, "Bearer") || strings.Contains(logs, "Authorization") {
		t.Error("log mentions the Authorization header")
	}
	if r := e.do("GET", "/healthz", "", nil); r.status != http.StatusOK || r.header.Get("X-Request-Id") == "" {
		t.Error("no request id header")
	}
}
