package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// webhookReceiver records deliveries and answers each with the next status of a script (the
// last one repeats).
type webhookReceiver struct {
	*httptest.Server
	mu         sync.Mutex
	statuses   []int
	retryAfter string
	got        []delivery
}

type delivery struct {
	header http.Header
	body   []byte
	path   string
}

func newWebhookReceiver(t *testing.T, statuses ...int) *webhookReceiver {
	t.Helper()
	w := &webhookReceiver{statuses: statuses}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		n := len(w.got)
		w.got = append(w.got, delivery{header: r.Header.Clone(), body: body, path: r.URL.RequestURI()})
		status := http.StatusNoContent
		if len(w.statuses) > 0 {
			status = w.statuses[min(n, len(w.statuses)-1)]
		}
		if w.retryAfter != "" {
			rw.Header().Set("Retry-After", w.retryAfter)
		}
		w.mu.Unlock()
		rw.WriteHeader(status)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhookReceiver) deliveries() []delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]delivery(nil), w.got...)
}

// createProjectWithSecret returns a new project's id and webhook signing secret.
func (e *testEnv) createProjectWithSecret(name string) (string, string) {
	e.t.Helper()
	r := e.admin("POST", "/v1/projects", map[string]any{"name": name})
	expectStatus(e.t, r, http.StatusCreated)
	return r.str(e.t, "id"), r.str(e.t, "webhook_signing_secret")
}

// checkSignature verifies a delivery as a receiver would.
func checkSignature(t *testing.T, d delivery, secret string) {
	t.Helper()
	ts := d.header.Get("X-Keyservice-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		t.Fatalf("X-Keyservice-Timestamp %q: %v", ts, err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(d.body)))
	want := "v1=" + hex.EncodeToString(m.Sum(nil))
	if got := d.header.Get("X-Keyservice-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		t.Fatalf("X-Keyservice-Signature = %q, want %q", got, want)
	}
	if ct := d.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func decodeEvent(t *testing.T, d delivery) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(d.body, &m); err != nil {
		t.Fatalf("webhook body: %v", err)
	}
	return m
}

func TestScheduledRotationDeliversSignedKey(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, signing := e.createProjectWithSecret("p")
	if !strings.HasPrefix(signing, "whsec_") || len(signing) != len("whsec_")+43 {
		t.Fatalf("webhook_signing_secret has the wrong shape (%d characters)", len(signing))
	}
	if g := e.admin("GET", "/v1/projects/"+pid, nil).json(t); g["webhook_signing_secret"] != nil {
		t.Fatal("GET shows the webhook signing secret")
	}
	sa := e.createServiceAccount(pid, "robot")
	old, oldSecret := e.createKey(pid, "svc", map[string]any{
		"rotation_interval_days": 1, "rotation_webhook_url": hook.URL + "/rotated", "scopes": []string{"read"}, "service_account_id": sa,
	})
	e.createKey(pid, "manual", nil)

	// Not due yet.
	e.clock.Advance(23 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 0 || err != nil {
		t.Fatalf("pass before the key is due: %d, %v", n, err)
	}
	e.clock.Advance(time.Hour)
	n, err := e.svc.RotateDueKeys(context.Background())
	if n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v; want 1 key rotated", n, err)
	}
	got := hook.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	d := got[0]
	checkSignature(t, d, signing)
	if d.path != "/rotated" || d.header.Get("X-Keyservice-Event") != "api_key.rotated" {
		t.Errorf("delivery to %s, event %q", d.path, d.header.Get("X-Keyservice-Event"))
	}
	ev := decodeEvent(t, d)
	newSecret, _ := ev["key"].(string)
	if ev["event"] != "api_key.rotated" || ev["previous_key_id"] != old["id"] || ev["project_id"] != pid ||
		ev["service_account_id"] != sa || ev["name"] != "svc" || ev["rotated_at"] != apiTime(e.clock.Now()) {
		t.Errorf("event: %s", d.body)
	}
	if ts, _ := strconv.ParseInt(d.header.Get("X-Keyservice-Timestamp"), 10, 64); ts != e.clock.Now().Unix() {
		t.Errorf("timestamp %d, want the server clock %d", ts, e.clock.Now().Unix())
	}

	// The delivered key is the live successor; the old one works for the grace period only.
	v := e.verify(newSecret)
	expectStatus(t, v, http.StatusOK)
	if v.json(t)["id"] != ev["key_id"] {
		t.Errorf("delivered key verifies as %v, event says %v", v.json(t)["id"], ev["key_id"])
	}
	next := e.admin("GET", "/v1/api-keys/"+ev["key_id"].(string), nil).json(t)
	if next["next_rotation_at"] != apiTime(e.clock.Now().AddDate(0, 0, 1)) || next["rotation_webhook_url"] != hook.URL+"/rotated" ||
		next["key_prefix"] != ev["key_prefix"] || ev["next_rotation_at"] != next["next_rotation_at"] {
		t.Errorf("successor: %v", next)
	}
	prev := e.admin("GET", "/v1/api-keys/"+old["id"].(string), nil).json(t)
	if prev["replaced_by_key_id"] != ev["key_id"] || prev["grace_expires_at"] != apiTime(e.clock.Now().Add(time.Hour /* default grace period */)) ||
		ev["previous_key_grace_expires_at"] != prev["grace_expires_at"] {
		t.Errorf("old key: %v", prev)
	}
	expectStatus(t, e.verify(oldSecret), http.StatusOK)
	e.clock.Advance(time.Hour /* default grace period */)
	expectStatus(t, e.verify(oldSecret), http.StatusUnauthorized)
	expectStatus(t, e.verify(newSecret), http.StatusOK)

	// Nothing is due again until the next interval.
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 0 || err != nil || len(hook.deliveries()) != 1 {
		t.Fatalf("second pass: %d, %v, %d deliveries", n, err, len(hook.deliveries()))
	}
	if strings.Contains(e.logs.String(), newSecret) || strings.Contains(e.logs.String(), signing) {
		t.Fatal("a secret reached the log")
	}
}

func TestScheduledRotationRetriesWithBackoff(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t, http.StatusInternalServerError, http.StatusBadGateway, http.StatusOK)
	pid, signing := e.createProjectWithSecret("p")
	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)

	n, err := e.svc.RotateDueKeys(context.Background())
	if n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	got := hook.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3 (two failures, then success)", len(got))
	}
	for _, d := range got {
		checkSignature(t, d, signing)
		if string(d.body) != string(got[0].body) {
			t.Fatal("a retry sent another body")
		}
	}
	if want := []time.Duration{time.Second, 2 * time.Second}; !equalDurations(e.webhookWaits(), want) {
		t.Errorf("waits %v, want %v", e.webhookWaits(), want)
	}
	expectStatus(t, e.verify(decodeEvent(t, got[0])["key"].(string)), http.StatusOK)
}

func TestScheduledRotationHonoursRetryAfter(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t, http.StatusTooManyRequests, http.StatusOK)
	hook.retryAfter = "7"
	pid, _ := e.createProjectWithSecret("p")
	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	if want := []time.Duration{7 * time.Second}; !equalDurations(e.webhookWaits(), want) {
		t.Errorf("waits %v, want %v", e.webhookWaits(), want)
	}
}

func TestScheduledRotationGivesUpAndLogsNoSecret(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t, http.StatusServiceUnavailable)
	pid, signing := e.createProjectWithSecret("p")
	// A token in the URL's path and query must not reach the log either.
	url := hook.URL + "/hooks/t0ken-in-path?sig=t0ken-in-query"
	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": url})
	e.clock.Advance(25 * time.Hour)

	n, err := e.svc.RotateDueKeys(context.Background())
	if n != 1 || err == nil || !strings.Contains(err.Error(), "gave up after 5 attempt(s)") {
		t.Fatalf("RotateDueKeys = %d, %v; want 1 rotated and the delivery given up after 5 attempts", n, err)
	}
	got := hook.deliveries()
	if len(got) != 5 /* default attempts */ {
		t.Fatalf("%d attempts, want %d", len(got), 5 /* default attempts */)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}; !equalDurations(e.webhookWaits(), want) {
		t.Errorf("waits %v, want %v", e.webhookWaits(), want)
	}
	secret := decodeEvent(t, got[0])["key"].(string)
	logs := e.logs.String()
	for what, s := range map[string]string{"the rotated key": secret, "the signing secret": signing, "the URL path": "t0ken-in-path", "the URL query": "t0ken-in-query"} {
		if strings.Contains(logs, s) {
			t.Errorf("%s reached the log", what)
		}
	}
	if !strings.Contains(logs, "webhook delivery failed") || !strings.Contains(logs, `"attempts":5`) {
		t.Errorf("the failure is not logged: %s", logs)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "t0ken") {
		t.Error("the returned error holds a secret")
	}
	// The rotation itself happened (the secret is lost, not the key): nothing is due now.
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 0 || err != nil {
		t.Fatalf("next pass: %d, %v", n, err)
	}
}

func TestScheduledRotationDoesNotFollowRedirects(t *testing.T) {
	e := newTestEnvWith(t, keyservicetest.Options{Service: func(c *keyservice.Config) { c.Webhook.Attempts = 2 }})
	elsewhere := newWebhookReceiver(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	pid, _ := e.createProjectWithSecret("p")
	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": redirector.URL})
	e.clock.Advance(25 * time.Hour)
	if _, err := e.svc.RotateDueKeys(context.Background()); err == nil || !strings.Contains(err.Error(), "307") {
		t.Fatalf("RotateDueKeys error = %v, want the 307 reported", err)
	}
	if n := len(elsewhere.deliveries()); n != 0 {
		t.Fatalf("the key was sent on to the redirect target (%d requests)", n)
	}
}

func TestScheduledRotationSkips(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, _ := e.createProjectWithSecret("p")
	// No webhook: the server has nowhere to send a new secret, so it does not rotate.
	noHook, _ := e.createKey(pid, "no-hook", map[string]any{"rotation_interval_days": 1})
	revoked, _ := e.createKey(pid, "revoked", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+revoked["id"].(string), nil), http.StatusNoContent)
	expiring, _ := e.createKey(pid, "expiring", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL, "expires_in_days": 1})
	e.clock.Advance(25 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 0 || err != nil || len(hook.deliveries()) != 0 {
		t.Fatalf("RotateDueKeys = %d, %v with %d deliveries; want nothing rotated", n, err, len(hook.deliveries()))
	}
	for _, k := range []map[string]any{noHook, revoked, expiring} {
		if got := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t); got["replaced_by_key_id"] != nil {
			t.Errorf("%s was rotated", k["name"])
		}
	}
}

func TestScheduledRotationNeedsSigningSecret(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	// A project from before signing secrets existed.
	legacy := store.Project{ID: "prj_legacy0000000000000", Name: "legacy", CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.store.CreateProject(context.Background(), legacy, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	k, _ := e.createKey(legacy.ID, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)
	n, err := e.svc.RotateDueKeys(context.Background())
	if n != 0 || err == nil || !strings.Contains(err.Error(), "webhook-signing-secret/rotate") {
		t.Fatalf("RotateDueKeys = %d, %v; want nothing rotated and the fix named", n, err)
	}
	if got := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t); got["replaced_by_key_id"] != nil {
		t.Fatal("the key was rotated although its secret could not be signed for")
	}

	r := e.admin("POST", "/v1/projects/"+legacy.ID+"/webhook-signing-secret/rotate", nil)
	expectStatus(t, r, http.StatusOK)
	signing := r.str(t, "webhook_signing_secret")
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatalf("after the secret was set: %d, %v", n, err)
	}
	checkSignature(t, hook.deliveries()[0], signing)
}

func TestWebhookSigningSecretRotation(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, first := e.createProjectWithSecret("p")
	_, admin := e.createKey(pid, "admin", map[string]any{"scopes": []string{keyservice.ScopeAdmin}})
	r := e.do("POST", "/v1/projects/"+pid+"/webhook-signing-secret/rotate", admin, nil)
	expectStatus(t, r, http.StatusOK)
	second := r.str(t, "webhook_signing_secret")
	if second == first || r.str(t, "id") != pid {
		t.Fatalf("rotate response: id %v, secret changed %v", r.json(t)["id"], second != first)
	}
	other := e.createProject("q")
	expectStatus(t, e.do("POST", "/v1/projects/"+other+"/webhook-signing-secret/rotate", admin, nil), http.StatusNotFound)
	expectStatus(t, e.admin("POST", "/v1/projects/prj_00000000000000000000/webhook-signing-secret/rotate", nil), http.StatusNotFound)

	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	checkSignature(t, hook.deliveries()[0], second)

	// The sealed secret is bound to its project: copied onto another project's row it does not
	// open, so that project's due keys are not rotated (nor signed for with a foreign secret).
	p, _ := e.store.GetProject(context.Background(), pid)
	if err := e.store.SetProjectWebhookSecret(context.Background(), other, p.WebhookSecret, e.clock.Now(), store.Changes{}); err != nil {
		t.Fatal(err)
	}
	foreign, _ := e.createKey(other, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)
	if _, err := e.svc.RotateDueKeys(context.Background()); err == nil || !strings.Contains(err.Error(), other) {
		t.Fatalf("RotateDueKeys with a signing secret copied from another project: %v; want that project refused", err)
	}
	if got := e.admin("GET", "/v1/api-keys/"+foreign["id"].(string), nil).json(t); got["replaced_by_key_id"] != nil {
		t.Fatal("a key was rotated and signed for with a signing secret sealed for another project")
	}
	if strings.Contains(string(p.WebhookSecret), second) {
		t.Fatal("the signing secret is stored in clear")
	}
}

// TestScheduledRotationExactlyOnce runs passes of two servers over one store at once, as two
// replicas would: each due key is rotated and delivered once.
func TestScheduledRotationExactlyOnce(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, _ := e.createProjectWithSecret("p")
	for i := range 6 {
		e.createKey(pid, "svc-"+strconv.Itoa(i), map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	}
	replica := keyservicetest.New(t, keyservicetest.Options{Store: e.store, Clock: e.clock}).Service
	e.clock.Advance(25 * time.Hour)
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, srv := range []*keyservice.Service{e.svc, replica} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := srv.RotateDueKeys(context.Background())
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 6 || len(hook.deliveries()) != 6 {
		t.Fatalf("rotated %v, %d deliveries; want 6 in all", counts, len(hook.deliveries()))
	}
	seen := map[string]bool{}
	for _, d := range hook.deliveries() {
		prev := decodeEvent(t, d)["previous_key_id"].(string)
		if seen[prev] {
			t.Fatalf("key %s was rotated twice", prev)
		}
		seen[prev] = true
	}
	live := e.admin("GET", "/v1/api-keys?project_id="+pid, nil).json(t)["items"].([]any)
	if len(live) != 6 {
		t.Fatalf("%d live keys after the passes, want 6", len(live))
	}
}

// TestRunRotationLoop: Run rotates due keys on its own every RotationInterval, and returns
// when its context ends. (A zero interval turning the loop off is a test of the domain.)
func TestRunRotationLoop(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, _ := e.createProjectWithSecret("p")
	e.createKey(pid, "svc", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	e.clock.Advance(25 * time.Hour)

	on := keyservicetest.New(t, keyservicetest.Options{Store: e.store, Clock: e.clock,
		Service: func(c *keyservice.Config) { c.RotationInterval = 10 * time.Millisecond }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { on.Service.Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(hook.deliveries()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	if n := len(hook.deliveries()); n != 1 {
		t.Fatalf("%d deliveries from the loop, want 1", n)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
