package storetest

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testAuditEventRoundTrip: every field of an event reads back as written, changes included.
func testAuditEventRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	e := store.AuditEvent{
		ID: "aud_1", OccurredAt: base, ProjectID: ptr("prj_1"),
		Actor:  store.AuditActor{Type: "api_key", ID: "key_actor", Name: "deployer"},
		Action: "api_key.update", Target: store.AuditTarget{Type: "api_key", ID: "key_1", Name: "ci"},
		Changes: map[string]store.FieldChange{
			"description": {Old: "", New: "nightly"},
			"expires_at":  {Old: nil, New: "2031-05-06T07:08:09Z"},
			"active":      {Old: true, New: false},
			"scopes":      {Added: []string{"write"}, Removed: []string{}, Set: true},
		},
		RequestID: "req_1", ClientAddress: "192.0.2.7", Outcome: "success",
	}
	refused := store.AuditEvent{
		ID: "aud_2", OccurredAt: base.Add(time.Second), Actor: store.AuditActor{Type: "anonymous"},
		Action: "auth.refused", Target: store.AuditTarget{Type: "request", Name: "DELETE /v1/api-keys/{id}"},
		Changes: map[string]store.FieldChange{}, ClientAddress: "198.51.100.1", Outcome: "refused", Status: 401,
	}
	if err := s.RecordChanges(ctx, store.Changes{Audit: []store.AuditEvent{e, refused}}); err != nil {
		t.Fatal(err)
	}
	got := allAuditEvents(t, s)
	if len(got) != 2 {
		t.Fatalf("%d events, want 2", len(got))
	}
	if !reflect.DeepEqual(got[1], e) {
		t.Errorf("read back\n%#v\nwant\n%#v", got[1], e)
	}
	if !reflect.DeepEqual(got[0], refused) {
		t.Errorf("read back\n%#v\nwant\n%#v", got[0], refused)
	}
}

// testAuditEventPrune: DeleteAuditEventsBefore removes exactly the events older than its time.
func testAuditEventPrune(t *testing.T, s store.Store) {
	ctx := context.Background()
	var events []store.AuditEvent
	for i := range 5 {
		e := auditEvent(fmt.Sprintf("aud_%d", i), "prj_1", "test")
		e.OccurredAt = base.Add(time.Duration(i) * time.Hour)
		events = append(events, e)
	}
	if err := s.RecordChanges(ctx, store.Changes{Audit: events}); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteAuditEventsBefore(ctx, base.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteAuditEventsBefore = %d, %v; want 2", n, err)
	}
	if got, want := auditIDs(allAuditEvents(t, s)), []string{"aud_2", "aud_3", "aud_4"}; !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
}

// selectAuditEvents is the reference of AuditEventFilter's selection and order.
func selectAuditEvents(all []store.AuditEvent, f store.AuditEventFilter) []store.AuditEvent {
	var out []store.AuditEvent
	is := func(want *string, v string) bool { return want == nil || *want == v }
	for _, e := range all {
		project := ""
		if e.ProjectID != nil {
			project = *e.ProjectID
		}
		switch {
		case f.ProjectID != nil && (e.ProjectID == nil || project != *f.ProjectID),
			!is(f.ActorType, e.Actor.Type), !is(f.ActorID, e.Actor.ID), !is(f.Action, e.Action),
			!is(f.TargetType, e.Target.Type), !is(f.TargetID, e.Target.ID),
			f.Since != nil && e.OccurredAt.Before(*f.Since),
			f.Until != nil && !e.OccurredAt.Before(*f.Until):
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b store.AuditEvent) int {
		return -cmp.Or(a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// testAuditEventListContract: every filter alone and combined, newest first, every page size.
func testAuditEventListContract(t *testing.T, s store.Store) {
	ctx := context.Background()
	actors := []store.AuditActor{{Type: "admin"}, {Type: "api_key", ID: "key_a", Name: "a"},
		{Type: "api_key", ID: "key_b", Name: "b"}, {Type: "system", ID: "scheduled_rotation"}, {Type: "anonymous"}}
	actions := []string{"api_key.create", "api_key.update", "api_key.revoke", "project.update", "auth.refused"}
	targets := []store.AuditTarget{{Type: "api_key", ID: "key_1"}, {Type: "api_key", ID: "key_2"},
		{Type: "project", ID: "prj_1"}, {Type: "request", Name: "GET /v1/api-keys"}}
	projects := []*string{ptr("prj_1"), ptr("prj_2"), nil}
	var all []store.AuditEvent
	for i := range 40 {
		e := store.AuditEvent{
			ID:         fmt.Sprintf("aud_%02d", (i*17)%40),         // ids not in time order
			OccurredAt: base.Add(time.Duration(i/3) * time.Second), // ties on occurred_at
			ProjectID:  projects[i%len(projects)], Actor: actors[i%len(actors)], Action: actions[i%len(actions)],
			Target: targets[i%len(targets)], Changes: map[string]store.FieldChange{}, Outcome: "success",
		}
		all = append(all, e)
	}
	if err := s.RecordChanges(ctx, store.Changes{Audit: all}); err != nil {
		t.Fatal(err)
	}
	since, until := base.Add(3*time.Second), base.Add(9*time.Second)
	filters := map[string]store.AuditEventFilter{
		"all":                  {},
		"project":              {ProjectID: ptr("prj_1")},
		"other project":        {ProjectID: ptr("prj_2")},
		"actor type":           {ActorType: ptr("api_key")},
		"actor id":             {ActorID: ptr("key_a")},
		"admin in a project":   {ProjectID: ptr("prj_1"), ActorType: ptr("admin")},
		"action":               {Action: ptr("api_key.revoke")},
		"target":               {TargetID: ptr("key_1")},
		"target type":          {TargetType: ptr("api_key"), ProjectID: ptr("prj_2")},
		"since":                {Since: &since},
		"until":                {Until: &until},
		"window and project":   {Since: &since, Until: &until, ProjectID: ptr("prj_1")},
		"nothing":              {Action: ptr("no.such")},
		"every filter at once": {ProjectID: ptr("prj_1"), ActorType: ptr("api_key"), Action: ptr("api_key.update"), Since: &since},
	}
	for name, f := range filters {
		checkListing(t, "audit events, "+name, selectAuditEvents(all, f),
			func(after *store.Cursor, limit int) ([]store.AuditEvent, error) {
				g := f
				g.After, g.Limit = after, limit
				return s.ListAuditEvents(ctx, g)
			},
			func(e store.AuditEvent) string { return e.ID },
			func(e store.AuditEvent) store.Cursor { return store.Cursor{Time: e.OccurredAt, ID: e.ID} })
	}
}
