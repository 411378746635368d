package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// ceilingRefused asserts a 403 naming field whose message says what was beyond the caller, and
// that the server's state is as it was.
func ceilingRefused(t *testing.T, e *testEnv, before string, r response, field, says string) {
	t.Helper()
	if r.status != http.StatusForbidden {
		t.Errorf("status %d, want 403: %s", r.status, r.raw)
		return
	}
	if code, f := r.errorCodeField(t); code != "forbidden" || f != field || !strings.Contains(string(r.raw), says) {
		t.Errorf("want forbidden, field %s, saying %q: %s", field, says, r.raw)
	}
	if e.snapshot() != before {
		t.Errorf("a refusal (field %s) changed the server's state", field)
	}
}

// TestGrantCeilingScopes: a key grants only the scopes it holds (the management scopes by rank:
// keys:admin holds keys:write and keys:read, keys:write holds keys:read), on create, update and
// rotation. The admin token is not bound.
//
// Regression (issue 12): a manager key holding only keys:admin minted a key with
// ["keys:admin","billing:write","root"].
func TestGrantCeilingScopes(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, manager := e.createKey(pid, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	_, writer := e.createKey(pid, "writer", map[string]any{"scopes": []string{"keys:write", "deploy:read"}})
	mint := func(token, name string, scopes ...string) response {
		return e.do("POST", "/v1/api-keys", token, map[string]any{"project_id": pid, "name": name, "scopes": scopes})
	}
	before := e.snapshot()
	ceilingRefused(t, e, before, mint(manager, "escalated", "keys:admin", "billing:write", "root"), "scopes[1]", "billing:write")
	ceilingRefused(t, e, before, mint(writer, "escalated", "keys:read", "keys:admin"), "scopes[1]", "keys:admin")
	ceilingRefused(t, e, before, mint(writer, "escalated", "deploy:write"), "scopes[0]", "deploy:write")

	expectStatus(t, mint(manager, "ci-reader", "keys:read"), http.StatusCreated)
	expectStatus(t, mint(manager, "key-manager", "keys:write", "keys:admin"), http.StatusCreated)
	w := mint(writer, "deployer", "deploy:read", "keys:read", "keys:write")
	expectStatus(t, w, http.StatusCreated)
	deployer := w.str(t, "id")
	expectStatus(t, e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "root", "scopes": []string{"root", "keys:admin"}}), http.StatusCreated)

	// Updates: no widening of another key, nor of itself.
	before = e.snapshot()
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+deployer, writer, map[string]any{"scopes": []string{"deploy:read", "root"}}), "scopes[1]", "root")
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+deployer, writer, map[string]any{"scopes": []string{"keys:admin"}}), "scopes[0]", "keys:admin")
	self := e.admin("GET", "/v1/api-keys?project_id="+pid+"&name=writer", nil).json(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+self, writer, map[string]any{"scopes": []string{"keys:write", "deploy:read", "deploy:write"}}), "scopes[2]", "deploy:write")
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+self, writer, map[string]any{"scopes": []string{"keys:admin"}}), "scopes[0]", "keys:admin")
	// Narrowing is fine.
	expectStatus(t, e.do("PATCH", "/v1/api-keys/"+deployer, writer, map[string]any{"scopes": []string{"deploy:read"}}), http.StatusOK)
}

// TestGrantCeilingExpiry: a key with an expiry makes, changes and rotates only keys that expire
// no later than itself; it cannot make or leave a key non-expiring, nor extend its own expiry.
// A key exactly at its ceiling (the same scopes, the same expiry) is allowed.
//
// Regression (issue 12): a key that expires tomorrow PATCHed its own expires_at to null, and
// minted a non-expiring keys:admin key.
func TestGrantCeilingExpiry(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	m, manager := e.createKey(pid, "manager", map[string]any{"scopes": []string{"keys:admin"}, "expires_in_days": 1})
	self, ownExpiry := m["id"].(string), m["expires_at"].(string)
	expiry, err := time.Parse(time.RFC3339Nano, ownExpiry)
	if err != nil {
		t.Fatal(err)
	}
	before := e.snapshot()
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+self, manager, map[string]any{"expires_at": nil}), "expires_at", ownExpiry)
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+self, manager, map[string]any{"expires_at": apiTime(expiry.Add(time.Hour))}), "expires_at", ownExpiry)
	mint := func(name string, extra map[string]any) response {
		body := map[string]any{"project_id": pid, "name": name, "scopes": []string{"keys:admin"}}
		for k, v := range extra {
			body[k] = v
		}
		return e.do("POST", "/v1/api-keys", manager, body)
	}
	ceilingRefused(t, e, before, mint("forever", nil), "expires_at", ownExpiry)
	ceilingRefused(t, e, before, mint("longer", map[string]any{"expires_in_days": 2}), "expires_at", ownExpiry)
	ceilingRefused(t, e, before, mint("later", map[string]any{"expires_at": apiTime(expiry.Add(time.Second))}), "expires_at", ownExpiry)

	// At the ceiling: allowed, and a shorter expiry too.
	twin := mint("twin", map[string]any{"expires_at": ownExpiry})
	expectStatus(t, twin, http.StatusCreated)
	expectStatus(t, mint("shorter", map[string]any{"expires_in_days": 1, "scopes": []string{"keys:read"}}), http.StatusCreated)
	r := e.do("POST", "/v1/api-keys/"+twin.str(t, "id")+"/rotate", manager, map[string]any{"grace_period_seconds": 0})
	expectStatus(t, r, http.StatusCreated)
	// Shortening its own expiry is allowed, and lowers its ceiling: the twin's successor now
	// expires later than the key, which may no longer rotate it.
	ownExpiry = apiTime(expiry.Add(-time.Hour))
	expectStatus(t, e.do("PATCH", "/v1/api-keys/"+self, manager, map[string]any{"expires_at": ownExpiry}), http.StatusOK)
	before = e.snapshot()
	ceilingRefused(t, e, before, e.do("POST", "/v1/api-keys/"+r.str(t, "id")+"/rotate", manager, map[string]any{"grace_period_seconds": 0}),
		"expires_at", ownExpiry)

	// A key that never expires holds more than this one: changing it must give it an expiry
	// within the ceiling.
	forever, _ := e.createKey(pid, "forever", nil)
	id := forever["id"].(string)
	before = e.snapshot()
	ceilingRefused(t, e, before, e.do("PATCH", "/v1/api-keys/"+id, manager, map[string]any{"description": "touched"}), "expires_at", ownExpiry)
	expectStatus(t, e.do("PATCH", "/v1/api-keys/"+id, manager, map[string]any{"description": "bounded", "expires_at": ownExpiry}), http.StatusOK)
}

// TestGrantCeilingKeysHoldingMore: a key may revoke or disable any key of its project, but not
// change, re-enable or rotate one that holds more than itself: a rotation would hand it the new
// secret, and a rotation_webhook_url would route the rotated secrets wherever it says.
func TestGrantCeilingKeysHoldingMore(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	_, writer := e.createKey(pid, "writer", map[string]any{"scopes": []string{"keys:write"}})
	strong, _ := e.createKey(pid, "strong", map[string]any{"scopes": []string{"keys:admin", "billing:write"}})
	id := strong["id"].(string)
	path := "/v1/api-keys/" + id

	before := e.snapshot()
	ceilingRefused(t, e, before, e.do("POST", path+"/rotate", writer, map[string]any{"grace_period_seconds": 0}), "scopes[0]", "keys:admin")
	ceilingRefused(t, e, before, e.do("PATCH", path, writer, map[string]any{
		"rotation_webhook_url": "https://attacker.example/hook", "rotation_interval_days": 1}), "scopes[0]", "keys:admin")
	ceilingRefused(t, e, before, e.do("PATCH", path, writer, map[string]any{"active": false, "description": "and more"}), "scopes[0]", "keys:admin")

	// Disabling only takes rights away: allowed. Re-enabling gives them back: refused.
	expectStatus(t, e.do("PATCH", path, writer, map[string]any{"active": false}), http.StatusOK)
	before = e.snapshot()
	ceilingRefused(t, e, before, e.do("PATCH", path, writer, map[string]any{"active": true}), "scopes[0]", "keys:admin")
	// Narrowing it into the ceiling is a change within it.
	expectStatus(t, e.do("PATCH", path, writer, map[string]any{"scopes": []string{"keys:read"}, "active": true}), http.StatusOK)
	// Revoking is allowed whatever the key holds.
	stronger, _ := e.createKey(pid, "stronger", map[string]any{"scopes": []string{"root"}})
	expectStatus(t, e.do("DELETE", "/v1/api-keys/"+stronger["id"].(string), writer, nil), http.StatusNoContent)
	strongest, _ := e.createKey(pid, "strongest", map[string]any{"scopes": []string{"root"}})
	expectStatus(t, e.do("POST", "/v1/api-keys/revoke", writer, map[string]any{"ids": []any{strongest["id"]}}), http.StatusOK)
}
