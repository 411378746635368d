package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// eventsProject creates a project whose lifecycle events go to hook; it returns the project's
// id and signing secret.
func (e *testEnv) eventsProject(name string, hook *webhookReceiver) (string, string) {
	e.t.Helper()
	r := e.admin("POST", "/v1/projects", map[string]any{"name": name, "events_webhook_url": hook.URL + "/events"})
	expectStatus(e.t, r, http.StatusCreated)
	if got := r.json(e.t)["events_webhook_url"]; got != hook.URL+"/events" {
		e.t.Fatalf("events_webhook_url = %v", got)
	}
	return r.str(e.t, "id"), r.str(e.t, "webhook_signing_secret")
}

func (e *testEnv) deliverEvents() int {
	e.t.Helper()
	n, err := e.svc.DeliverEvents(context.Background())
	if err != nil {
		e.t.Fatalf("DeliverEvents: %v", err)
	}
	return n
}

// eventTypes are the types of deliveries, sorted: deliveries are not ordered (a batch goes out
// concurrently; receivers order by occurred_at).
func eventTypes(t *testing.T, ds []delivery) []string {
	t.Helper()
	var out []string
	for _, d := range ds {
		out = append(out, decodeEvent(t, d)["type"].(string))
	}
	slices.Sort(out)
	return out
}

// eventOfType is the one delivery of type typ.
func eventOfType(t *testing.T, ds []delivery, typ string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, d := range ds {
		if ev := decodeEvent(t, d); ev["type"] == typ {
			if found != nil {
				t.Fatalf("two %s events", typ)
			}
			found = ev
		}
	}
	if found == nil {
		t.Fatalf("no %s event", typ)
	}
	return found
}

// TestLifecycleEventsDeliveredSignedWithoutSecrets: each change of a key reaches the project's
// events webhook once, signed with the project's secret, named by an id that the header repeats,
// and without any secret in it.
func TestLifecycleEventsDeliveredSignedWithoutSecrets(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, signing := e.eventsProject("events", hook)
	quiet := e.createProject("quiet") // no events webhook: no events
	e.createKey(quiet, "unheard", nil)

	sa := e.createServiceAccount(pid, "robot")
	k, secret := e.createKey(pid, "deployer", map[string]any{"scopes": []string{"read"}, "service_account_id": sa})
	id := k["id"].(string)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{"scopes": []string{"read", "write"}}), http.StatusOK)
	rot := e.admin("POST", "/v1/api-keys/"+id+"/rotate", map[string]any{"grace_period_seconds": 0})
	expectStatus(t, rot, http.StatusCreated)
	next, nextSecret := rot.str(t, "id"), rot.str(t, "key")
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+next, nil), http.StatusNoContent)

	if n := e.deliverEvents(); n != 4 {
		t.Fatalf("delivered %d events, want 4", n)
	}
	got := hook.deliveries()
	if types := eventTypes(t, got); !slices.Equal(types, []string{"api_key.created", "api_key.revoked", "api_key.rotated", "api_key.updated"}) {
		t.Fatalf("event types %v", types)
	}
	ids := map[string]bool{}
	for _, d := range got {
		checkSignature(t, d, signing)
		ev := decodeEvent(t, d)
		if d.path != "/events" || d.header.Get("X-Keyservice-Event") != ev["type"] || d.header.Get("X-Keyservice-Event-Id") != ev["id"] ||
			!strings.HasPrefix(ev["id"].(string), "evt_") || ev["project_id"] != pid {
			t.Errorf("delivery %s %v: %s", d.path, d.header, d.body)
		}
		ids[ev["id"].(string)] = true
		for _, s := range []string{secret, nextSecret, signing, testAdminToken} {
			if strings.Contains(string(d.body), s) {
				t.Fatalf("a lifecycle event holds a secret: %s", d.body)
			}
		}
	}
	if len(ids) != 4 {
		t.Errorf("event ids not unique: %v", ids)
	}
	updated := eventOfType(t, got, "api_key.updated")
	if c := updated["changes"].(map[string]any)["scopes"].(map[string]any); len(c["added"].([]any)) != 1 || c["added"].([]any)[0] != "write" {
		t.Errorf("api_key.updated changes = %v", updated["changes"])
	}
	rotated := eventOfType(t, got, "api_key.rotated")
	if rotated["key"].(map[string]any)["id"] != next || rotated["previous_key_id"] != id || rotated["key"].(map[string]any)["service_account_id"] != sa {
		t.Errorf("api_key.rotated = %v", rotated)
	}
	if revoked := eventOfType(t, got, "api_key.revoked"); revoked["key"].(map[string]any)["revoked_at"] == nil {
		t.Errorf("api_key.revoked = %v", revoked)
	}

	// Delivered events are not sent again.
	if n := e.deliverEvents(); n != 0 || len(hook.deliveries()) != 4 {
		t.Fatalf("a second pass delivered %d more", n)
	}
	// Stopping the events: later changes are not queued.
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"events_webhook_url": nil}), http.StatusOK)
	e.createKey(pid, "after", nil)
	if n := e.deliverEvents(); n != 0 {
		t.Fatalf("delivered %d events of a project without events webhook", n)
	}
	if got := metricValue(t, e, `keyservice_lifecycle_event_attempts_total{outcome="delivered"}`); got != 4 {
		t.Errorf("delivered attempts metric = %v, want 4", got)
	}
}

// TestLifecycleEventsRetryWithBackoff: a failed attempt makes the event due again after the
// backoff (or the receiver's longer Retry-After), doubling; after the last attempt it is given
// up; an event whose project lost its webhook is dropped.
func TestLifecycleEventsRetryWithBackoff(t *testing.T) {
	e := newTestEnvWith(t, keyservicetest.Options{Service: func(c *keyservice.Config) { c.Events.Attempts = 4 }})
	hook := newWebhookReceiver(t, 503, 503, 204)
	hook.retryAfter = "30"
	pid, _ := e.eventsProject("flaky", hook)
	e.createKey(pid, "k", nil)

	attempts := func() int { return len(hook.deliveries()) }
	if n := e.deliverEvents(); n != 0 || attempts() != 1 {
		t.Fatalf("first pass: delivered %d after %d attempts", n, attempts())
	}
	e.deliverEvents()
	e.clock.Advance(29 * time.Second) // the receiver asked for 30 s, more than the 10 s backoff
	e.deliverEvents()
	if attempts() != 1 {
		t.Fatalf("retried before Retry-After: %d attempts", attempts())
	}
	e.clock.Advance(time.Second)
	e.deliverEvents()
	if attempts() != 2 {
		t.Fatalf("%d attempts after the wait, want 2", attempts())
	}
	e.clock.Advance(29 * time.Second) // 20 s backoff, but Retry-After is still 30 s
	e.deliverEvents()
	e.clock.Advance(time.Second)
	if n := e.deliverEvents(); n != 1 || attempts() != 3 {
		t.Fatalf("third attempt: delivered %d, %d attempts", n, attempts())
	}
	ids := map[any]bool{}
	for _, d := range hook.deliveries() {
		ids[decodeEvent(t, d)["id"]] = true
	}
	if len(ids) != 1 {
		t.Fatalf("the attempts carried %d event ids, want the same one", len(ids))
	}

	// Always failing: given up after the configured attempts.
	failing := newWebhookReceiver(t, 500)
	doomed, _ := e.eventsProject("doomed", failing)
	e.createKey(doomed, "k", nil)
	for range 10 {
		e.deliverEvents()
		e.clock.Advance(time.Hour)
	}
	if got := len(failing.deliveries()); got != 4 {
		t.Fatalf("%d attempts at an always failing receiver, want 4", got)
	}
	if got := metricValue(t, e, `keyservice_lifecycle_event_attempts_total{outcome="failed"}`); got != 1 {
		t.Errorf("given-up metric = %v, want 1", got)
	}

	// The webhook removed while an event waits: dropped, not sent.
	gone := newWebhookReceiver(t)
	dropped, _ := e.eventsProject("dropped", gone)
	e.createKey(dropped, "k", nil)
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+dropped, map[string]any{"events_webhook_url": nil}), http.StatusOK)
	e.deliverEvents()
	if len(gone.deliveries()) != 0 || metricValue(t, e, `keyservice_lifecycle_event_attempts_total{outcome="dropped"}`) != 1 {
		t.Errorf("an event of a project without webhook was sent, or not counted as dropped")
	}
}

// blockingTransport never answers: each send waits until its context ends, as a replica that
// hangs or dies mid-delivery.
type blockingTransport struct{ entered chan struct{} }

func (b blockingTransport) Send(ctx context.Context, _ keyservice.WebhookRequest) (time.Duration, error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestLifecycleEventLeaseOutlivesADeadDeliverer: an event claimed by a replica that never
// settles it (it hung, or died) is delivered by another once the lease runs out, and not
// before.
func TestLifecycleEventLeaseOutlivesADeadDeliverer(t *testing.T) {
	e := newTestEnv(t)
	testLeaseOutlivesADeadDeliverer(t, e, func(tr keyservice.WebhookTransport) *testEnv {
		return newTestEnvWith(t, keyservicetest.Options{Store: e.store, Clock: e.clock,
			Service: func(c *keyservice.Config) { c.Webhook.Transport = tr }})
	})
}

func testLeaseOutlivesADeadDeliverer(t *testing.T, e *testEnv, replica func(keyservice.WebhookTransport) *testEnv) {
	hook := newWebhookReceiver(t)
	pid, _ := e.eventsProject("lease", hook)
	e.createKey(pid, "k", nil)

	stuck := blockingTransport{entered: make(chan struct{}, 1)}
	dead := replica(stuck)
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := dead.svc.DeliverEvents(ctx)
		done <- err
	}()
	<-stuck.entered
	kill()
	if err := <-done; err != nil {
		t.Fatalf("the dead replica's pass: %v", err)
	}

	if n := e.deliverEvents(); n != 0 || len(hook.deliveries()) != 0 {
		t.Fatalf("an event under lease was delivered by another replica (%d)", n)
	}
	e.clock.Advance(2*time.Minute + time.Second)
	if n := e.deliverEvents(); n != 1 || len(hook.deliveries()) != 1 {
		t.Fatalf("after the lease: delivered %d, receiver got %d; want 1", n, len(hook.deliveries()))
	}
}

// TestLifecycleExpiryEvents: api_key.expiring once per key and expiry, within the notice; a
// new expires_at owes a new one; api_key.expired once the key expires.
func TestLifecycleExpiryEvents(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, _ := e.eventsProject("expiry", hook)
	day := 24 * time.Hour
	k, _ := e.createKey(pid, "short", map[string]any{"expires_at": apiTime(e.clock.Now().Add(10 * day))})
	e.createKey(pid, "forever", nil)
	e.deliverEvents()
	base := len(hook.deliveries())
	record := func() int {
		t.Helper()
		n, err := e.svc.RecordExpiryEvents(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		e.deliverEvents()
		return n
	}
	if n := record(); n != 0 {
		t.Fatalf("%d expiry events ten days ahead, want 0 (the notice is 7 days)", n)
	}
	e.clock.Advance(4 * day)
	if n := record(); n != 1 {
		t.Fatalf("%d events six days ahead, want the expiring notice", n)
	}
	if n := record(); n != 0 {
		t.Fatalf("the notice again: %d", n)
	}
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+k["id"].(string), map[string]any{"expires_at": apiTime(e.clock.Now().Add(5 * day))}), http.StatusOK)
	if n := record(); n != 1 {
		t.Fatalf("a new expiry: %d events, want a new notice", n)
	}
	e.clock.Advance(5 * day)
	if n := record(); n != 1 {
		t.Fatalf("expired: %d events, want 1", n)
	}
	if n := record(); n != 0 {
		t.Fatalf("expired again: %d", n)
	}
	types := eventTypes(t, hook.deliveries()[base:])
	if !slices.Equal(types, []string{"api_key.expired", "api_key.expiring", "api_key.expiring", "api_key.updated"}) {
		t.Errorf("events %v", types)
	}
}

// TestLifecycleRotationFailed: a scheduled rotation whose new key cannot be delivered to the
// key's rotation webhook tells the events webhook.
func TestLifecycleRotationFailed(t *testing.T) {
	e := newTestEnv(t)
	events := newWebhookReceiver(t)
	rotation := newWebhookReceiver(t, 500)
	pid, _ := e.eventsProject("rotating", events)
	k, _ := e.createKey(pid, "scheduled", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": rotation.URL})
	e.clock.Advance(24 * time.Hour)
	if _, err := e.svc.RotateDueKeys(context.Background()); err == nil {
		t.Fatal("the pass reports no failure")
	}
	e.deliverEvents()
	var failed map[string]any
	for _, d := range events.deliveries() {
		if ev := decodeEvent(t, d); ev["type"] == "api_key.rotation_failed" {
			failed = ev
		}
	}
	if failed == nil || failed["previous_key_id"] != k["id"] || !strings.Contains(failed["reason"].(string), "could not be delivered") {
		t.Fatalf("api_key.rotation_failed = %v", failed)
	}
}

// TestProjectEventsWebhookURL: the URL is validated as the rotation webhook's, shown on the
// project, and audited.
func TestProjectEventsWebhookURL(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	for _, bad := range []any{"ftp://x", "https://user:pw@example.com/", "not a url", 7} {
		r := e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"events_webhook_url": bad})
		expectStatus(t, r, http.StatusBadRequest)
		if _, field := r.errorCodeField(t); field != "events_webhook_url" {
			t.Errorf("%v: field %q", bad, field)
		}
	}
	r := e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"events_webhook_url": "https://hooks.example/keys"})
	expectStatus(t, r, http.StatusOK)
	if got := e.admin("GET", "/v1/projects/"+pid, nil).json(t)["events_webhook_url"]; got != "https://hooks.example/keys" {
		t.Errorf("events_webhook_url = %v", got)
	}
	a := newAuditTrail(e)
	a.fresh()
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"events_webhook_url": nil}), http.StatusOK)
	a.expect("stop events", wantEvent{action: "project.update", targetID: pid,
		changes: map[string]any{"events_webhook_url": map[string]any{"old": "https://hooks.example/keys", "new": nil}}})
}
