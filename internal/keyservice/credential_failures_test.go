package keyservice

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Bad credentials from one client address are throttled after the burst, on every route that
// checks one, while the same client's requests that present nothing are not counted.
func TestFailedCredentialsAreRateLimitedPerClient(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, good := e.createKey(pid, "good", map[string]any{"scopes": []string{"keys:admin"}})
	wrong := good[:len(good)-3] + "abc" // well-formed length, bad checksum

	// Presenting nothing is not guessing.
	for range failedCredentialBurst + 5 {
		expectStatus(t, e.do("GET", "/v1/projects", "", nil), http.StatusUnauthorized)
	}
	// Failures on any route and on verify share one budget.
	for i := range failedCredentialBurst {
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
	e.srv.credentialFailures.refill("127.0.0.1", time.Now().Add(2*time.Second))
	expectStatus(t, e.verify(good), http.StatusOK)
}

func TestFailureLimiterRefillsAndIsPerClient(t *testing.T) {
	l := newFailureLimiter(0)
	now := time.Unix(1000, 0)
	for range failedCredentialBurst {
		if b, _ := l.blocked("a", now); b {
			t.Fatal("blocked within the burst")
		}
		l.fail("a", now)
	}
	if b, wait := l.blocked("a", now); !b || wait <= 0 || wait > time.Second {
		t.Fatalf("after the burst: blocked=%t wait=%v", b, wait)
	}
	if b, _ := l.blocked("b", now); b {
		t.Fatal("another client is blocked")
	}
	if b, _ := l.blocked("a", now.Add(time.Second)); b {
		t.Fatal("no token back after a second")
	}
	if newFailureLimiter(-1) != nil {
		t.Fatal("turning the verify rate limit off must turn this one off too")
	}
}
