package httpapi_test

import (
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// changesCountingStore counts credential reads and passes the SQLite store's change reports
// through, so that the server caches as it does in production.
type changesCountingStore struct {
	*countingStore
	changes store.CredentialChanges
}

func (s changesCountingStore) WatchCredentials(changed func(store.CredentialChange)) func() bool {
	return s.changes.WatchCredentials(changed)
}

func newCachingTestEnv(t *testing.T) (*testEnv, *countingStore) {
	t.Helper()
	counting := &countingStore{}
	e := newTestEnvWith(t, keyservicetest.Options{LogLevel: slog.LevelInfo, WrapStore: func(st store.Store) store.Store {
		counting.Store = st
		return changesCountingStore{counting, st.(store.CredentialChanges)}
	}})
	return e, counting
}

func credentialReads(c *countingStore) int {
	n := 0
	for _, call := range c.take() {
		if call == "GetCredential" {
			n++
		}
	}
	return n
}

// TestCredentialCacheServesRepeatedVerifications: a key verified again, with no write to it
// (or its project or service account) in between, is answered from memory.
func TestCredentialCacheServesRepeatedVerifications(t *testing.T) {
	e, counting := newCachingTestEnv(t)
	pid := e.createProject("p")
	key, secret := e.createKey(pid, "k", map[string]any{"scopes": []string{"read"}})
	counting.take()

	for range 3 {
		expectStatus(t, e.verify(secret), http.StatusOK)
	}
	if n := credentialReads(counting); n != 1 {
		t.Errorf("three verifications read the store %d times, want 1", n)
	}

	// Writes that change nothing a verification reads keep the entry: a project created or
	// renamed, another key created, updated or revoked.
	other := e.createProject("q")
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+other, map[string]any{"description": "renamed"}), http.StatusOK)
	otherKey, _ := e.createKey(pid, "other", nil)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+otherKey["id"].(string), map[string]any{"active": false}), http.StatusOK)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+otherKey["id"].(string), nil), http.StatusNoContent)
	counting.take()
	expectStatus(t, e.verify(secret), http.StatusOK)
	if n := credentialReads(counting); n != 0 {
		t.Errorf("the verification after unrelated writes read the store %d times, want 0", n)
	}

	// A write to the key drops it: the next verification reads again.
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+key["id"].(string), map[string]any{"description": "changed"}), http.StatusOK)
	counting.take()
	expectStatus(t, e.verify(secret), http.StatusOK)
	if n := credentialReads(counting); n != 1 {
		t.Errorf("the verification after a write to its key read the store %d times, want 1", n)
	}
}

// TestCredentialCacheNeverOutlivesAChange: every change that stops a key, or changes what its
// verification answers, is in force for the very next verification of a cached key.
func TestCredentialCacheNeverOutlivesAChange(t *testing.T) {
	cases := []struct {
		name   string
		change func(e *testEnv, pid string, key map[string]any)
	}{
		{"revoke", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("DELETE", "/v1/api-keys/"+key["id"].(string), nil), http.StatusNoContent)
		}},
		{"bulk revoke", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []string{key["id"].(string)}}), http.StatusOK)
		}},
		{"disable", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("PATCH", "/v1/api-keys/"+key["id"].(string), map[string]any{"active": false}), http.StatusOK)
		}},
		{"rotate without grace", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("POST", "/v1/api-keys/"+key["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 0}), http.StatusCreated)
		}},
		{"delete the project", func(e *testEnv, pid string, _ map[string]any) {
			expectStatus(e.t, e.admin("DELETE", "/v1/projects/"+pid, nil), http.StatusNoContent)
		}},
		{"disable the service account", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("PATCH", "/v1/service-accounts/"+key["service_account_id"].(string), map[string]any{"active": false}), http.StatusOK)
		}},
		{"delete the service account", func(e *testEnv, _ string, key map[string]any) {
			expectStatus(e.t, e.admin("DELETE", "/v1/service-accounts/"+key["service_account_id"].(string), nil), http.StatusNoContent)
		}},
		{"expire", func(e *testEnv, _ string, _ map[string]any) { e.clock.Advance(49 * time.Hour) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newCachingTestEnv(t)
			pid := e.createProject("p")
			sa := e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": pid, "name": "robot"})
			expectStatus(t, sa, http.StatusCreated)
			key, secret := e.createKey(pid, "k", map[string]any{"service_account_id": sa.str(t, "id"), "expires_in_days": 2})
			expectStatus(t, e.verify(secret), http.StatusOK)
			expectStatus(t, e.verify(secret), http.StatusOK) // now from the cache

			tc.change(e, pid, key)
			if r := e.verify(secret); r.status != http.StatusUnauthorized {
				t.Fatalf("after %s the cached key answered %d %s, want 401", tc.name, r.status, r.raw)
			}
		})
	}
}

func TestCredentialCacheAnswersNewScopes(t *testing.T) {
	e, _ := newCachingTestEnv(t)
	pid := e.createProject("p")
	key, secret := e.createKey(pid, "k", map[string]any{"scopes": []string{"read"}})
	expectStatus(t, e.verify(secret), http.StatusOK)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+key["id"].(string), map[string]any{"scopes": []string{"write"}}), http.StatusOK)
	r := e.verify(secret)
	expectStatus(t, r, http.StatusOK)
	scopes, _ := r.json(t)["scopes"].([]any)
	if !slices.Equal(scopes, []any{"write"}) {
		t.Errorf("scopes after the update = %v, want [write]", scopes)
	}
}

// TestCredentialCacheKeepsUnusableKeysUniform: an unusable key is never answered from memory,
// so it costs the same one read as an unknown key (see TestUnusableCredentialsAreIndistinguishable).
func TestCredentialCacheKeepsUnusableKeysUniform(t *testing.T) {
	e, counting := newCachingTestEnv(t)
	pid := e.createProject("p")
	key, secret := e.createKey(pid, "k", map[string]any{"expires_in_days": 1})
	expectStatus(t, e.verify(secret), http.StatusOK) // cached while usable
	e.clock.Advance(25 * time.Hour)                  // expired without any write
	counting.take()
	for range 2 {
		expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	}
	if n := credentialReads(counting); n != 2 {
		t.Errorf("two verifications of an expired cached key read the store %d times, want 2", n)
	}
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+key["id"].(string), nil), http.StatusNoContent)
	counting.take()
	for range 2 {
		expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	}
	if n := credentialReads(counting); n != 2 {
		t.Errorf("two verifications of a revoked key read the store %d times, want 2", n)
	}
}
