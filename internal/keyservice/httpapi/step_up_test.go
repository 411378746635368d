package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// otpFixture is a project that requires one-time codes, with a key, a disabled key, a service
// account and an environment in it, and a keys:admin key of it made before the codes were on.
type otpFixture struct {
	e                       *testEnv
	project, other          string
	secret                  []byte
	key, disabled           string
	serviceAccount, environ string
	manager                 string // keys:admin key of project
}

func newOTPFixture(t *testing.T) *otpFixture { return newOTPFixtureWith(t, keyservicetest.Options{}) }

func newOTPFixtureWith(t *testing.T, o keyservicetest.Options) *otpFixture {
	e := newTestEnvWith(t, o)
	f := &otpFixture{e: e, project: e.createProject("guarded"), other: e.createProject("open")}
	k, _ := e.createKey(f.project, "target", nil)
	d, _ := e.createKey(f.project, "disabled", map[string]any{"active": false})
	_, f.manager = e.createKey(f.project, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	f.key, f.disabled = k["id"].(string), d["id"].(string)
	f.serviceAccount = e.createServiceAccount(f.project, "robot")
	f.environ = e.createEnvironment(f.project, "staging")
	f.secret = enableOTP(t, e, f.project)
	return f
}

// wrongCode is a six-digit code that is no code of the window around the server's time.
func (f *otpFixture) wrongCode(n int) string {
	now := f.e.clock.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-totpStep, 0, totpStep} {
		valid[totpCode(f.secret, now.Add(d))] = true
	}
	for i := n; ; i++ {
		if c := fmt.Sprintf("%06d", i*7919%1000000); !valid[c] {
			return c
		}
	}
}

// TestStepUpGuardsEveryChange: on a project that requires one-time codes, every request that
// changes the project or one of its objects needs a code, whoever sends it, the admin token
// too; without one it is refused (401 naming X-Keyservice-OTP) and changes nothing; with a fresh
// one it succeeds. Reads need none.
//
// Regression (issue 12): PATCH /v1/api-keys/{id} setting rotation_webhook_url to an attacker's
// listener with rotation_interval_days=1 succeeded without a code, and so did disabling keys,
// deleting a service account and rotating the webhook signing secret.
func TestStepUpGuardsEveryChange(t *testing.T) {
	type change struct {
		name      string
		adminOnly bool // the admin token's operation: no key may do it
		request   func(f *otpFixture) (method, path string, body any)
		status    int
	}
	changes := []change{
		{"create key", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/api-keys", map[string]any{"project_id": f.project, "name": "minted"}
		}, http.StatusCreated},
		{"route a key's rotated secrets elsewhere", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.key, map[string]any{
				"rotation_webhook_url": "https://attacker.example/hook", "rotation_interval_days": 1}
		}, http.StatusOK},
		{"disable key", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.key, map[string]any{"active": false}
		}, http.StatusOK},
		{"enable key", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.disabled, map[string]any{"active": true}
		}, http.StatusOK},
		{"re-describe key", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/api-keys/" + f.key, map[string]any{"description": "changed"}
		}, http.StatusOK},
		{"rotate key", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/api-keys/" + f.key + "/rotate", map[string]any{"grace_period_seconds": 60}
		}, http.StatusCreated},
		{"revoke key", false, func(f *otpFixture) (string, string, any) {
			return "DELETE", "/v1/api-keys/" + f.key, nil
		}, http.StatusNoContent},
		{"revoke keys", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{f.key, f.disabled}}
		}, http.StatusOK},
		{"create service account", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/service-accounts", map[string]any{"project_id": f.project, "name": "robot-2"}
		}, http.StatusCreated},
		{"disable service account", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/service-accounts/" + f.serviceAccount, map[string]any{"active": false}
		}, http.StatusOK},
		{"delete service account", false, func(f *otpFixture) (string, string, any) {
			return "DELETE", "/v1/service-accounts/" + f.serviceAccount, nil
		}, http.StatusNoContent},
		{"create environment", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/environments", map[string]any{"project_id": f.project, "name": "production"}
		}, http.StatusCreated},
		{"rename environment", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/environments/" + f.environ, map[string]any{"name": "qa"}
		}, http.StatusOK},
		{"delete environment", false, func(f *otpFixture) (string, string, any) {
			return "DELETE", "/v1/environments/" + f.environ, nil
		}, http.StatusNoContent},
		{"rotate webhook signing secret", false, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.project + "/webhook-signing-secret/rotate", nil
		}, http.StatusOK},
		{"change project settings", false, func(f *otpFixture) (string, string, any) {
			return "PATCH", "/v1/projects/" + f.project, map[string]any{"description": "changed"}
		}, http.StatusOK},
		{"re-enrol one-time codes", true, func(f *otpFixture) (string, string, any) {
			return "POST", "/v1/projects/" + f.project + "/otp", nil
		}, http.StatusCreated},
		{"disable one-time codes", true, func(f *otpFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.project + "/otp", nil
		}, http.StatusNoContent},
		{"delete project", true, func(f *otpFixture) (string, string, any) {
			return "DELETE", "/v1/projects/" + f.project, nil
		}, http.StatusNoContent},
	}
	for _, c := range changes {
		for _, who := range []string{"admin token", "keys:admin key"} {
			if who != "admin token" && c.adminOnly {
				continue
			}
			t.Run(c.name+" as "+who, func(t *testing.T) {
				f := newOTPFixture(t)
				token := testAdminToken
				if who != "admin token" {
					token = f.manager
				}
				method, path, body := c.request(f)
				before := f.e.snapshot()
				f.e.clock.Advance(time.Second) // so that a write shows in updated_at

				r := f.e.do(method, path, token, body)
				expectStatus(t, r, http.StatusUnauthorized)
				if code, field := r.errorCodeField(t); code != "unauthorized" || field != "X-Keyservice-OTP" {
					t.Errorf("without a code: %s", r.raw)
				}
				r = f.e.do(method, path, token, body, withHeader("X-Keyservice-OTP", f.wrongCode(1)))
				expectStatus(t, r, http.StatusUnauthorized)
				if !strings.Contains(string(r.raw), "wrong or expired") {
					t.Errorf("with a wrong code: %s", r.raw)
				}
				if f.e.snapshot() != before {
					t.Fatal("a change refused for its missing or wrong code changed the server's state")
				}

				expectStatus(t, f.e.do(method, path, token, body, f.e.freshOTP(f.secret)), c.status)
				if f.e.snapshot() == before {
					t.Error("the change with a code changed nothing: the comparison would not see a change")
				}
			})
		}
	}

	// Reads need no code, and the project without codes needs none for changes.
	f := newOTPFixture(t)
	for _, path := range []string{"/v1/projects/" + f.project, "/v1/api-keys/" + f.key, "/v1/api-keys?project_id=" + f.project,
		"/v1/service-accounts/" + f.serviceAccount, "/v1/environments?project_id=" + f.project} {
		expectStatus(t, f.e.do("GET", path, f.manager, nil), http.StatusOK)
	}
	expectStatus(t, f.e.admin("POST", "/v1/api-keys", map[string]any{"project_id": f.other, "name": "free"}), http.StatusCreated)
}

// TestStepUpCodeAcceptedOnce: a code is spent by the change it authorises; the same code is
// refused for every later change of the project, by any credential and for as long as it would
// otherwise be valid, and refused requests change nothing. The next code works; an older one,
// still inside the skew window, does not.
//
// Regression (issue 12): a code, once seen, worked for three creates and for about 90 seconds.
func TestStepUpCodeAcceptedOnce(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	create := func(token, name string, code string) response {
		return e.do("POST", "/v1/api-keys", token, map[string]any{"project_id": f.project, "name": name},
			withHeader("X-Keyservice-OTP", code))
	}
	code := totpCode(f.secret, e.clock.Now())
	expectStatus(t, create(testAdminToken, "first", code), http.StatusCreated)
	before := e.snapshot()
	for i, token := range []string{testAdminToken, f.manager, testAdminToken} {
		r := create(token, fmt.Sprintf("again-%d", i), code)
		expectStatus(t, r, http.StatusUnauthorized)
		if !strings.Contains(string(r.raw), "already used") {
			t.Errorf("a used code: %s", r.raw)
		}
		e.clock.Advance(20 * time.Second) // 60 s in all: the code stays in the skew window
	}
	if e.snapshot() != before {
		t.Fatal("a refused reuse of a code changed the server's state")
	}
	// A revoke with it is refused too.
	expectStatus(t, e.do("DELETE", "/v1/api-keys/"+f.key, f.manager, nil, withHeader("X-Keyservice-OTP", code)), http.StatusUnauthorized)

	next := totpCode(f.secret, e.clock.Now())
	if next == code {
		t.Fatal("the clock did not reach the next step")
	}
	expectStatus(t, create(f.manager, "second", next), http.StatusCreated)
	// The previous step's code is still inside the window, but older than the last one taken.
	expectStatus(t, create(f.manager, "older", totpCode(f.secret, e.clock.Now().Add(-totpStep))), http.StatusUnauthorized)
}

// otpReadBarrier holds every read of a failure count until n of them have arrived: the worst
// interleaving of concurrent guesses, each of which has read the count before any is counted.
type otpReadBarrier struct {
	store.Store
	n       int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (b *otpReadBarrier) OTPFailures(ctx context.Context, projectID, credential string) (store.OTPFailures, error) {
	b.mu.Lock()
	if b.arrived++; b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	<-b.all
	return b.Store.OTPFailures(ctx, projectID, credential)
}

// TestStepUpConcurrentGuessesAreCounted sends fifty wrong codes with one credential at the same
// moment, from fifty addresses, each having read the failure count before any is counted: each
// is counted before it is checked, so exactly five are checked (401) and every other is refused
// unchecked (429).
func TestStepUpConcurrentGuessesAreCounted(t *testing.T) {
	const guesses = 50
	barrier := &otpReadBarrier{n: guesses, all: make(chan struct{})}
	f := newOTPFixtureWith(t, keyservicetest.Options{WrapStore: func(s store.Store) store.Store { barrier.Store = s; return barrier }})
	statuses := make([]int, guesses)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, _ := json.Marshal(map[string]any{"project_id": f.project, "name": fmt.Sprintf("guess-%d", i)})
			req := httptest.NewRequest("POST", "/v1/api-keys", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.manager)
			req.Header.Set("X-Keyservice-OTP", f.wrongCode(i))
			req.RemoteAddr = fmt.Sprintf("10.1.0.%d:40000", i+1)
			<-start
			rec := httptest.NewRecorder()
			f.e.api.Handler().ServeHTTP(rec, req)
			statuses[i] = rec.Code
		}()
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[http.StatusUnauthorized] != 5 || counts[http.StatusTooManyRequests] != guesses-5 {
		t.Fatalf("%d concurrent wrong codes answered %v; want 5 checked (401) and %d refused unchecked (429)", guesses, counts, guesses-5)
	}
}

// TestStepUpWrongCodesLimitedPerCredential sends wrong codes with one credential from many
// client addresses, as a guesser spreading attempts over addresses would: after five in
// fifteen minutes that credential's changes to the project answer 429 with Retry-After, even
// with the right code, from any address, until the window has passed; the project's other
// credentials, and the same credential (the admin token) on another project, keep working.
//
// Regression (issue 12): one-time codes were guessed in 13 s by spreading ~100k attempts over
// many loopback addresses: the failure limit counted per client address only.
func TestStepUpWrongCodesLimitedPerCredential(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": f.project, "name": "second-manager", "scopes": []string{"keys:admin"}},
		e.freshOTP(f.secret))
	expectStatus(t, r, http.StatusCreated)
	secondManager := r.str(t, "key")
	address := 0
	send := func(method, path, token, code string, body any) *httptest.ResponseRecorder {
		t.Helper()
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		if code != "" {
			req.Header.Set("X-Keyservice-OTP", code)
		}
		address++
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", address>>16&255, address>>8&255, address&255)
		rec := httptest.NewRecorder()
		e.api.Handler().ServeHTTP(rec, req)
		return rec
	}
	create := func(token, name, code string) *httptest.ResponseRecorder {
		return send("POST", "/v1/api-keys", token, code, map[string]any{"project_id": f.project, "name": name})
	}

	for i := range 5 {
		if rec := create(f.manager, "guess", f.wrongCode(i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	before := e.snapshot()
	// Blocked now, whatever the code and the address; the right code learns nothing either.
	right := totpCode(f.secret, e.clock.Now())
	for i := range 40 {
		code := f.wrongCode(100 + i)
		if i%10 == 0 {
			code = right
		}
		rec := create(f.manager, "guess", code)
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("attempt %d after the limit: %d %s", i+6, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Retry-After"); got != "900" {
			t.Errorf("Retry-After = %q, want 900 (the window's 15 minutes, the clock standing still)", got)
		}
		if !strings.Contains(rec.Body.String(), `"field":"X-Keyservice-OTP"`) || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) {
			t.Errorf("429 body: %s", rec.Body)
		}
	}
	// Any guarded change of the project, not only creates; reads still work.
	if rec := send("DELETE", "/v1/api-keys/"+f.key, f.manager, right, nil); rec.Code != http.StatusTooManyRequests {
		t.Errorf("revoke while blocked: %d %s", rec.Code, rec.Body)
	}
	if rec := send("GET", "/v1/api-keys/"+f.key, f.manager, "", nil); rec.Code != http.StatusOK {
		t.Errorf("read while blocked: %d %s", rec.Code, rec.Body)
	}
	if e.snapshot() != before {
		t.Fatal("a blocked request changed the server's state")
	}

	// The project's other credentials keep working, with their own codes.
	e.clock.Advance(totpStep)
	if rec := create(testAdminToken, "by-admin", totpCode(f.secret, e.clock.Now())); rec.Code != http.StatusCreated {
		t.Errorf("the admin token while a key is blocked: %d %s", rec.Code, rec.Body)
	}
	e.clock.Advance(totpStep)
	if rec := create(secondManager, "by-second", totpCode(f.secret, e.clock.Now())); rec.Code != http.StatusCreated {
		t.Errorf("another key of the project while one is blocked: %d %s", rec.Code, rec.Body)
	}

	// Once the window has passed, the credential works again.
	e.clock.Advance(15 * time.Minute)
	if rec := create(f.manager, "after-window", totpCode(f.secret, e.clock.Now())); rec.Code != http.StatusCreated {
		t.Errorf("after the window: %d %s", rec.Code, rec.Body)
	}

	// The count is per project: the admin token blocked on one project still changes another.
	otherSecret := enableOTP(t, e, f.other)
	for i := range 5 {
		if rec := create(testAdminToken, "guess", f.wrongCode(200+i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("admin's wrong code %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	e.clock.Advance(totpStep)
	if rec := create(testAdminToken, "blocked", totpCode(f.secret, e.clock.Now())); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the admin token after five wrong codes: %d %s", rec.Code, rec.Body)
	}
	rec := send("POST", "/v1/api-keys", testAdminToken, totpCode(otherSecret, e.clock.Now()), map[string]any{"project_id": f.other, "name": "elsewhere"})
	if rec.Code != http.StatusCreated {
		t.Errorf("the admin token on another project: %d %s", rec.Code, rec.Body)
	}
}
