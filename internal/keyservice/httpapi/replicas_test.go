package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
)

// replicaCount is how many keyservice servers the multi-replica tests run on
// one PostgreSQL database: one to write through, two to check from.
const replicaCount = 3

// newReplicas starts n servers, each with its own connection pool (as
// separate processes would have), on one fresh PostgreSQL schema. They share
// the admin token, server secret and test clock, as replicas behind one load
// balancer share their configuration.
func newReplicas(t *testing.T, n int, tweak func(*keyservice.Config)) []*testEnv {
	t.Helper()
	return newReplicasOn(t, postgrestest.NewSchema(t), n, tweak)
}

// newReplicasOn is newReplicas on the schema dsn names.
func newReplicasOn(t *testing.T, dsn string, n int, tweak func(*keyservice.Config)) []*testEnv {
	t.Helper()
	clock := keyservicetest.NewClock(keyservicetest.Start)
	var envs []*testEnv
	for range n {
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		envs = append(envs, newTestEnvWith(t, keyservicetest.Options{Store: st, Clock: clock, Service: tweak, API: noClientLimits}))
	}
	return envs
}

// TestPostgresReplicasRevocationIsImmediate: whatever makes a key unusable,
// done through one replica, holds on every other replica the moment the call
// returns, although each replica keeps successful verifications in memory
// (the call waits until every replica has dropped what it changed).
func TestPostgresReplicasRevocationIsImmediate(t *testing.T) {
	r := newReplicas(t, replicaCount, nil)
	a, others := r[0], r[1:]
	pid := a.createProject("p")
	mustVerify := func(secret string, want int, what string) {
		t.Helper()
		for i, o := range others {
			if got := o.verify(secret); got.status != want {
				t.Fatalf("%s: verify on replica %d = %d, want %d; body %s", what, i+1, got.status, want, got.raw)
			}
		}
	}

	{ // revoke
		k, secret := a.createKey(pid, "revoked", nil)
		mustVerify(secret, http.StatusOK, "before revoke")
		expectStatus(t, a.admin("DELETE", "/v1/api-keys/"+k["id"].(string), nil), http.StatusNoContent)
		mustVerify(secret, http.StatusUnauthorized, "after revoke")
	}
	{ // bulk revoke
		k1, s1 := a.createKey(pid, "bulk1", nil)
		k2, s2 := a.createKey(pid, "bulk2", nil)
		mustVerify(s1, http.StatusOK, "before bulk revoke")
		expectStatus(t, a.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []any{k1["id"], k2["id"]}}), http.StatusOK)
		mustVerify(s1, http.StatusUnauthorized, "after bulk revoke")
		mustVerify(s2, http.StatusUnauthorized, "after bulk revoke")
	}
	{ // disable and enable
		k, secret := a.createKey(pid, "toggled", nil)
		path := "/v1/api-keys/" + k["id"].(string)
		mustVerify(secret, http.StatusOK, "before disable")
		expectStatus(t, a.admin("PATCH", path, map[string]any{"active": false}), http.StatusOK)
		mustVerify(secret, http.StatusUnauthorized, "after disable")
		expectStatus(t, a.admin("PATCH", path, map[string]any{"active": true}), http.StatusOK)
		mustVerify(secret, http.StatusOK, "after enable")
	}
	{ // rotate without grace
		k, oldSecret := a.createKey(pid, "rotated", nil)
		mustVerify(oldSecret, http.StatusOK, "before rotate")
		rot := a.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 0})
		expectStatus(t, rot, http.StatusCreated)
		mustVerify(oldSecret, http.StatusUnauthorized, "old key after rotate with grace 0")
		mustVerify(rot.str(t, "key"), http.StatusOK, "new key after rotate")
	}
	{ // service account disabled
		sa := a.createServiceAccount(pid, "robot")
		_, secret := a.createKey(pid, "robot-key", map[string]any{"service_account_id": sa})
		mustVerify(secret, http.StatusOK, "before disabling the service account")
		expectStatus(t, a.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": false}), http.StatusOK)
		mustVerify(secret, http.StatusUnauthorized, "after disabling the service account")
	}
	{ // project deleted
		gone := a.createProject("gone")
		_, secret := a.createKey(gone, "k", nil)
		mustVerify(secret, http.StatusOK, "before project delete")
		expectStatus(t, a.admin("DELETE", "/v1/projects/"+gone, nil), http.StatusNoContent)
		mustVerify(secret, http.StatusUnauthorized, "after project delete")
	}
}

// TestPostgresReplicasRevocationBoundUnderLoad is in replicas_revocation_test.go.

// TestPostgresReplicasScheduledRotationOnce: every replica runs a rotation
// pass at the same moment over the same due keys; each key is rotated by
// exactly one of them and its webhook fires exactly once.
func TestPostgresReplicasScheduledRotationOnce(t *testing.T) {
	r := newReplicas(t, replicaCount, nil)
	a := r[0]
	hook := newWebhookReceiver(t)
	pid, _ := a.createProjectWithSecret("p")
	const due = 12
	oldIDs := map[string]bool{}
	for i := range due {
		k, _ := a.createKey(pid, fmt.Sprintf("svc-%02d", i), map[string]any{
			"rotation_interval_days": 1, "rotation_webhook_url": hook.URL + "/rotated",
		})
		oldIDs[k["id"].(string)] = true
	}
	a.clock.Advance(25 * time.Hour)

	for round := range 2 { // the second round finds nothing left to do
		var wg sync.WaitGroup
		counts := make([]int, len(r))
		errs := make([]error, len(r))
		for i, e := range r {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = e.svc.RotateDueKeys(context.Background())
			}()
		}
		wg.Wait()
		total := 0
		for i := range r {
			if errs[i] != nil {
				t.Fatalf("round %d: replica %d: %v", round, i, errs[i])
			}
			total += counts[i]
		}
		want := due
		if round > 0 {
			want = 0
		}
		if total != want {
			t.Fatalf("round %d: replicas rotated %v keys (total %d), want %d in total", round, counts, total, want)
		}
		t.Logf("round %d: rotations per replica %v", round, counts)
	}

	got := hook.deliveries()
	if len(got) != due {
		t.Fatalf("%d webhook deliveries, want %d (one per key)", len(got), due)
	}
	seen := map[string]bool{}
	for _, d := range got {
		prev, _ := decodeEvent(t, d)["previous_key_id"].(string)
		if !oldIDs[prev] || seen[prev] {
			t.Fatalf("delivery for %q: unknown or repeated", prev)
		}
		seen[prev] = true
	}
	list := a.admin("GET", "/v1/api-keys?project_id="+pid+"&include_revoked=true&page_size=1000", nil).json(t)
	if items := list["items"].([]any); len(items) != 2*due {
		t.Fatalf("%d keys after the passes, want %d (each old key and one successor)", len(items), 2*due)
	}
}

// TestPostgresReplicasLastUsedAt: a verification on one replica shows in
// last_used_at on that replica at once and on the others after its next
// flush, which comes on its own within the flush interval.
func TestPostgresReplicasLastUsedAt(t *testing.T) {
	const interval = 100 * time.Millisecond
	r := newReplicas(t, replicaCount, func(c *keyservice.Config) { c.UsageFlushInterval = interval })
	a, b := r[0], r[1]
	pid := a.createProject("p")
	k, secret := a.createKey(pid, "k", nil)
	path := "/v1/api-keys/" + k["id"].(string)

	expectStatus(t, b.verify(secret), http.StatusOK)
	verified := time.Now()
	want := apiTime(a.clock.Now())
	if got := b.admin("GET", path, nil).json(t)["last_used_at"]; got != want {
		t.Fatalf("last_used_at on the verifying replica = %v, want %s at once", got, want)
	}
	for a.admin("GET", path, nil).json(t)["last_used_at"] != want {
		if time.Since(verified) > interval+2*time.Second {
			t.Fatalf("last_used_at not on another replica %v after the verification", time.Since(verified))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("on the other replicas %v after the verification (flush interval %v)", time.Since(verified).Round(time.Millisecond), interval)
}

// TestPostgresReplicasOneTimeCodes: a one-time code is accepted once across the replicas, even
// when they all receive it at the same moment, and wrong codes sent to different replicas add
// up to one credential's limit, which then holds on every replica.
func TestPostgresReplicasOneTimeCodes(t *testing.T) {
	r := newReplicas(t, replicaCount, nil)
	pid := r[0].createProject("p")
	_, manager := r[0].createKey(pid, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	secret := enableOTP(t, r[0], pid)
	code := totpCode(secret, r[0].clock.Now())

	statuses := make([]int, len(r))
	var wg sync.WaitGroup
	for i, e := range r {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := e.do("POST", "/v1/api-keys", testAdminToken, map[string]any{"project_id": pid, "name": fmt.Sprintf("k%d", i)},
				withHeader("X-Keyservice-OTP", code))
			statuses[i] = resp.status
		}()
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusUnauthorized:
		default:
			t.Errorf("replica %d answered %d", i, s)
		}
	}
	if created != 1 {
		t.Fatalf("the same code created %d keys across %d replicas (%v), want 1", created, len(r), statuses)
	}

	wrong := "000000"
	for _, d := range []time.Duration{-totpStep, 0, totpStep} {
		if totpCode(secret, r[0].clock.Now().Add(d)) == wrong {
			wrong = "999999"
		}
	}
	for i := range 5 {
		resp := r[i%len(r)].do("POST", "/v1/api-keys", manager, map[string]any{"project_id": pid, "name": "guess"},
			withHeader("X-Keyservice-OTP", wrong))
		expectStatus(t, resp, http.StatusUnauthorized)
	}
	r[0].clock.Advance(totpStep) // shared by the replicas
	for i, e := range r {
		resp := e.do("POST", "/v1/api-keys", manager, map[string]any{"project_id": pid, "name": "blocked"},
			withHeader("X-Keyservice-OTP", totpCode(secret, e.clock.Now())))
		if resp.status != http.StatusTooManyRequests {
			t.Errorf("replica %d after five wrong codes spread over the replicas: %d %s", i, resp.status, resp.raw)
		}
	}
}
