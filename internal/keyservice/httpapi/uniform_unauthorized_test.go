package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// TestUnusableCredentialsAreIndistinguishable presents every kind of unusable credential, as a
// bearer token and to /v1/verify, and holds the answers byte-for-byte equal (status, body,
// headers but the per-request ones) and the work equal: malformed keys (bad prefix, length,
// charset or checksum) are refused before any store access, as the design requires, and every
// well-formed key, unknown or revoked or expired or disabled or with a deleted project or a
// disabled service account, costs one hash and exactly one indexed store read.
//
// The timing choice: the two groups differ in work (no read versus one read), but what that
// difference reveals, whether the string is well-formed, is public: anyone can compute the
// checksum. Within the well-formed group there is no difference to time: the same HMAC, the
// same single read (GetCredential brings the project and service account along), the same
// in-memory checks, and no write (a use is recorded only on success).
func TestUnusableCredentialsAreIndistinguishable(t *testing.T) {
	counting := &countingStore{}
	e := newTestEnvWith(t, keyservicetest.Options{WrapStore: func(st store.Store) store.Store { counting.Store = st; return counting }})
	pid := e.createProject("p")
	gone := e.createProject("gone")
	admin := map[string]any{"scopes": []string{"keys:admin"}}

	_, revoked := e.createKey(pid, "revoked", admin)
	_, expired := e.createKey(pid, "expired", map[string]any{"scopes": []string{"keys:admin"}, "expires_in_days": 1})
	disabledKey, disabled := e.createKey(pid, "disabled", admin)
	_, deletedProject := e.createKey(gone, "orphaned", admin)
	rotatedKey, rotated := e.createKey(pid, "rotated", admin)
	sa := e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": pid, "name": "robot"})
	expectStatus(t, sa, http.StatusCreated)
	_, inactiveSA := e.createKey(pid, "robot-key", map[string]any{"scopes": []string{"keys:admin"}, "service_account_id": sa.str(t, "id")})
	_, good := e.createKey(pid, "good", admin)

	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+mustID(t, e, pid, "revoked"), nil), http.StatusNoContent)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+disabledKey["id"].(string), map[string]any{"active": false}), http.StatusOK)
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+gone, nil), http.StatusNoContent)
	expectStatus(t, e.admin("POST", "/v1/api-keys/"+rotatedKey["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 0}), http.StatusCreated)
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa.str(t, "id"), map[string]any{"active": false}), http.StatusOK)
	e.clock.Advance(25 * time.Hour)

	unknown, err := keyservice.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	malformed := map[string]string{
		"bad checksum": good[:len(good)-1] + flip(good[len(good)-1]),
		"bad prefix":   "kx" + good[2:],
		"too short":    good[:20],
		"bad charset":  good[:10] + "!" + good[11:],
		"not a key":    "hunter2",
	}
	wellFormed := map[string]string{
		"unknown": unknown, "revoked": revoked, "expired": expired, "disabled": disabled,
		"project deleted": deletedProject, "rotated out": rotated, "service account disabled": inactiveSA,
	}
	if keyservice.ParseKey(unknown) != nil {
		t.Fatal("GenerateKey made a malformed key")
	}

	type answer struct {
		status int
		body   string
		header string
	}
	read := func(r response) answer {
		h := r.header.Clone()
		h.Del("X-Request-Id")
		h.Del("Date")
		var b bytes.Buffer
		_ = h.Write(&b)
		return answer{r.status, string(r.raw), b.String()}
	}
	check := func(route string, send func(secret string) response) {
		t.Helper()
		var want *answer
		for group, cases := range map[string]map[string]string{"malformed": malformed, "well-formed": wellFormed} {
			for name, secret := range cases {
				counting.take()
				got := read(send(secret))
				calls := counting.take()
				if got.status != http.StatusUnauthorized {
					t.Errorf("%s, %s key: status %d, want 401: %s", route, name, got.status, got.body)
					continue
				}
				if want == nil {
					want = &got
				} else if got != *want {
					t.Errorf("%s, %s key: the answer differs:\n%+v\nwant\n%+v", route, name, got, *want)
				}
				wantCalls := []string{"GetCredential"}
				if group == "malformed" {
					wantCalls = nil
				}
				if !slices.Equal(calls, wantCalls) {
					t.Errorf("%s, %s key: store calls %v, want %v", route, name, calls, wantCalls)
				}
			}
		}
	}
	check("GET /v1/api-keys", func(secret string) response {
		return e.do("GET", "/v1/api-keys?project_id="+pid, secret, nil)
	})
	check("POST /v1/verify", func(secret string) response { return e.verify(secret) })
	// Wrong admin tokens answer the same too.
	for _, token := range []string{testAdminToken + "x", strings.ToUpper(testAdminToken), "Bearer"} {
		r := e.do("GET", "/v1/api-keys?project_id="+pid, token, nil)
		if r.status != http.StatusUnauthorized || !strings.Contains(string(r.raw), `"unauthorized"`) {
			t.Errorf("wrong admin token: %d %s", r.status, r.raw)
		}
	}
	expectStatus(t, e.verify(good), http.StatusOK)
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
