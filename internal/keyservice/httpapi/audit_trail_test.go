package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// auditTrail reads the audit trail as the admin sees it (every project, and the events outside
// any) and hands out the events that are new since its last read.
type auditTrail struct {
	e    *testEnv
	seen map[string]bool
}

func newAuditTrail(e *testEnv) *auditTrail { return &auditTrail{e: e, seen: map[string]bool{}} }

// list reads every page of GET /v1/audit-events with query, as token.
func (e *testEnv) listAuditEvents(token string, query url.Values) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for pages := 0; ; pages++ {
		if pages > 100 {
			e.t.Fatal("audit events: no last page")
		}
		r := e.do("GET", "/v1/audit-events?"+q.Encode(), token, nil)
		expectStatus(e.t, r, http.StatusOK)
		m := r.json(e.t)
		for _, it := range m["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		next, _ := m["next_page_token"].(string)
		if next == "" {
			return out
		}
		q.Set("page_token", next)
	}
}

// fresh returns the events written since the last call.
func (a *auditTrail) fresh() []map[string]any {
	a.e.t.Helper()
	var out []map[string]any
	for _, ev := range a.e.listAuditEvents(testAdminToken, url.Values{"page_size": {"7"}}) {
		id := ev["id"].(string)
		if !a.seen[id] {
			a.seen[id] = true
			out = append(out, ev)
		}
	}
	return out
}

// wantEvent is what an expected event must hold; empty fields are not checked, and changes
// are checked field by field (as JSON-decoded values) among those the event holds.
type wantEvent struct {
	action, targetType, targetID, actorType, actorID string
	changes                                          map[string]any
}

// expect checks that exactly the wanted events were written since the last read, in any order.
func (a *auditTrail) expect(what string, want ...wantEvent) []map[string]any {
	t := a.e.t
	t.Helper()
	got := a.fresh()
	key := func(action, target string) string { return action + " " + target }
	var gotKeys, wantKeys []string
	for _, ev := range got {
		target := ev["target"].(map[string]any)
		id, _ := target["id"].(string)
		gotKeys = append(gotKeys, key(ev["action"].(string), id))
	}
	for _, w := range want {
		wantKeys = append(wantKeys, key(w.action, w.targetID))
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("%s: audit events\n got %v\nwant %v", what, gotKeys, wantKeys)
	}
	for _, w := range want {
		for _, ev := range got {
			target := ev["target"].(map[string]any)
			if ev["action"] != w.action || (w.targetID != "" && target["id"] != w.targetID) {
				continue
			}
			actor := ev["actor"].(map[string]any)
			switch {
			case w.targetType != "" && target["type"] != w.targetType:
				t.Errorf("%s: %s target type %v, want %s", what, w.action, target["type"], w.targetType)
			case w.actorType != "" && actor["type"] != w.actorType:
				t.Errorf("%s: %s actor %v, want %s", what, w.action, actor, w.actorType)
			case w.actorID != "" && actor["id"] != w.actorID:
				t.Errorf("%s: %s actor %v, want id %s", what, w.action, actor, w.actorID)
			case ev["outcome"] != "success" && w.action != "auth.refused":
				t.Errorf("%s: %s outcome %v", what, w.action, ev["outcome"])
			}
			changes := ev["changes"].(map[string]any)
			for field, wantChange := range w.changes {
				if fmt.Sprint(changes[field]) != fmt.Sprint(wantChange) {
					t.Errorf("%s: %s changes[%s] = %v, want %v", what, w.action, field, changes[field], wantChange)
				}
			}
		}
	}
	return got
}

// TestAuditOneEventPerChange: every kind of change through the API writes exactly one audit
// event per object it changes, with the right actor, target and changed fields; a request
// that changes nothing writes none. On SQLite here, on PostgreSQL in
// TestPostgresAuditOneEventPerChange.
func TestAuditOneEventPerChange(t *testing.T) {
	testOneEventPerChange(t, newTestEnv(t))
}

func testOneEventPerChange(t *testing.T, e *testEnv) {
	a := newAuditTrail(e)
	pid := e.createProject("audited")
	a.expect("create project", wantEvent{action: "project.create", targetType: "project", targetID: pid, actorType: "admin",
		changes: map[string]any{"name": map[string]any{"old": nil, "new": "audited"}}})
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"description": "payments"}), http.StatusOK)
	a.expect("update project", wantEvent{action: "project.update", targetID: pid,
		changes: map[string]any{"description": map[string]any{"old": "", "new": "payments"}}})
	expectStatus(t, e.admin("POST", "/v1/projects/"+pid+"/webhook-signing-secret/rotate", nil), http.StatusOK)
	a.expect("rotate webhook secret", wantEvent{action: "project.webhook_secret_rotate", targetID: pid})
	otpSecret := enableOTP(t, e, pid)
	a.expect("enable otp", wantEvent{action: "project.otp_enable", targetID: pid})
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid+"/otp", nil, e.freshOTP(otpSecret)), http.StatusNoContent)
	a.expect("disable otp", wantEvent{action: "project.otp_disable", targetID: pid})

	sa := e.createServiceAccount(pid, "robot")
	a.expect("create service account", wantEvent{action: "service_account.create", targetType: "service_account", targetID: sa})
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": false}), http.StatusOK)
	a.expect("disable service account", wantEvent{action: "service_account.disable", targetID: sa,
		changes: map[string]any{"active": map[string]any{"old": true, "new": false}}})
	expectStatus(t, e.admin("PATCH", "/v1/service-accounts/"+sa, map[string]any{"active": true, "description": "bot"}), http.StatusOK)
	a.expect("enable service account", wantEvent{action: "service_account.enable", targetID: sa,
		changes: map[string]any{"description": map[string]any{"old": "", "new": "bot"}}})
	env := e.createEnvironment(pid, "staging")
	a.expect("create environment", wantEvent{action: "environment.create", targetType: "environment", targetID: env})
	expectStatus(t, e.admin("PATCH", "/v1/environments/"+env, map[string]any{"name": "qa"}), http.StatusOK)
	a.expect("rename environment", wantEvent{action: "environment.update", targetID: env,
		changes: map[string]any{"name": map[string]any{"old": "staging", "new": "qa"}}})

	k, _ := e.createKey(pid, "deployer", map[string]any{"scopes": []string{"a", "b"}, "service_account_id": sa})
	key := k["id"].(string)
	a.expect("create key", wantEvent{action: "api_key.create", targetType: "api_key", targetID: key,
		changes: map[string]any{"scopes": map[string]any{"added": []any{"a", "b"}, "removed": []any{}},
			"service_account_id": map[string]any{"old": nil, "new": sa}}})
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+key, map[string]any{"scopes": []string{"b", "c"}}), http.StatusOK)
	a.expect("rescope key", wantEvent{action: "api_key.update", targetID: key,
		changes: map[string]any{"scopes": map[string]any{"added": []any{"c"}, "removed": []any{"a"}}}})
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+key, map[string]any{"active": false}), http.StatusOK)
	a.expect("disable key", wantEvent{action: "api_key.disable", targetID: key})
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+key, map[string]any{"active": true}), http.StatusOK)
	a.expect("enable key", wantEvent{action: "api_key.enable", targetID: key})
	rot := e.admin("POST", "/v1/api-keys/"+key+"/rotate", map[string]any{"grace_period_seconds": 60})
	expectStatus(t, rot, http.StatusCreated)
	next := rot.str(t, "id")
	a.expect("rotate key", wantEvent{action: "api_key.rotate", targetID: key,
		changes: map[string]any{"replaced_by_key_id": map[string]any{"old": nil, "new": next}}})
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+next, nil), http.StatusNoContent)
	a.expect("revoke key", wantEvent{action: "api_key.revoke", targetID: next})
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+next, nil), http.StatusNoContent)
	a.expect("revoke the revoked key again: nothing changes")

	k1, _ := e.createKey(pid, "bulk-1", nil)
	k2, _ := e.createKey(pid, "bulk-2", nil)
	a.fresh()
	expectStatus(t, e.admin("POST", "/v1/api-keys/revoke", map[string]any{"ids": []any{k1["id"], k2["id"], k1["id"]}}), http.StatusOK)
	a.expect("bulk revoke", wantEvent{action: "api_key.revoke", targetID: k1["id"].(string)},
		wantEvent{action: "api_key.revoke", targetID: k2["id"].(string)})

	// Requests refused by a rule change nothing and write nothing.
	taken, _ := e.createKey(pid, "taken", nil)
	a.fresh()
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+taken["id"].(string), map[string]any{"name": ""}), http.StatusBadRequest)
	expectStatus(t, e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "taken"}), http.StatusConflict)
	expectStatus(t, e.admin("DELETE", "/v1/environments/env_missing", nil), http.StatusNotFound)
	a.expect("refused by rules")

	// A management key acting is named, with its id and name; the request's origin is kept.
	mk, manager := e.createKey(pid, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	a.fresh()
	r := e.do("PATCH", "/v1/api-keys/"+k["id"].(string), manager, map[string]any{"description": "by the manager"})
	expectStatus(t, r, http.StatusConflict) // the rotated key is not live
	r = e.do("PATCH", "/v1/environments/"+env, manager, map[string]any{"description": "by the manager"})
	expectStatus(t, r, http.StatusOK)
	got := a.expect("a key acts", wantEvent{action: "environment.update", targetID: env, actorType: "api_key", actorID: mk["id"].(string)})
	if actor := got[0]["actor"].(map[string]any); actor["name"] != "manager" {
		t.Errorf("actor = %v, want the key's name", actor)
	}
	if got[0]["request_id"] != r.header.Get("X-Request-Id") || got[0]["client_address"] != "127.0.0.1" {
		t.Errorf("request_id %v, client_address %v; want %s from 127.0.0.1", got[0]["request_id"], got[0]["client_address"], r.header.Get("X-Request-Id"))
	}
	if got[0]["project_id"] != pid {
		t.Errorf("project_id = %v", got[0]["project_id"])
	}

	// Deleting an environment, then the service account (its live key is revoked with it, with
	// an event of its own), then the project (every key left, each with its event).
	expectStatus(t, e.admin("DELETE", "/v1/environments/"+env, nil), http.StatusNoContent)
	a.expect("delete environment", wantEvent{action: "environment.delete", targetID: env})
	saKey, _ := e.createKey(pid, "robot-key", map[string]any{"service_account_id": sa})
	a.fresh()
	expectStatus(t, e.admin("DELETE", "/v1/service-accounts/"+sa, nil), http.StatusNoContent)
	a.expect("delete service account", wantEvent{action: "service_account.delete", targetID: sa},
		wantEvent{action: "api_key.revoke", targetID: saKey["id"].(string)},
		wantEvent{action: "api_key.revoke", targetID: key}) // the rotated key, in its grace period, was the account's too
	var live []wantEvent
	for _, lk := range e.admin("GET", "/v1/api-keys?project_id="+pid, nil).json(t)["items"].([]any) {
		live = append(live, wantEvent{action: "api_key.revoke", targetID: lk.(map[string]any)["id"].(string)})
	}
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid, nil), http.StatusNoContent)
	a.expect("delete project", append(live, wantEvent{action: "project.delete", targetID: pid})...)
	// Who deleted it? The deleted project's trail stays readable.
	deleted := e.listAuditEvents(testAdminToken, url.Values{"project_id": {pid}, "action": {"project.delete"}})
	if len(deleted) != 1 || deleted[0]["actor"].(map[string]any)["type"] != "admin" {
		t.Errorf("the deleted project's trail: %v", deleted)
	}
}

// TestAuditScheduledRotationAndExpiry: the background jobs' changes are audited too, with the
// job as the actor.
func TestAuditScheduledRotationAndExpiry(t *testing.T) {
	e := newTestEnv(t)
	a := newAuditTrail(e)
	hook := newWebhookReceiver(t)
	pid := e.createProject("jobs")
	k, _ := e.createKey(pid, "scheduled", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": hook.URL})
	x, _ := e.createKey(pid, "expiring", map[string]any{"expires_at": apiTime(e.clock.Now().Add(36 * time.Hour))})
	a.fresh()
	e.clock.Advance(24 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	a.expect("scheduled rotation", wantEvent{action: "api_key.scheduled_rotate", targetID: k["id"].(string), actorType: "system", actorID: "scheduled_rotation"})
	if n, err := e.svc.RecordExpiryEvents(context.Background()); n != 1 || err != nil {
		t.Fatalf("RecordExpiryEvents before the expiry = %d, %v; want 1 (the expiring notice, which is no audit event)", n, err)
	}
	a.expect("expiring notice")
	e.clock.Advance(12 * time.Hour)
	if n, err := e.svc.RecordExpiryEvents(context.Background()); n != 1 || err != nil {
		t.Fatalf("RecordExpiryEvents = %d, %v; want 1", n, err)
	}
	a.expect("expiry", wantEvent{action: "api_key.expire", targetID: x["id"].(string), actorType: "system", actorID: "key_expiry"})
	if n, err := e.svc.RecordExpiryEvents(context.Background()); n != 0 || err != nil {
		t.Fatalf("RecordExpiryEvents again = %d, %v; want 0: once per expiry", n, err)
	}
	a.expect("expiry recorded once")
}

// TestAuditRecordsRefusedRequests: 401, 403 and 429 answers to management requests are in the
// audit trail, with the route and status and, once a principal is known, who it was; never the
// credential presented, nor any part of it.
func TestAuditRecordsRefusedRequests(t *testing.T) {
	e := newTestEnv(t)
	a := newAuditTrail(e)
	own := e.createProject("own")
	other := e.createProject("other")
	nk, noScope := e.createKey(own, "no-scope", map[string]any{"scopes": []string{"read"}})
	rk, reader := e.createKey(own, "reader", map[string]any{"scopes": []string{"keys:read"}})
	_, manager := e.createKey(own, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	a.fresh()

	// A bad token: perhaps a real secret pasted in the wrong place. Nothing of it is kept.
	pasted := "ks_live_" + strings.Repeat("Zq9", 14)
	r := e.do("DELETE", "/v1/api-keys/"+nk["id"].(string), pasted, nil)
	expectStatus(t, r, http.StatusUnauthorized)
	got := a.expect("bad token", wantEvent{action: "auth.refused", actorType: "anonymous"})
	ev := got[0]
	if ev["outcome"] != "refused" || ev["status"] != float64(401) || ev["project_id"] != nil ||
		ev["target"].(map[string]any)["name"] != "DELETE /v1/api-keys/{id}" || ev["request_id"] != r.header.Get("X-Request-Id") {
		t.Errorf("refusal event = %v", ev)
	}
	// A key without the management scope, and a keys:read key writing: forbidden, recorded under
	// their own project.
	expectStatus(t, e.do("GET", "/v1/api-keys?project_id="+own, noScope, nil), http.StatusForbidden)
	expectStatus(t, e.do("DELETE", "/v1/api-keys/"+nk["id"].(string), reader, nil), http.StatusForbidden)
	// A manager reaching into another project finds nothing there, as with an id that names
	// nothing: no refusal to record (a recorded one would tell, in its own project's trail,
	// that the other project exists).
	expectStatus(t, e.do("GET", "/v1/api-keys?project_id="+other, manager, nil), http.StatusNotFound)
	got = a.expect("forbidden", wantEvent{action: "auth.refused"}, wantEvent{action: "auth.refused"})
	byActor := map[any]map[string]any{}
	for _, ev := range got {
		byActor[ev["actor"].(map[string]any)["id"]] = ev
	}
	if ev := byActor[nk["id"]]; ev == nil || ev["status"] != float64(403) || ev["project_id"] != own {
		t.Errorf("no-scope refusal = %v", ev)
	}
	if ev := byActor[rk["id"]]; ev == nil || ev["status"] != float64(403) || ev["project_id"] != own ||
		ev["target"].(map[string]any)["name"] != "DELETE /v1/api-keys/{id}" {
		t.Errorf("keys:read refusal = %v", ev)
	}
	// The project's audit reader sees its own refusals, not the anonymous ones.
	for _, ev := range e.listAuditEvents(manager, url.Values{"project_id": {own}, "action": {"auth.refused"}}) {
		if ev["project_id"] != own {
			t.Errorf("a project's reader sees %v", ev)
		}
	}

	// Guessing: the failure budget runs out and the 429s are recorded too, until the address
	// has spent its budget of recorded refusals; the rest are counted in the metrics.
	const guesses = 100
	for range guesses {
		e.do("GET", "/v1/projects", "guess-"+pasted, nil)
	}
	e.limitClock.Advance(time.Minute) // the address may present credentials again
	counts := map[any]int{}
	for _, ev := range a.fresh() {
		counts[ev["status"]]++
	}
	unrecorded := metricValue(t, e, "keyservice_audit_refusals_unrecorded_total")
	if counts[float64(401)] == 0 || counts[float64(429)] == 0 || counts[float64(401)]+counts[float64(429)]+int(unrecorded) != guesses || unrecorded == 0 {
		t.Errorf("recorded refusals by status = %v and %v unrecorded; want 401s, then 429s, then unrecorded ones, %d in all",
			counts, unrecorded, guesses)
	}

	all := e.listAuditEvents(testAdminToken, nil)
	for _, ev := range all {
		raw := fmt.Sprint(ev)
		for _, secret := range []string{pasted, noScope, manager, testAdminToken, pasted[:12]} {
			if strings.Contains(raw, secret) {
				t.Fatalf("an audit event holds a credential (or its prefix): %v", ev)
			}
		}
	}
}

// TestAuditEventsList: filters, paging, order and access of GET /v1/audit-events.
func TestAuditEventsList(t *testing.T) {
	e := newTestEnv(t)
	own := e.createProject("own")
	other := e.createProject("other")
	mk, manager := e.createKey(own, "manager", map[string]any{"scopes": []string{"keys:admin"}})
	var keys []string
	for i := range 5 {
		e.clock.Advance(time.Second)
		k, _ := e.createKey(own, fmt.Sprintf("k%d", i), nil)
		keys = append(keys, k["id"].(string))
	}
	e.clock.Advance(time.Second)
	expectStatus(t, e.do("PATCH", "/v1/api-keys/"+keys[0], manager, map[string]any{"description": "x"}), http.StatusOK)
	e.createKey(other, "elsewhere", nil)

	events := e.listAuditEvents(manager, url.Values{"project_id": {own}, "page_size": {"2"}})
	if len(events) != 8 { // project.create, manager's create, 5 creates, 1 update
		t.Fatalf("%d events in own, want 8", len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i-1]["occurred_at"].(string) < events[i]["occurred_at"].(string) {
			t.Fatalf("not newest first: %v before %v", events[i-1]["occurred_at"], events[i]["occurred_at"])
		}
	}
	// The project and the manager were created at the same time: ties are ordered by id.
	last := []string{events[len(events)-2]["action"].(string), events[len(events)-1]["action"].(string)}
	slices.Sort(last)
	if events[0]["action"] != "api_key.update" || !slices.Equal(last, []string{"api_key.create", "project.create"}) {
		t.Errorf("first %v, last two %v", events[0]["action"], last)
	}
	if a, b := events[len(events)-2]["id"].(string), events[len(events)-1]["id"].(string); a < b {
		t.Errorf("a tie on occurred_at is not ordered by id, descending: %s before %s", a, b)
	}
	filter := func(q url.Values, want int) {
		t.Helper()
		q.Set("project_id", own)
		if got := e.listAuditEvents(testAdminToken, q); len(got) != want {
			t.Errorf("%v: %d events, want %d", q, len(got), want)
		}
	}
	filter(url.Values{"actor": {mk["id"].(string)}}, 1)
	filter(url.Values{"actor": {"admin"}}, 7)
	filter(url.Values{"action": {"api_key.create"}}, 6)
	filter(url.Values{"target_id": {keys[0]}}, 2)
	filter(url.Values{"target_type": {"project"}}, 1)
	since := apiTime(keyservicetestStart().Add(2 * time.Second))
	until := apiTime(keyservicetestStart().Add(4 * time.Second))
	filter(url.Values{"since": {since}, "until": {until}}, 2)
	if got := e.listAuditEvents(testAdminToken, url.Values{"action": {"api_key.create"}}); len(got) != 7 {
		t.Errorf("the admin across projects: %d key creations, want 7", len(got))
	}

	for _, c := range []struct {
		query, token string
		status       int
		field        string
	}{
		{"project_id=" + own + "&actor_id=x", testAdminToken, 400, "actor_id"},
		{"project_id=" + own + "&since=yesterday", testAdminToken, 400, "since"},
		{"project_id=" + own + "&since=" + until + "&until=" + since, testAdminToken, 400, "until"},
		{"project_id=" + own + "&page_size=0", testAdminToken, 400, "page_size"},
		{"project_id=" + own + "&page_token=bogus", testAdminToken, 400, "page_token"},
		{"project_id=" + own + "&actor=", testAdminToken, 400, "actor"},
		{"", manager, 400, "project_id"},
		{"project_id=" + other, manager, 404, "project_id"},
		{"project_id=prj_missing", testAdminToken, 404, "project_id"},
	} {
		r := e.do("GET", "/v1/audit-events?"+c.query, c.token, nil)
		if r.status != c.status {
			t.Errorf("?%s: %d, want %d: %s", c.query, r.status, c.status, r.raw)
			continue
		}
		if _, field := r.errorCodeField(t); field != c.field {
			t.Errorf("?%s: field %q, want %q", c.query, field, c.field)
		}
	}
	// A page token is bound to its query.
	r := e.do("GET", "/v1/audit-events?project_id="+own+"&page_size=1", manager, nil)
	token := r.str(t, "next_page_token")
	expectStatus(t, e.do("GET", "/v1/audit-events?project_id="+own+"&action=api_key.create&page_token="+token, manager, nil), http.StatusBadRequest)
}

func keyservicetestStart() time.Time { return keyservicetest.Start }

// metricValue reads one series without labels (or the sum of a family's series) from /metrics.
func metricValue(t *testing.T, e *testEnv, name string) float64 {
	t.Helper()
	var sum float64
	for _, line := range strings.Split(string(e.admin("GET", "/metrics", nil).raw), "\n") {
		series, value, ok := strings.Cut(line, " ")
		if !ok || (series != name && !strings.HasPrefix(series, name+"{")) {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("metric %s: %v", line, err)
		}
		sum += v
	}
	return sum
}

// TestNoSecretInEvents: after every kind of change that hands out a secret (keys created and
// rotated, by hand and on schedule; signing secrets; one-time-code secrets), no audit event and
// no lifecycle event holds any of them, nor a key's hash, nor the admin token.
func TestNoSecretInEvents(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	rotation := newWebhookReceiver(t)
	pid, signing := e.eventsProject("secrets", hook)
	secrets := []string{signing, testAdminToken}
	r := e.admin("POST", "/v1/projects/"+pid+"/otp", nil)
	expectStatus(t, r, http.StatusCreated)
	secrets = append(secrets, r.str(t, "otp_secret"))
	otpSecret, _ := totpEncoding.DecodeString(r.str(t, "otp_secret"))
	expectStatus(t, e.admin("DELETE", "/v1/projects/"+pid+"/otp", nil, e.freshOTP(otpSecret)), http.StatusNoContent)
	r = e.admin("POST", "/v1/projects/"+pid+"/webhook-signing-secret/rotate", nil)
	expectStatus(t, r, http.StatusOK)
	secrets = append(secrets, r.str(t, "webhook_signing_secret"))
	k, secret := e.createKey(pid, "k", map[string]any{"rotation_interval_days": 1, "rotation_webhook_url": rotation.URL})
	secrets = append(secrets, secret)
	rot := e.admin("POST", "/v1/api-keys/"+k["id"].(string)+"/rotate", nil)
	expectStatus(t, rot, http.StatusCreated)
	secrets = append(secrets, rot.str(t, "key"))
	e.clock.Advance(25 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	for _, d := range rotation.deliveries() {
		secrets = append(secrets, decodeEvent(t, d)["key"].(string))
	}
	expectStatus(t, e.do("POST", "/v1/leaks", "", map[string]any{"keys": []string{rot.str(t, "key")}}), http.StatusAccepted)
	e.deliverEvents()
	keys, err := e.store.ListAPIKeys(context.Background(), store.APIKeyFilter{ProjectID: pid, IncludeRevoked: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		secrets = append(secrets, k.KeyHash)
	}
	if len(secrets) != 10 {
		t.Fatalf("collected %d secrets, want 10", len(secrets))
	}

	audit, err := e.store.ListAuditEvents(context.Background(), store.AuditEventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := e.store.ListOutboxEvents(context.Background(), store.OutboxFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) < 8 || len(outbox) < 4 {
		t.Fatalf("%d audit and %d outbox events: the test did less than it says", len(audit), len(outbox))
	}
	raw, _ := json.Marshal(map[string]any{"audit": audit, "outbox": outbox})
	all := string(raw)
	for _, d := range hook.deliveries() {
		all += string(d.body)
	}
	for _, ev := range outbox {
		all += string(ev.Payload) // raw, as json.Marshal above wrote it in base64
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Fatalf("an event holds a secret (%d characters, starting %.4s)", len(s), s)
		}
	}
}
