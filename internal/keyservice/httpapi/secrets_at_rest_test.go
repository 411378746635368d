package httpapi_test

import (
	"bytes"
	"net/http"
	"testing"
)

// TestNoSecretsAtRest reads the raw database files: neither issued keys nor
// the secrets inside recorded idempotent responses may appear in clear.
func TestNoSecretsAtRest(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	var secrets []string
	for i, name := range []string{"a", "b", "c"} {
		var opts []reqOpt
		if i > 0 {
			opts = append(opts, withHeader("Idempotency-Key", "idem-"+name))
		}
		r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": name}, opts...)
		expectStatus(t, r, http.StatusCreated)
		secrets = append(secrets, r.str(t, "key"))
	}
	r := e.admin("POST", "/v1/api-keys/"+mustID(t, e, pid, "c")+"/rotate",
		map[string]any{"grace_period_seconds": 5}, withHeader("Idempotency-Key", "idem-rotate"))
	expectStatus(t, r, http.StatusCreated)
	secrets = append(secrets, r.str(t, "key"))

	raw := e.databaseBytes()
	if len(raw) == 0 {
		t.Fatal("database files are empty")
	}
	// The test must be able to fail: prefixes are stored, so they are found.
	if !bytes.Contains(raw, []byte(secrets[0][:12])) {
		t.Fatal("key prefix not found in database bytes; is this the right file?")
	}
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("database holds a key secret in clear")
		}
		if bytes.Contains(raw, []byte(s[12:])) {
			t.Errorf("database holds the secret part of a key in clear")
		}
	}
	if bytes.Contains(raw, []byte(testAdminToken)) {
		t.Error("database holds the admin token")
	}
}

func mustID(t *testing.T, e *testEnv, pid, name string) string {
	t.Helper()
	r := e.admin("GET", "/v1/api-keys?project_id="+pid+"&name="+name, nil)
	items := r.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("want one key named %s: %s", name, r.raw)
	}
	return items[0].(map[string]any)["id"].(string)
}
