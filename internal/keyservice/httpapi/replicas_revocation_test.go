package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
)

// hitCounter counts one replica's verifications answered from memory.
type hitCounter struct {
	keyservice.Observer
	hits *atomic.Int64
}

func (h hitCounter) CredentialCache(e keyservice.CacheEvent) {
	if e == keyservice.CacheHit {
		h.hits.Add(1)
	}
	h.Observer.CredentialCache(e)
}

// revocationRound is what the verifiers present during one change, and what they saw.
type revocationRound struct {
	body     []byte
	returned atomic.Bool // set once the change's call has returned
	// Per replica: successes that started after the change returned (must stay 0), and
	// refusals that did (the verifications that prove the bound was tested).
	lateOK, refusedAfter [replicaCount]atomic.Int64
}

// TestPostgresReplicasRevocationBoundUnderLoad: three replicas serve verifications without
// pause, from memory (each proves a hit before every change), while a key is revoked,
// disabled, rotated without grace, its service account disabled, or its project deleted,
// through one replica after the other; on some rounds the listening channel of one replica is
// cut first (its backend terminated) or stalled (its row locked, so it can neither
// acknowledge nor renew its lease, as on a hung connection). No verification that started
// after the change's call returned may succeed, on any replica.
//
// The test cannot fail by scheduling: "started after the change returned" is a happens-before
// relation (each verifier reads the round's returned flag before it sends), not a clock
// reading; its waits only guard against a hang. It cannot pass by luck: each round first sees
// every replica answer the key from memory (and, when stalling one, that replica answer from
// memory after the stall), and ends only when every replica has refused the key at least
// refusalsPerReplica times after the change returned.
func TestPostgresReplicasRevocationBoundUnderLoad(t *testing.T) {
	const refusalsPerReplica = 20
	dsn := postgrestest.NewSchema(t)
	var hits [replicaCount]atomic.Int64
	next := 0
	r := newReplicasOn(t, dsn, replicaCount, func(c *keyservice.Config) {
		c.Observer = hitCounter{c.Observer, &hits[next]}
		next++
	})
	ctx := context.Background()
	db, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var (
		current atomic.Pointer[revocationRound]
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for i, o := range r {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					round := current.Load()
					if round == nil {
						time.Sleep(time.Millisecond)
						continue
					}
					after := round.returned.Load()
					res, err := http.Post(o.srv.URL+"/v1/verify", "application/json", bytes.NewReader(round.body))
					if err != nil {
						continue
					}
					res.Body.Close()
					switch {
					case after && res.StatusCode == http.StatusOK:
						round.lateOK[i].Add(1)
					case after && res.StatusCode == http.StatusUnauthorized:
						round.refusedAfter[i].Add(1)
					}
				}
			}()
		}
	}
	defer func() { close(stop); wg.Wait() }()

	// waitFor polls cond; the deadline only guards against a hang.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting: %s", what)
			}
		}
	}
	hitsNow := func() (out [replicaCount]int64) {
		for i := range hits {
			out[i] = hits[i].Load()
		}
		return out
	}
	// servedFromMemory waits until replica i answers from memory again.
	servedFromMemory := func(i int) {
		t.Helper()
		before := hits[i].Load()
		waitFor(fmt.Sprintf("replica %d to answer from memory", i), func() bool { return hits[i].Load() > before })
	}
	listenerOf := func(i int) string {
		return "keyserviced credentials " + r[i].store.(*postgres.Store).ReplicaID()
	}
	terminate := func(i int) func() {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
			listenerOf(i)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("terminate the listener of replica %d: %d backends, %v", i, n, err)
		}
		return func() {}
	}
	// stall locks replica i's row, so its listener blocks in its next lease renewal: a backend
	// busy with a statement delivers no notification, so the replica hears of no change, as on
	// a hung connection, and its lease runs out. It returns once the listener is blocked and the
	// replica has answered from memory since.
	stall := func(i int) func() {
		for attempt := 1; ; attempt++ {
			tx, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Released on every path, or closing db would wait for it.
			defer func() {
				if t.Failed() {
					_ = tx.Rollback(ctx)
				}
			}()
			if _, err := tx.Exec(ctx, `SELECT 1 FROM keyservice_replicas WHERE id = $1 FOR UPDATE`,
				r[i].store.(*postgres.Store).ReplicaID()); err != nil {
				t.Fatal(err)
			}
			waitFor(fmt.Sprintf("the listener of replica %d to block", i), func() bool {
				var blocked bool
				if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
					WHERE application_name = $1 AND wait_event_type = 'Lock')`, listenerOf(i)).Scan(&blocked); err != nil {
					t.Fatal(err)
				}
				return blocked
			})
			before := hits[i].Load()
			deadline := time.Now().Add(postgres.DefaultCredentialLease / 2)
			for hits[i].Load() == before && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if hits[i].Load() > before {
				return func() { _ = tx.Rollback(ctx) }
			}
			// The lease ran out before a verification came (a very slow machine): set up again.
			_ = tx.Rollback(ctx)
			if attempt == 5 {
				t.Fatalf("replica %d never answered from memory with its row locked", i)
			}
			servedFromMemory(i)
		}
	}

	type change struct {
		name string
		// prepare makes a key and returns its secret and the change to make through replica a.
		prepare func(a *testEnv) (string, func())
		cut     func(i int) func()
		cutAt   int
	}
	changes := []change{
		{"revoke", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("revoke-%d", time.Now().UnixNano()))
			k, secret := a.createKey(pid, "k", nil)
			return secret, func() {
				expectStatus(t, a.admin("DELETE", "/v1/api-keys/"+k["id"].(string), nil), http.StatusNoContent)
			}
		}, nil, 0},
		{"disable, one channel terminated", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("disable-%d", time.Now().UnixNano()))
			k, secret := a.createKey(pid, "k", nil)
			return secret, func() {
				expectStatus(t, a.admin("PATCH", "/v1/api-keys/"+k["id"].(string), map[string]any{"active": false}), http.StatusOK)
			}
		}, terminate, 2},
		{"rotate without grace, one channel stalled", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("rotate-%d", time.Now().UnixNano()))
			k, secret := a.createKey(pid, "k", nil)
			return secret, func() {
				expectStatus(t, a.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", map[string]any{"grace_period_seconds": 0}), http.StatusCreated)
			}
		}, stall, 0},
		{"service account disabled, one channel stalled", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("sa-%d", time.Now().UnixNano()))
			sa := a.createServiceAccount(pid, "robot")
			_, secret := a.createKey(pid, "k", map[string]any{"service_account_id": sa})
			return secret, func() {
				expectStatus(t, a.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": false}), http.StatusOK)
			}
		}, stall, 1},
		{"project deleted, one channel terminated", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("gone-%d", time.Now().UnixNano()))
			_, secret := a.createKey(pid, "k", nil)
			return secret, func() { expectStatus(t, a.admin("DELETE", "/v1/projects/"+pid, nil), http.StatusNoContent) }
		}, terminate, 0},
		{"bulk revoke", func(a *testEnv) (string, func()) {
			pid := a.createProject(fmt.Sprintf("bulk-%d", time.Now().UnixNano()))
			k, secret := a.createKey(pid, "k", nil)
			return secret, func() {
				expectStatus(t, a.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []any{k["id"]}}), http.StatusOK)
			}
		}, nil, 0},
	}
	for n, c := range changes {
		a := r[n%replicaCount]
		secret, do := c.prepare(a)
		round := &revocationRound{}
		round.body, _ = json.Marshal(map[string]string{"key": secret})
		current.Store(round)
		before := hitsNow()
		waitFor(c.name+": every replica answering from memory", func() bool {
			now := hitsNow()
			for i := range now {
				if now[i] <= before[i] {
					return false
				}
			}
			return true
		})
		release := func() {}
		if c.cut != nil {
			release = c.cut(c.cutAt)
		}
		do()
		round.returned.Store(true)
		waitFor(c.name+": refusals on every replica after the change", func() bool {
			for i := range round.refusedAfter {
				if round.refusedAfter[i].Load() < refusalsPerReplica {
					return false
				}
			}
			return true
		})
		release()
		for i := range round.lateOK {
			if late := round.lateOK[i].Load(); late > 0 {
				t.Errorf("%s (through replica %d): replica %d accepted the key %d times after the change returned",
					c.name, n%replicaCount, i, late)
			}
		}
		t.Logf("%s: through replica %d; refusals after it returned per replica %v", c.name, n%replicaCount,
			[]int64{round.refusedAfter[0].Load(), round.refusedAfter[1].Load(), round.refusedAfter[2].Load()})
	}
}
