package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestAPIKeyETagAndIfMatch(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "a", nil)
	path := "/v1/api-keys/" + k["id"].(string)

	r := e.admin("GET", path, nil)
	expectStatus(t, r, http.StatusOK)
	etag := r.header.Get("ETag")
	if etag != `"1"` {
		t.Fatalf("ETag of a new key = %q", etag)
	}
	r = e.admin("PATCH", path, map[string]any{"description": "one"}, withHeader("If-Match", etag))
	expectStatus(t, r, http.StatusOK)
	next := r.header.Get("ETag")
	if next == etag || next == "" {
		t.Fatalf("ETag after an update = %q (before: %q)", next, etag)
	}

	// The stale ETag: 412 in the error model, and nothing changed.
	r = e.admin("PATCH", path, map[string]any{"description": "lost"}, withHeader("If-Match", etag))
	expectStatus(t, r, http.StatusPreconditionFailed)
	if code, field := r.errorCodeField(t); code != "precondition_failed" || field != "If-Match" {
		t.Errorf("412 error = %q / %q", code, field)
	}
	if got := e.admin("GET", path, nil).json(t)["description"]; got != "one" {
		t.Fatalf("a stale update changed the key: description %q", got)
	}
	for _, weak := range []string{"W/" + next, `"nope"`, "garbage"} {
		expectStatus(t, e.admin("PATCH", path, map[string]any{"description": "x"}, withHeader("If-Match", weak)), http.StatusPreconditionFailed)
	}
	expectStatus(t, e.admin("PATCH", path, map[string]any{"description": "two"}, withHeader("If-Match", `"nope", `+next)), http.StatusOK)
	expectStatus(t, e.admin("PATCH", path, map[string]any{"description": "three"}, withHeader("If-Match", "*")), http.StatusOK)
	expectStatus(t, e.admin("PATCH", path, map[string]any{"description": "four"}), http.StatusOK)

	// Rotation and revocation move the ETag too; create and rotate answer with one.
	r = e.admin("POST", path+"/rotate", map[string]any{"grace_period_seconds": 0})
	expectStatus(t, r, http.StatusCreated)
	if r.header.Get("ETag") != `"1"` {
		t.Errorf("rotate answered ETag %q, want the new key's \"1\"", r.header.Get("ETag"))
	}
	before := e.admin("GET", path, nil).header.Get("ETag")
	expectStatus(t, e.admin("PATCH", path, map[string]any{"description": "x"}, withHeader("If-Match", before)), http.StatusConflict)
}

// Of many conditional updates made from the same read, exactly one lands.
func TestConcurrentConditionalUpdatesOneWins(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "a", nil)
	path := "/v1/api-keys/" + k["id"].(string)
	etag := e.admin("GET", path, nil).header.Get("ETag")

	const writers = 12
	statuses := make(chan int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- e.admin("PATCH", path, map[string]any{"description": fmt.Sprint(i)}, withHeader("If-Match", etag)).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusPreconditionFailed] != writers-1 {
		t.Fatalf("statuses %v: want one 200 and %d 412", count, writers-1)
	}
}

// Updates of different fields at once, without If-Match, all land: the read-modify-write is
// retried on a fresh read instead of overwriting what another request just wrote.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	for round := range 10 {
		k, _ := e.createKey(pid, fmt.Sprint("k", round), nil)
		path := "/v1/api-keys/" + k["id"].(string)
		patches := []map[string]any{
			{"description": "d"},
			{"scopes": []string{"s"}},
			{"active": false},
			{"expires_at": "2031-01-01T00:00:00Z"},
			{"name": fmt.Sprint("renamed", round)},
		}
		var wg sync.WaitGroup
		for _, p := range patches {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := e.admin("PATCH", path, p); r.status != http.StatusOK {
					t.Errorf("PATCH %v: %d %s", p, r.status, r.raw)
				}
			}()
		}
		wg.Wait()
		got := e.admin("GET", path, nil).json(t)
		scopes, _ := got["scopes"].([]any)
		if got["description"] != "d" || len(scopes) != 1 || got["active"] != false ||
			got["expires_at"] != "2031-01-01T00:00:00Z" || got["name"] != fmt.Sprint("renamed", round) {
			t.Fatalf("round %d: an update was lost: %s", round, e.admin("GET", path, nil).raw)
		}
		if etag := e.admin("GET", path, nil).header.Get("ETag"); etag != `"6"` {
			t.Errorf("round %d: ETag %s after five updates, want \"6\"", round, etag)
		}
	}
}

// A rotation that races an update copies the updated settings into the new key.
func TestRotationRacingAnUpdateKeepsTheUpdate(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	for round := range 10 {
		k, _ := e.createKey(pid, fmt.Sprint("k", round), nil)
		path := "/v1/api-keys/" + k["id"].(string)
		var (
			wg      sync.WaitGroup
			patched response
			rotated response
		)
		wg.Add(2)
		go func() { defer wg.Done(); patched = e.admin("PATCH", path, map[string]any{"description": "updated"}) }()
		go func() {
			defer wg.Done()
			rotated = e.admin("POST", path+"/rotate", map[string]any{"grace_period_seconds": 0})
		}()
		wg.Wait()
		expectStatus(t, rotated, http.StatusCreated)
		if patched.status == http.StatusOK {
			if got := rotated.json(t)["description"]; got != "updated" {
				t.Fatalf("round %d: the update landed (200) but the rotated key has description %q", round, got)
			}
		}
	}
}
