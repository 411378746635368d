package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
)

// Bad credentials from one client address are throttled after the burst, on every route that
// checks one, while the same client's requests that present nothing are not counted.
func TestFailedCredentialsAreRateLimitedPerClient(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, good := e.createKey(pid, "good", map[string]any{"scopes": []string{"keys:admin"}})
	wrong := good[:len(good)-3] + "abc" // well-formed length, bad checksum

	// Presenting nothing is not guessing.
	for range httpapi.FailedCredentialBurst + 5 {
		expectStatus(t, e.do("GET", "/v1/projects", "", nil), http.StatusUnauthorized)
	}
	// Failures on any route and on verify share one budget.
	for i := range httpapi.FailedCredentialBurst {
		var r response
		if i%2 == 0 {
			r = e.do("GET", "/v1/api-keys?project_id="+pid, "ks_not_a_key_"+strconv.Itoa(i), nil)
		} else {
			r = e.verify(wrong)
		}
		expectStatus(t, r, http.StatusUnauthorized)
	}
	for _, r := range []response{
		e.verify(wrong),
		e.verify(good), // blocked clients learn nothing, not even from a right guess
		e.do("GET", "/v1/projects", "wrong-admin-token", nil),
		e.do("GET", "/v1/api-keys?project_id="+pid, good, nil),
	} {
		expectStatus(t, r, http.StatusTooManyRequests)
		if code, _ := r.errorCodeField(t); code != "rate_limited" {
			t.Errorf("code %q", code)
		}
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
		}
	}
	// The budget refills with time (wall clock: a test moving the injected clock must not).
	e.limitClock.Advance(2 * time.Second)
	expectStatus(t, e.verify(good), http.StatusOK)
}
