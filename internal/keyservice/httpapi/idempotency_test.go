package httpapi_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestIdempotentCreate(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	body := map[string]any{"project_id": pid, "name": "ci"}
	idem := withHeader("Idempotency-Key", "create-ci-1")

	first := e.admin("POST", "/v1/api-keys", body, idem)
	expectStatus(t, first, http.StatusCreated)
	second := e.admin("POST", "/v1/api-keys", body, idem)
	expectStatus(t, second, http.StatusCreated)
	if !bytes.Equal(first.raw, second.raw) {
		t.Fatalf("replay differs:\n%s\n%s", first.raw, second.raw)
	}
	if second.header.Get("Idempotent-Replayed") != "true" {
		t.Error("replay not marked")
	}
	list := e.admin("GET", "/v1/api-keys?project_id="+pid+"&include_revoked=true", nil)
	if n := len(list.json(t)["items"].([]any)); n != 1 {
		t.Fatalf("%d keys after idempotent retry, want 1", n)
	}
	// The replayed secret is the real one.
	expectStatus(t, e.verify(second.str(t, "key")), http.StatusOK)

	// Same key, other body: 422.
	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "other"}, idem)
	expectStatus(t, r, http.StatusUnprocessableEntity)
	if code, field := r.errorCodeField(t); code != "conflict" || field != "Idempotency-Key" {
		t.Errorf("code=%q field=%q", code, field)
	}
	// Same key, other path: 422.
	r = e.admin("POST", "/v1/projects", map[string]any{"name": "x"}, idem)
	expectStatus(t, r, http.StatusUnprocessableEntity)

	// Keys are per principal: another principal may reuse it.
	admin, adminSecret := e.createKey(pid, "mgmt", map[string]any{"scopes": []string{"keys:admin"}})
	_ = admin
	r = e.do("POST", "/v1/api-keys", adminSecret, body, idem)
	expectStatus(t, r, http.StatusConflict) // a fresh request: name "ci" is taken

	// After an hour the record is gone and the key runs again.
	e.clock.Advance(time.Hour + time.Second)
	r = e.admin("POST", "/v1/api-keys", body, idem)
	expectStatus(t, r, http.StatusConflict)

	r = e.admin("POST", "/v1/api-keys", body, withHeader("Idempotency-Key", string(bytes.Repeat([]byte("k"), 256))))
	expectStatus(t, r, http.StatusBadRequest)
}

func TestIdempotentConcurrentDuplicates(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	body := map[string]any{"project_id": pid, "name": "race"}
	const n = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		raws  [][]byte
		codes []int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.admin("POST", "/v1/api-keys", body, withHeader("Idempotency-Key", "race-1"))
			mu.Lock()
			raws = append(raws, r.raw)
			codes = append(codes, r.status)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for i := range raws {
		if codes[i] != http.StatusCreated || !bytes.Equal(raws[i], raws[0]) {
			t.Fatalf("response %d: %d %s, want replay of %s", i, codes[i], raws[i], raws[0])
		}
	}
	list := e.admin("GET", "/v1/api-keys?project_id="+pid, nil)
	if got := len(list.json(t)["items"].([]any)); got != 1 {
		t.Fatalf("%d keys, want 1", got)
	}
}

func TestIdempotentRotate(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "r", nil)
	path := "/v1/api-keys/" + k["id"].(string) + "/rotate"
	idem := withHeader("Idempotency-Key", "rot-1")
	a := e.admin("POST", path, map[string]any{"grace_period_seconds": 30}, idem)
	expectStatus(t, a, http.StatusCreated)
	b := e.admin("POST", path, map[string]any{"grace_period_seconds": 30}, idem)
	if b.status != http.StatusCreated || !bytes.Equal(a.raw, b.raw) {
		t.Fatalf("rotate retry: %d %s", b.status, b.raw)
	}
}

// TestIdempotentReplayNeedsAValidCode: on a project that requires one-time codes, a retry that
// would replay a created key's secret needs a code valid at the time of the retry, as the first
// request did. The replay changes nothing, so the code need not be unused (the first request's
// own code works while it is valid); none, or a wrong one, is refused without the secret, and a
// wrong one counts towards the credential's limit like any other.
//
// Regression (issue 12): an Idempotency-Key replay returned a created key's secret without a code.
func TestIdempotentReplayNeedsAValidCode(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	body := map[string]any{"project_id": f.project, "name": "ci"}
	idem := withHeader("Idempotency-Key", "create-ci")
	code := totpCode(f.secret, e.clock.Now())
	first := e.do("POST", "/v1/api-keys", f.manager, body, idem, withHeader("X-Keyservice-OTP", code))
	expectStatus(t, first, http.StatusCreated)
	secret := first.str(t, "key")

	for name, opts := range map[string][]reqOpt{
		"no code":    {idem},
		"wrong code": {idem, withHeader("X-Keyservice-OTP", f.wrongCode(1))},
		"stale code": {idem, withHeader("X-Keyservice-OTP", totpCode(f.secret, e.clock.Now().Add(-3*totpStep)))},
	} {
		r := e.do("POST", "/v1/api-keys", f.manager, body, opts...)
		if r.status != http.StatusUnauthorized || bytes.Contains(r.raw, []byte(secret)) || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("replay with %s: %d %s", name, r.status, r.raw)
		}
	}
	// The first request's code, still valid: the replay, with the same secret.
	r := e.do("POST", "/v1/api-keys", f.manager, body, idem, withHeader("X-Keyservice-OTP", code))
	expectStatus(t, r, http.StatusCreated)
	if r.header.Get("Idempotent-Replayed") != "true" || r.str(t, "key") != secret {
		t.Fatalf("replay with a valid code: %s", r.raw)
	}
	// A later valid code replays too, and is not spent by it: it still authorises a change.
	later := e.freshOTP(f.secret)
	r = e.do("POST", "/v1/api-keys", f.manager, body, idem, later)
	expectStatus(t, r, http.StatusCreated)
	if r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay with a later code: %s", r.raw)
	}
	expectStatus(t, e.do("POST", "/v1/api-keys", f.manager, map[string]any{"project_id": f.project, "name": "next"}, later), http.StatusCreated)
	if n := len(e.admin("GET", "/v1/api-keys?project_id="+f.project+"&name=ci", nil).json(t)["items"].([]any)); n != 1 {
		t.Fatalf("%d keys named ci, want 1", n)
	}
}

// TestIdempotentRefusalsAreNotRecorded: a 401 (a missing code) or a 403 (a grant beyond the
// caller) is not what a later retry with the same Idempotency-Key gets back: once the caller
// brings what was missing, the retry runs.
func TestIdempotentRefusalsAreNotRecorded(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	body := map[string]any{"project_id": f.project, "name": "ci"}
	idem := withHeader("Idempotency-Key", "create-ci")
	expectStatus(t, e.do("POST", "/v1/api-keys", f.manager, body, idem), http.StatusUnauthorized)
	r := e.do("POST", "/v1/api-keys", f.manager, body, idem, e.freshOTP(f.secret))
	expectStatus(t, r, http.StatusCreated)
	if r.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the retry with a code replayed the 401: %s", r.raw)
	}

	// A keys:write key asks for a scope it does not hold: 403; once it holds it, the retry runs.
	pid := e.createProject("plain")
	writer, writerSecret := e.createKey(pid, "writer", map[string]any{"scopes": []string{"keys:write"}})
	grant := map[string]any{"project_id": pid, "name": "deployer", "scopes": []string{"deploy:write"}}
	idem = withHeader("Idempotency-Key", "create-deployer")
	r = e.do("POST", "/v1/api-keys", writerSecret, grant, idem)
	expectStatus(t, r, http.StatusForbidden)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+writer["id"].(string), map[string]any{"scopes": []string{"keys:write", "deploy:write"}}), http.StatusOK)
	r = e.do("POST", "/v1/api-keys", writerSecret, grant, idem)
	expectStatus(t, r, http.StatusCreated)
	if r.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the retry within the ceiling replayed the 403: %s", r.raw)
	}
}
