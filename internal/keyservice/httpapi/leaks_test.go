package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// TestLeakReportRevokesRecordsAndAnswersUniformly: every string of a report that is a key not
// revoked yet (disabled or expired ones too) stops working at once, with an audit event whose
// actor is the leak report and an api_key.leaked event for the project's webhook; the answer is
// the same whatever the strings were, and no string is logged.
func TestLeakReportRevokesRecordsAndAnswersUniformly(t *testing.T) {
	e := newTestEnv(t)
	hook := newWebhookReceiver(t)
	pid, _ := e.createProjectWithSecret("leaky")
	expectStatus(t, e.admin("PATCH", "/v1/projects/"+pid, map[string]any{"events_webhook_url": hook.URL}), http.StatusOK)
	live, liveSecret := e.createKey(pid, "live", nil)
	disabled, disabledSecret := e.createKey(pid, "disabled", nil)
	expectStatus(t, e.admin("PATCH", "/v1/api-keys/"+disabled["id"].(string), map[string]any{"active": false}), http.StatusOK)
	revoked, revokedSecret := e.createKey(pid, "revoked", nil)
	expectStatus(t, e.admin("DELETE", "/v1/api-keys/"+revoked["id"].(string), nil), http.StatusNoContent)
	_, bystanderSecret := e.createKey(pid, "bystander", nil)
	unknown := liveSecret[:len(liveSecret)-8] + "AAAAAAAA" // well-formed, bad checksum
	a := newAuditTrail(e)
	a.fresh()

	report := func(keys ...string) response {
		t.Helper()
		return e.do("POST", "/v1/leaks", "", map[string]any{"keys": keys})
	}
	junk := report("ks_nothing", unknown, "not a key at all", revokedSecret)
	leak := report(liveSecret, "ks_nothing", disabledSecret, unknown)
	for _, r := range []response{junk, leak} {
		expectStatus(t, r, http.StatusAccepted)
	}
	if !bytes.Equal(junk.raw, leak.raw) || string(leak.raw) != `{"received":4}`+"\n" {
		t.Fatalf("answers differ with what the strings were: %s vs %s", junk.raw, leak.raw)
	}

	for _, secret := range []string{liveSecret, disabledSecret} {
		expectStatus(t, e.verify(secret), http.StatusUnauthorized)
	}
	expectStatus(t, e.verify(bystanderSecret), http.StatusOK)
	for _, k := range []map[string]any{live, disabled} {
		if got := e.admin("GET", "/v1/api-keys/"+k["id"].(string), nil).json(t); got["revoked_at"] == nil {
			t.Errorf("%s not revoked", k["name"])
		}
	}
	got := a.expect("leak report",
		wantEvent{action: "api_key.revoke", targetID: live["id"].(string), actorType: "leak_report"},
		wantEvent{action: "api_key.revoke", targetID: disabled["id"].(string), actorType: "leak_report"})
	for _, ev := range got {
		if ev["client_address"] != "127.0.0.1" || ev["request_id"] != leak.header.Get("X-Request-Id") {
			t.Errorf("leak event origin: %v", ev)
		}
	}

	if _, err := e.svc.DeliverEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	leaked := map[string]bool{}
	for _, d := range hook.deliveries() {
		ev := decodeEvent(t, d)
		if ev["type"] == "api_key.leaked" {
			leaked[ev["key"].(map[string]any)["id"].(string)] = true
		}
	}
	if !leaked[live["id"].(string)] || !leaked[disabled["id"].(string)] || len(leaked) != 2 {
		t.Errorf("api_key.leaked events for %v", leaked)
	}

	// Reporting the same keys again changes nothing and records nothing.
	expectStatus(t, report(liveSecret, disabledSecret), http.StatusAccepted)
	a.expect("the same report again")

	if metricValue(t, e, `keyservice_leak_report_keys_total{outcome="revoked"}`) != 2 {
		t.Errorf("metrics:\n%s", e.admin("GET", "/metrics", nil).raw)
	}
	logs := e.logs.String()
	for _, s := range []string{liveSecret, disabledSecret, revokedSecret, unknown, "not a key at all"} {
		if strings.Contains(logs, s) {
			t.Fatalf("the server log holds a reported string")
		}
	}
}

// TestLeakReportBadInput: what is not a report is a 400 (or 413, 415) naming the problem,
// without echoing any string; the strings themselves are never judged aloud.
func TestLeakReportBadInput(t *testing.T) {
	e := newTestEnvWith(t, keyservicetest.Options{API: noClientLimits})
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("ks_%d", i)
	}
	big := map[string]any{"keys": []string{strings.Repeat("k", 70<<10)}}
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"not JSON", "ks_live_abc", 400, ""},
		{"empty", "", 400, "keys"},
		{"no keys", map[string]any{"keys": []string{}}, 400, "keys"},
		{"too many", map[string]any{"keys": many}, 400, "keys"},
		{"not strings", map[string]any{"keys": []any{1}}, 400, "keys"},
		{"unknown field", map[string]any{"keys": []string{"x"}, "key": "y"}, 400, "key"},
		{"too big", big, 413, ""},
	} {
		r := e.do("POST", "/v1/leaks", "", c.body)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.raw)
			continue
		}
		if _, field := r.errorCodeField(t); field != c.field {
			t.Errorf("%s: field %q, want %q", c.name, field, c.field)
		}
		if strings.Contains(string(r.raw), "ks_live_abc") {
			t.Errorf("%s: the answer echoes the body: %s", c.name, r.raw)
		}
	}
	r := e.do("POST", "/v1/leaks", "", nil, withHeader("Content-Type", "text/plain"))
	if r.status != http.StatusBadRequest {
		t.Errorf("no body: %d", r.status)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/leaks", strings.NewReader(`{"keys":["x"]}`))
	req.Header.Set("Content-Type", "text/plain")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d, want 415", res.StatusCode)
	}
}

// TestLeakReportsAreRateLimitedPerClient: a client address gets a small budget of reports.
func TestLeakReportsAreRateLimitedPerClient(t *testing.T) {
	e := newTestEnv(t)
	body := map[string]any{"keys": []string{"ks_nothing"}}
	accepted := 0
	for range 20 {
		r := e.do("POST", "/v1/leaks", "", body)
		switch r.status {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			if r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		default:
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
	}
	if accepted < 10 || accepted == 20 {
		t.Fatalf("%d of 20 reports accepted, want the burst of 10 (and a few refilled at most)", accepted)
	}
	counts := e.admin("GET", "/metrics", nil).raw
	if !bytes.Contains(counts, []byte(`keyservice_http_requests_total{method="POST",route="/v1/leaks",status="429"}`)) {
		t.Errorf("the refused reports are not counted:\n%s", counts)
	}
}
