package keyservice

import (
	"encoding/json"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Lifecycle events go to a project's events webhook (events_webhook_url): written to the outbox
// in the transaction of the change they tell of, then delivered by DeliverEvents, signed like
// the rotation webhook. Their body names the key (id, name, prefix) and never holds a secret,
// not even for api_key.rotated: the new key's secret goes only to the key's own rotation
// webhook.
const (
	EventAPIKeyCreated        = "api_key.created"
	EventAPIKeyUpdated        = "api_key.updated"
	EventAPIKeyRevoked        = "api_key.revoked"
	EventAPIKeyExpiring       = "api_key.expiring"
	EventAPIKeyExpired        = "api_key.expired"
	EventAPIKeyRotated        = "api_key.rotated"
	EventAPIKeyRotationFailed = "api_key.rotation_failed"
	EventAPIKeyLeaked         = "api_key.leaked"

	lifecycleEventIDPrefix = "evt_"
)

// lifecycleEvent is the body of a delivery. ID is the same on every attempt, for receivers to
// de-duplicate.
type lifecycleEvent struct {
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	OccurredAt string       `json:"occurred_at"`
	ProjectID  string       `json:"project_id"`
	Key        lifecycleKey `json:"key"`
	// Changes are the fields an update changed (api_key.updated).
	Changes fieldChanges `json:"changes,omitempty"`
	// PreviousKeyID is the key a rotation replaced (api_key.rotated, whose Key is the new one).
	PreviousKeyID *string `json:"previous_key_id,omitempty"`
	// Reason says why a scheduled rotation failed (api_key.rotation_failed).
	Reason string `json:"reason,omitempty"`
}

// lifecycleKey describes the key an event is about: what identifies it, never its secret.
type lifecycleKey struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	KeyPrefix        string   `json:"key_prefix"`
	ServiceAccountID *string  `json:"service_account_id"`
	EnvironmentID    *string  `json:"environment_id"`
	Scopes           []string `json:"scopes"`
	Active           bool     `json:"active"`
	ExpiresAt        *string  `json:"expires_at"`
	RevokedAt        *string  `json:"revoked_at"`
	GraceExpiresAt   *string  `json:"grace_expires_at"`
}

// lifecycle is the outbox event of type typ about k, at at; edit fills the type's own fields.
func lifecycle(typ string, k store.APIKey, at time.Time, edit func(*lifecycleEvent)) store.OutboxEvent {
	e := lifecycleEvent{
		ID: eventID(lifecycleEventIDPrefix), Type: typ, OccurredAt: FormatTime(at), ProjectID: k.ProjectID,
		Key: lifecycleKey{
			ID: k.ID, Name: k.Name, KeyPrefix: k.KeyPrefix, ServiceAccountID: k.ServiceAccountID,
			EnvironmentID: k.EnvironmentID, Scopes: nonNil(k.Scopes), Active: k.Active,
			ExpiresAt: FormatTimePtr(k.ExpiresAt), RevokedAt: FormatTimePtr(k.RevokedAt),
			GraceExpiresAt: FormatTimePtr(k.GraceExpiresAt),
		},
	}
	if edit != nil {
		edit(&e)
	}
	// Marshalling strings, bools and string slices cannot fail.
	body, _ := json.Marshal(e)
	return store.OutboxEvent{ID: e.ID, ProjectID: k.ProjectID, Type: typ, Payload: body, CreatedAt: at}
}

// keyEvent is the Changes of one change of key k: its audit event and its lifecycle event.
func keyEvent(src eventSource, action string, k store.APIKey, changes fieldChanges, event store.OutboxEvent, at time.Time) store.Changes {
	return store.Changes{
		Audit:  []store.AuditEvent{auditEvent(src, k.ProjectID, action, apiKeyTarget(k), changes, at)},
		Outbox: []store.OutboxEvent{event},
	}
}

// revokedBy is the ForRevokedKey of a write by src that revokes keys: each key revoked gets
// an api_key.revoke audit event and an api_key.revoked lifecycle event.
func revokedBy(src eventSource, at time.Time) func(store.APIKey) store.Changes {
	return func(k store.APIKey) store.Changes {
		changes := fieldChanges{"revoked_at": {Old: nil, New: FormatTime(*k.RevokedAt)}}
		return keyEvent(src, ActionAPIKeyRevoke, k, changes, lifecycle(EventAPIKeyRevoked, k, at, nil), at)
	}
}
