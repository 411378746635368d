package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestListAuditEvents reads the real server's audit trail: changes decoded, filters sent, and
// ListAuditEventsUpTo stopping at its limit across pages.
func TestListAuditEvents(t *testing.T) {
	c := newKeyserviceClient(t)
	ctx := context.Background()
	p, err := c.CreateProject(ctx, CreateProjectRequest{Name: "audited"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: p.ID, Name: "k0", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	desc := "nightly"
	scopes := []string{"write"}
	if _, err := c.UpdateAPIKey(ctx, k.ID, UpdateAPIKeyRequest{Description: &desc, Scopes: &scopes}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 5; i++ {
		if _, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: p.ID, Name: fmt.Sprintf("k%d", i)}); err != nil {
			t.Fatal(err)
		}
	}

	page, err := c.ListAuditEvents(ctx, ListAuditEventsOptions{ProjectID: p.ID, TargetID: k.ID, Action: "api_key.update"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("filtered list = %+v, %v", page, err)
	}
	ev := page.Items[0]
	if ev.Actor.Type != "admin" || ev.Target.ID == nil || *ev.Target.ID != k.ID || ev.Outcome != "success" || ev.Status != nil {
		t.Errorf("event = %+v", ev)
	}
	sc := ev.Changes["scopes"]
	if !sc.IsSet || !slices.Equal(sc.Added, []string{"write"}) || !slices.Equal(sc.Removed, []string{"read"}) {
		t.Errorf("scopes change = %+v", sc)
	}
	if d := ev.Changes["description"]; d.IsSet || string(d.Old) != `""` || string(d.New) != `"nightly"` {
		t.Errorf("description change = %+v", d)
	}
	if b, _ := json.Marshal(ev.Changes["description"]); string(b) != `{"old":"","new":"nightly"}` {
		t.Errorf("re-encoded change = %s", b)
	}

	all, more, err := c.ListAuditEventsUpTo(ctx, ListAuditEventsOptions{ProjectID: p.ID, PageSize: 2}, 0)
	if err != nil || more || len(all) != 7 {
		t.Fatalf("all events: %d, more %v, %v; want 7", len(all), more, err)
	}
	some, more, err := c.ListAuditEventsUpTo(ctx, ListAuditEventsOptions{ProjectID: p.ID, PageSize: 2}, 5)
	if err != nil || !more || len(some) != 5 {
		t.Fatalf("up to 5: %d, more %v, %v", len(some), more, err)
	}
	for i := range some {
		if some[i].ID != all[i].ID {
			t.Fatalf("the limited walk differs from the full one at %d", i)
		}
	}
}
