package keyservice

import (
	"slices"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// fieldChanges collects the fields a change sets, as the audit trail and the lifecycle events
// show them: values as the API writes them (times in RFC 3339, absent values null), sets as
// what was added and removed. Only the fields that differ are kept.
type fieldChanges map[string]store.FieldChange

func (c fieldChanges) value(field string, before, after any) {
	if before != after {
		c[field] = store.FieldChange{Old: before, New: after}
	}
}

func (c fieldChanges) str(field string, before, after string) { c.value(field, before, after) }

func (c fieldChanges) boolean(field string, before, after bool) { c.value(field, before, after) }

func (c fieldChanges) optStr(field string, before, after *string) {
	c.value(field, deref(before), deref(after))
}

func (c fieldChanges) optInt(field string, before, after *int) {
	c.value(field, derefInt(before), derefInt(after))
}

func (c fieldChanges) optTime(field string, before, after *time.Time) {
	c.value(field, deref(FormatTimePtr(before)), deref(FormatTimePtr(after)))
}

// set records what a set gained and lost, in the order of after and before.
func (c fieldChanges) set(field string, before, after []string) {
	var added, removed []string
	for _, v := range after {
		if !slices.Contains(before, v) {
			added = append(added, v)
		}
	}
	for _, v := range before {
		if !slices.Contains(after, v) {
			removed = append(removed, v)
		}
	}
	if len(added)+len(removed) > 0 {
		c[field] = store.FieldChange{Added: nonNil(added), Removed: nonNil(removed), Set: true}
	}
}

// deref is a nil pointer as an untyped nil (JSON null), else its value.
func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func derefInt(i *int) any {
	if i == nil {
		return nil
	}
	return *i
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiKeyChanges are the differences of two versions of a key in the fields a caller sets. The
// schedule's next_rotation_at follows rotation_interval_days and is left out; the secret and
// its hash are never fields of a change.
func apiKeyChanges(before, after store.APIKey) fieldChanges {
	c := fieldChanges{}
	c.str("name", before.Name, after.Name)
	c.str("description", before.Description, after.Description)
	c.set("scopes", before.Scopes, after.Scopes)
	c.boolean("active", before.Active, after.Active)
	c.optTime("expires_at", before.ExpiresAt, after.ExpiresAt)
	c.optInt("rotation_interval_days", before.RotationIntervalDays, after.RotationIntervalDays)
	c.optStr("rotation_webhook_url", before.RotationWebhookURL, after.RotationWebhookURL)
	return c
}

// createdAPIKeyChanges are a new key's settings, as changes from nothing.
func createdAPIKeyChanges(k store.APIKey) fieldChanges {
	c := fieldChanges{}
	c.value("name", nil, k.Name)
	if k.Description != "" {
		c.value("description", nil, k.Description)
	}
	c.set("scopes", nil, k.Scopes)
	c.value("active", nil, k.Active)
	c.optTime("expires_at", nil, k.ExpiresAt)
	c.optInt("rotation_interval_days", nil, k.RotationIntervalDays)
	c.optStr("rotation_webhook_url", nil, k.RotationWebhookURL)
	c.optStr("service_account_id", nil, k.ServiceAccountID)
	c.optStr("environment_id", nil, k.EnvironmentID)
	return c
}
