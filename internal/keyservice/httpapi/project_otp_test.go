package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"
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

// Enabling codes shows on the project; the codes are checked in the current step and one step
// either side, no further; only the admin token enables or disables them, with a code once they
// are on; other projects are unaffected.
func TestProjectOTPEnrolment(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("guarded")
	other := e.createProject("open")
	_, mgmt := e.createKey(pid, "mgmt", map[string]any{"scopes": []string{"keys:admin"}})
	secret := enableOTP(t, e, pid)

	if got := e.admin("GET", "/v1/projects/"+pid, nil).json(t)["require_otp"]; got != true {
		t.Fatalf("require_otp = %v after enabling", got)
	}
	if got := e.admin("GET", "/v1/projects/"+other, nil).json(t)["require_otp"]; got != false {
		t.Fatalf("require_otp of another project = %v", got)
	}

	create := func(name string, at time.Time) response {
		return e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": name},
			withHeader("X-Keyservice-OTP", totpCode(secret, at)))
	}
	now := e.clock.Now()
	expectStatus(t, create("stale", now.Add(-2*totpStep)), http.StatusUnauthorized)
	expectStatus(t, create("early", now.Add(2*totpStep)), http.StatusUnauthorized)
	expectStatus(t, create("skewed-back", now.Add(-totpStep)), http.StatusCreated)
	expectStatus(t, create("current", now), http.StatusCreated)
	expectStatus(t, create("skewed-ahead", now.Add(totpStep)), http.StatusCreated)

	// Other projects are unaffected.
	expectStatus(t, e.admin("POST", "/v1/api-keys", map[string]any{"project_id": other, "name": "free"}), http.StatusCreated)

	// Only the admin enables or disables codes; once they are on, that needs a code too.
	expectStatus(t, e.do("POST", "/v1/projects/"+pid+"/otp", mgmt, nil, e.freshOTP(secret)), http.StatusForbidden)
	expectStatus(t, e.do("DELETE", "/v1/projects/"+pid+"/otp", mgmt, nil, e.freshOTP(secret)), http.StatusForbidden)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid+"/otp", nil), http.StatusUnauthorized)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid+"/otp", nil, e.freshOTP(secret)), http.StatusNoContent)
	expectStatus(t, e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "after-disable"}), http.StatusCreated)
	expectStatus(t, e.admin("POST", "/v1/projects/prj_nope/otp", nil), http.StatusNotFound)
}

// Re-enrolling needs a code of the current secret, and replaces it: codes of the old one are
// refused from then on.
func TestProjectOTPReenrolmentReplacesTheSecret(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	first := enableOTP(t, e, pid)
	expectStatus(t, e.admin("POST", "/v1/projects/"+pid+"/otp", nil), http.StatusUnauthorized)
	r := e.admin("POST", "/v1/projects/"+pid+"/otp", nil, e.freshOTP(first))
	expectStatus(t, r, http.StatusCreated)
	second, err := totpEncoding.DecodeString(r.str(t, "otp_secret"))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(totpStep)
	now := e.clock.Now()
	if totpCode(first, now) == totpCode(second, now) {
		t.Skip("the two secrets' codes collide at this instant")
	}
	r = e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "a"}, withHeader("X-Keyservice-OTP", totpCode(first, now)))
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
