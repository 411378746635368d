package store

import (
	"context"
	"encoding/json"
	"time"
)

// AuditStore keeps the audit trail. Events of a change are written by the change's own method
// (see Changes); RecordChanges writes those that go with no change of the store.
type AuditStore interface {
	// RecordChanges writes ch's events alone, in one transaction: a refused request, a
	// delivery that failed. ForRevokedKey is ignored.
	RecordChanges(ctx context.Context, ch Changes) error
	// ListAuditEvents returns events newest first, ordered by (occurred_at, id) descending;
	// After is the (Time, ID) of the last event of the previous page.
	ListAuditEvents(ctx context.Context, f AuditEventFilter) ([]AuditEvent, error)
	// DeleteAuditEventsBefore removes the events that occurred before t, and says how many.
	DeleteAuditEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

// AuditEvent is one entry of the audit trail: who (Actor) did what (Action) to which object
// (Target), from where (RequestID, ClientAddress), with which outcome. It never holds a
// secret: no key, token, hash or signing secret is ever one of its values.
type AuditEvent struct {
	ID         string
	OccurredAt time.Time
	// ProjectID is the project the event belongs to; nil for events outside any project (a
	// request refused before any project was known), which only the admin reads.
	ProjectID *string
	Actor     AuditActor
	Action    string
	Target    AuditTarget
	// Changes maps each changed field to its old and new values (sets: what was added and
	// removed); empty when the action says it all.
	Changes       map[string]FieldChange
	RequestID     string
	ClientAddress string
	// Outcome is "success", or "refused" with the Status the request was answered.
	Outcome string
	Status  int
}

// AuditActor is who acted: Type is admin, api_key (ID and Name are the key's), system (ID
// names the background job), leak_report or anonymous.
type AuditActor struct {
	Type string
	ID   string
	Name string
}

// AuditTarget is the object acted on: Type is project, service_account, environment, api_key
// or request (a refused request: Name is its route).
type AuditTarget struct {
	Type string
	ID   string
	Name string
}

// FieldChange is how one field changed: Old and New for a value (nil: null), or Added and
// Removed for a set such as scopes.
type FieldChange struct {
	Old, New       any
	Added, Removed []string
	// Set marks a set change, so that one whose Added and Removed are empty still encodes as one.
	Set bool
}

type fieldChangeJSON struct {
	Old     any      `json:"old"`
	New     any      `json:"new"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

type setChangeJSON struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// MarshalJSON writes {"old": …, "new": …}, or {"added": […], "removed": […]} for a set.
func (c FieldChange) MarshalJSON() ([]byte, error) {
	if c.Set || c.Added != nil || c.Removed != nil {
		return json.Marshal(setChangeJSON{Added: nonNilStrings(c.Added), Removed: nonNilStrings(c.Removed)})
	}
	return json.Marshal(fieldChangeJSON{Old: c.Old, New: c.New})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *FieldChange) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	_, added := raw["added"]
	_, removed := raw["removed"]
	if added || removed {
		var s setChangeJSON
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = FieldChange{Added: nonNilStrings(s.Added), Removed: nonNilStrings(s.Removed), Set: true}
		return nil
	}
	var v fieldChangeJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = FieldChange{Old: v.Old, New: v.New}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AuditEventFilter selects audit events; nil pointers select all. Since is inclusive, Until
// exclusive.
type AuditEventFilter struct {
	// ProjectID nil lists every project's events and those outside any project.
	ProjectID  *string
	ActorType  *string
	ActorID    *string
	Action     *string
	TargetType *string
	TargetID   *string
	Since      *time.Time
	Until      *time.Time
	After      *Cursor // (Time: occurred_at, ID), exclusive, in the list's descending order
	Limit      int
}
