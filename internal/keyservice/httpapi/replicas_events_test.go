package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
)

// TestPostgresAuditOneEventPerChange is TestAuditOneEventPerChange on PostgreSQL.
func TestPostgresAuditOneEventPerChange(t *testing.T) {
	testOneEventPerChange(t, newReplicas(t, 1, nil)[0])
}

// TestPostgresLifecycleEventsOncePerEventAcrossReplicas: three replicas deliver the outbox of one
// database at the same time, each pass racing the others': the receiver gets every event exactly
// once, not once per replica.
func TestPostgresLifecycleEventsOncePerEventAcrossReplicas(t *testing.T) {
	r := newReplicas(t, replicaCount, nil)
	hook := newWebhookReceiver(t)
	pid, _ := r[0].eventsProject("replicated", hook)
	const keys = 40
	for i := range keys {
		r[i%replicaCount].createKey(pid, fmt.Sprintf("k%02d", i), nil)
	}
	// Every replica runs passes until the receiver has every event, then one pass more each.
	var wg sync.WaitGroup
	for _, replica := range r {
		wg.Go(func() {
			for len(hook.deliveries()) < keys {
				if _, err := replica.svc.DeliverEvents(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, replica := range r {
		if n := replica.deliverEvents(); n != 0 {
			t.Errorf("a last pass delivered %d more", n)
		}
	}
	got := map[string]int{}
	for _, d := range hook.deliveries() {
		ev := decodeEvent(t, d)
		if ev["type"] != "api_key.created" {
			t.Errorf("unexpected event %v", ev)
		}
		got[ev["id"].(string)]++
	}
	if len(got) != keys {
		t.Fatalf("%d distinct events delivered, want %d", len(got), keys)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	if total := len(hook.deliveries()); total != keys {
		t.Errorf("%d deliveries for %d events", total, keys)
	}
}

// TestPostgresLifecycleEventLeaseOutlivesADeadDeliverer is
// TestLifecycleEventLeaseOutlivesADeadDeliverer with the dead replica on its own connection
// pool of the shared database.
func TestPostgresLifecycleEventLeaseOutlivesADeadDeliverer(t *testing.T) {
	dsn := postgrestest.NewSchema(t)
	open := func() *postgres.Store {
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	clock := keyservicetest.NewClock(keyservicetest.Start)
	e := newTestEnvWith(t, keyservicetest.Options{Store: open(), Clock: clock})
	testLeaseOutlivesADeadDeliverer(t, e, func(tr keyservice.WebhookTransport) *testEnv {
		return newTestEnvWith(t, keyservicetest.Options{Store: open(), Clock: clock,
			Service: func(c *keyservice.Config) { c.Webhook.Transport = tr }})
	})
}
