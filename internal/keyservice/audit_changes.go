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

func (c fieldChanges) value(field string, old, new any) {
	if old != new {
		c[field] = store.FieldChange{Old: old, New: new}
	}
}

func (c fieldChanges) str(field string, old, new string) { c.value(field, old, new) }

func (c fieldChanges) boolean(field string, old, new bool) { c.value(field, old, new) }

func (c fieldChanges) optStr(field string, old, new *string) { c.value(field, deref(old), deref(new)) }

func (c fieldChanges) optInt(field string, old, new *int) {
	c.value(field, derefInt(old), derefInt(new))
}

func (c fieldChanges) optTime(field string, old, new *time.Time) {
	c.value(field, deref(FormatTimePtr(old)), deref(FormatTimePtr(new)))
}

// set records what a set gained and lost, in the order of new and old.
func (c fieldChanges) set(field string, old, new []string) {
	var added, removed []string
	for _, v := range new {
		if !slices.Contains(old, v) {
			added = append(added, v)
		}
	}
	for _, v := range old {
		if !slices.Contains(new, v) {
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
func apiKeyChanges(old, new store.APIKey) fieldChanges {
	c := fieldChanges{}
	c.str("name", old.Name, new.Name)
	c.str("description", old.Description, new.Description)
	c.set("scopes", old.Scopes, new.Scopes)
	c.boolean("active", old.Active, new.Active)
	c.optTime("expires_at", old.ExpiresAt, new.ExpiresAt)
	c.optInt("rotation_interval_days", old.RotationIntervalDays, new.RotationIntervalDays)
	c.optStr("rotation_webhook_url", old.RotationWebhookURL, new.RotationWebhookURL)
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
