package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestPatchMergeSemantics(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	k, _ := e.createKey(pid, "k", map[string]any{
		"description": "d", "scopes": []string{"a"}, "rotation_interval_days": 5,
		"rotation_webhook_url": "http://hook.example/x", "expires_in_days": 9,
	})
	id := k["id"].(string)

	// An empty patch changes nothing but updated_at.
	r := e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{})
	expectStatus(t, r, http.StatusOK)
	same := r.json(t)
	for _, f := range []string{"name", "description", "scopes", "expires_at", "rotation_interval_days", "next_rotation_at", "rotation_webhook_url"} {
		if formatJSON(same[f]) != formatJSON(k[f]) {
			t.Errorf("empty patch changed %s", f)
		}
	}

	r = e.admin("PATCH", "/v1/api-keys/"+id, `{"rotation_interval_days":null,"rotation_webhook_url":null,"scopes":null,"description":null,"expires_at":null}`)
	expectStatus(t, r, http.StatusOK)
	m := r.json(t)
	for _, f := range []string{"rotation_interval_days", "next_rotation_at", "rotation_webhook_url", "expires_at"} {
		if m[f] != nil {
			t.Errorf("%s = %v after null", f, m[f])
		}
	}
	if m["description"] != "" || formatJSON(m["scopes"]) != "[]" {
		t.Errorf("description/scopes after null: %s", r.raw)
	}

	r = e.admin("PATCH", "/v1/api-keys/"+id, map[string]any{"rotation_interval_days": 2})
	if r.json(t)["next_rotation_at"] != apiTime(e.clock.Now().AddDate(0, 0, 2)) {
		t.Errorf("next_rotation_at not set from the interval: %s", r.raw)
	}
}

func formatJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
