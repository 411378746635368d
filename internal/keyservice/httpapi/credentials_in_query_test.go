package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// A credential in the URL is refused on every route, even alongside a valid Authorization
// header, and neither it nor the query reaches the log.
func TestCredentialsInTheURLAreRefused(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, secret := e.createKey(pid, "k", map[string]any{"scopes": []string{"keys:admin"}})
	for _, q := range []string{"key=" + secret, "token=" + testAdminToken, "api_key=" + secret, "Access_Token=" + secret, "otp=123456"} {
		for _, target := range []string{"/v1/projects", "/v1/api-keys?project_id=" + pid + "&", "/healthz", "/v1/verify", "/nowhere"} {
			sep := "?"
			if strings.HasSuffix(target, "&") {
				sep = ""
			}
			method := "GET"
			if target == "/v1/verify" {
				method = "POST"
			}
			r := e.admin(method, target+sep+q, nil)
			expectStatus(t, r, http.StatusBadRequest)
			code, field := r.errorCodeField(t)
			name, _, _ := strings.Cut(q, "=")
			if code != "validation_failed" || field != strings.ToLower(name) {
				t.Errorf("%s %s: %q %q", method, target, code, field)
			}
			if strings.Contains(string(r.raw), secret) || strings.Contains(string(r.raw), testAdminToken) {
				t.Errorf("the answer echoes the credential: %s", r.raw)
			}
		}
	}
	logs := e.logs.String()
	if strings.Contains(logs, secret) || strings.Contains(logs, testAdminToken) || strings.Contains(logs, "123456") {
		t.Fatal("a credential sent in a URL reached the log")
	}
	// Ordinary filters are not mistaken for credentials.
	expectStatus(t, e.admin("GET", "/v1/api-keys?project_id="+pid+"&name=key&scope=token", nil), http.StatusOK)
}
