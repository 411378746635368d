package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func enableOTP(t *testing.T, e *testEnv, projectID string) []byte {
	t.Helper()
	r := e.admin("POST", "/v1/projects/"+projectID+"/otp", nil)
	expectStatus(t, r, http.StatusCreated)
	m := r.json(t)
	secret, err := totpEncoding.DecodeString(m["otp_secret"].(string))
	if err != nil || len(secret) != totpSecretBytes {
		t.Fatalf("otp_secret %q: %v", m["otp_secret"], err)
	}
	u, err := url.Parse(m["otpauth_uri"].(string))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != m["otp_secret"] || u.Query().Get("digits") != "6" {
		t.Fatalf("otpauth_uri %q", m["otpauth_uri"])
	}
	return secret
}

func TestProjectOTPGuardsCreateRotateAndRevoke(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("guarded")
	other := e.createProject("open")
	before, _ := e.createKey(pid, "before", nil)
	_, mgmt := e.createKey(pid, "mgmt", map[string]any{"scopes": []string{"keys:admin"}})
	secret := enableOTP(t, e, pid)

	if got := e.admin("GET", "/v1/projects/"+pid, nil).json(t)["require_otp"]; got != true {
		t.Fatalf("require_otp = %v after enabling", got)
	}
	if got := e.admin("GET", "/v1/projects/"+other, nil).json(t)["require_otp"]; got != false {
		t.Fatalf("require_otp of another project = %v", got)
	}

	code := func() string { return totpCode(secret, e.clock.Now()) }
	create := func(token, otp, name string) response {
		var opts []reqOpt
		if otp != "" {
			opts = append(opts, withHeader("X-Keyservice-OTP", otp))
		}
		return e.do("POST", "/v1/api-keys", token, map[string]any{"project_id": pid, "name": name}, opts...)
	}
	for _, token := range []string{testAdminToken, mgmt} {
		r := create(token, "", "no-code")
		expectStatus(t, r, http.StatusUnauthorized)
		if c, f := r.errorCodeField(t); c != "unauthorized" || f != "X-Keyservice-OTP" {
			t.Errorf("without a code: %q %q", c, f)
		}
		wrong := "000000"
		if wrong == code() {
			wrong = "111111"
		}
		r = create(token, wrong, "wrong-code")
		expectStatus(t, r, http.StatusUnauthorized)
		if !strings.Contains(string(r.raw), "wrong or expired") {
			t.Errorf("wrong code answer: %s", r.raw)
		}
		// A code two steps old is refused; one step old (skew) and the current one are taken.
		expectStatus(t, create(token, totpCode(secret, e.clock.Now().Add(-2*totpStep)), "stale-code"), http.StatusUnauthorized)
		expectStatus(t, create(token, totpCode(secret, e.clock.Now().Add(-totpStep)), "skewed-"+token[:3]), http.StatusCreated)
	}
	r := create(testAdminToken, code(), "with-code")
	expectStatus(t, r, http.StatusCreated)
	id := r.json(t)["id"].(string)

	// Reads and updates need no code; rotation and revocation do.
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{"description": "x"}), http.StatusOK)
	expectStatus(t, e.admin("POST", "/v1/api-keys/"+id+"/rotate", map[string]any{}), http.StatusUnauthorized)
	r = e.admin("POST", "/v1/api-keys/"+id+"/rotate", map[string]any{}, withHeader("X-Keyservice-OTP", code()))
	expectStatus(t, r, http.StatusCreated)
	next := r.json(t)["id"].(string)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+next, nil), http.StatusUnauthorized)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+next, nil, withHeader("X-Keyservice-OTP", code())), http.StatusNoContent)
	bid := before["id"].(string)
	expectStatus(t, e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{bid}}), http.StatusUnauthorized)
	expectStatus(t, e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{bid}}, withHeader("X-Keyservice-OTP", code())), http.StatusOK)

	// Other projects are unaffected.
	expectStatus(t, e.admin("POST", "/v1/api-keys", map[string]any{"project_id": other, "name": "free"}), http.StatusCreated)

	// Only the admin enables or disables it.
	expectStatus(t, e.do("POST", "/v1/projects/"+pid+"/otp", mgmt, nil), http.StatusForbidden)
	expectStatus(t, e.do("DELETE", "/v1/projects/"+pid+"/otp", mgmt, nil, withHeader("X-Keyservice-OTP", code())), http.StatusForbidden)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid+"/otp", nil), http.StatusNoContent)
	expectStatus(t, create(testAdminToken, "", "after-disable"), http.StatusCreated)
	expectStatus(t, e.admin("POST", "/v1/projects/prj_nope/otp", nil), http.StatusNotFound)
}

func TestProjectOTPReenrolmentReplacesTheSecret(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	first := enableOTP(t, e, pid)
	second := enableOTP(t, e, pid)
	now := e.clock.Now()
	if totpCode(first, now) == totpCode(second, now) {
		t.Skip("the two secrets' codes collide at this instant")
	}
	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "a"}, withHeader("X-Keyservice-OTP", totpCode(first, now)))
	expectStatus(t, r, http.StatusUnauthorized)
	r = e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "a"}, withHeader("X-Keyservice-OTP", totpCode(second, now)))
	expectStatus(t, r, http.StatusCreated)
}

// The TOTP secret is stored sealed: the database file holds neither its bytes nor its base32.
func TestProjectOTPSecretIsSealedAtRest(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	secret := enableOTP(t, e, pid)
	raw := e.databaseBytes()
	if !bytes.Contains(raw, []byte(pid)) {
		t.Fatal("the project id is not in the database bytes; is this the right file?")
	}
	if bytes.Contains(raw, secret) || bytes.Contains(raw, []byte(totpEncoding.EncodeToString(secret))) {
		t.Fatal("the database holds the TOTP secret in clear")
	}
}
