package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestRotationGracePeriod(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	envID := e.createEnvironment(pid, "staging")
	old, oldSecret := e.createKey(pid, "svc", map[string]any{
		"scopes": []string{"read"}, "description": "d", "environment_id": envID,
		"rotation_interval_days": 10,
	})
	oldID := old["id"].(string)

	e.clock.Advance(time.Hour)
	r := e.admin("POST", "/v1/api-keys/"+oldID+"/rotate", map[string]any{"grace_period_seconds": 3600})
	expectStatus(t, r, http.StatusCreated)
	next := r.json(t)
	newID, newSecret := next["id"].(string), next["key"].(string)
	if newID == oldID || newSecret == oldSecret {
		t.Fatal("rotation did not issue a new key")
	}
	if next["previous_key_id"] != oldID {
		t.Errorf("previous_key_id = %v", next["previous_key_id"])
	}
	wantGrace := apiTime(e.clock.Now().Add(time.Hour))
	if next["previous_key_grace_expires_at"] != wantGrace {
		t.Errorf("previous_key_grace_expires_at = %v, want %s", next["previous_key_grace_expires_at"], wantGrace)
	}
	for _, f := range []string{"name", "description", "scopes", "environment_id", "rotation_interval_days", "active", "expires_at"} {
		if fmt.Sprint(next[f]) != fmt.Sprint(old[f]) {
			t.Errorf("rotation changed %s: %v -> %v", f, old[f], next[f])
		}
	}
	if next["next_rotation_at"] != apiTime(e.clock.Now().AddDate(0, 0, 10)) {
		t.Errorf("next_rotation_at = %v", next["next_rotation_at"])
	}

	r = e.admin("GET", "/v1/api-keys/"+oldID, nil)
	o := r.json(t)
	if o["replaced_by_key_id"] != newID || o["grace_expires_at"] != wantGrace {
		t.Errorf("old key after rotation: %s", r.raw)
	}

	// During the grace period both keys verify.
	expectStatus(t, e.verify(oldSecret), http.StatusOK)
	expectStatus(t, e.verify(newSecret), http.StatusOK)

	// A second rotation inside the grace period leaves the first old key valid.
	e.clock.Advance(10 * time.Minute)
	r = e.admin("POST", "/v1/api-keys/"+newID+"/rotate", map[string]any{"grace_period_seconds": 60})
	expectStatus(t, r, http.StatusCreated)
	third := r.json(t)["key"].(string)
	expectStatus(t, e.verify(oldSecret), http.StatusOK)
	expectStatus(t, e.verify(newSecret), http.StatusOK)
	expectStatus(t, e.verify(third), http.StatusOK)

	// After 60 s the second key's grace is over, the first's is not.
	e.clock.Advance(61 * time.Second)
	expectStatus(t, e.verify(oldSecret), http.StatusOK)
	expectStatus(t, e.verify(newSecret), http.StatusUnauthorized)
	expectStatus(t, e.verify(third), http.StatusOK)

	// After the first grace period only the newest key works.
	e.clock.Advance(time.Hour)
	expectStatus(t, e.verify(oldSecret), http.StatusUnauthorized)
	expectStatus(t, e.verify(newSecret), http.StatusUnauthorized)
	expectStatus(t, e.verify(third), http.StatusOK)

	// A replaced key can be neither rotated again nor patched.
	expectStatus(t, e.admin("POST", "/v1/api-keys/"+oldID+"/rotate", map[string]any{}), http.StatusConflict)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+oldID, map[string]any{"description": "x"}), http.StatusConflict)
}

func TestRotationZeroGraceAndExpiryCap(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")

	k, secret := e.createKey(pid, "a", nil)
	r := e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 0})
	expectStatus(t, r, http.StatusCreated)
	expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	expectStatus(t, e.verify(r.str(t, "key")), http.StatusOK)

	// The old key's grace never outlasts its own expiry.
	k, _ = e.createKey(pid, "b", map[string]any{"expires_at": apiTime(e.clock.Now().Add(30 * time.Minute))})
	r = e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 7200})
	expectStatus(t, r, http.StatusCreated)
	if r.json(t)["previous_key_grace_expires_at"] != k["expires_at"] {
		t.Errorf("grace %v not capped at expiry %v", r.json(t)["previous_key_grace_expires_at"], k["expires_at"])
	}
}

func TestRotationRefusals(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")

	revoked, _ := e.createKey(pid, "revoked", nil)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+revoked["id"].(string), nil), http.StatusNoContent)
	r := e.admin("POST", "/v1/api-keys/"+revoked["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 10})
	expectStatus(t, r, http.StatusConflict)
	if code, _ := r.errorCodeField(t); code != "conflict" {
		t.Errorf("code = %q", code)
	}

	expiring, _ := e.createKey(pid, "expiring", map[string]any{"expires_in_days": 1})
	e.clock.Advance(48 * time.Hour)
	expectStatus(t, e.admin("POST", "/v1/api-keys/"+expiring["id"].(string)+"/rotate", nil), http.StatusConflict)

	expectStatus(t, e.admin("POST", "/v1/api-keys/key_nothere0000000000000/rotate", nil), http.StatusNotFound)
}
