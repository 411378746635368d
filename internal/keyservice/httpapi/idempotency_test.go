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
