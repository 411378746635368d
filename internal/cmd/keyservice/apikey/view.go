package apikey

import (
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// secretWarning goes to stderr whenever a secret is printed: it is the only time it is shown.
const secretWarning = "Warning: this is the only time the key is shown. Store it now: the key service keeps only a hash of it."

// status is what a person wants to know first about a key: can it be used, and if not, why.
func status(k client.APIKey, now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return "revoked"
	case k.ReplacedByKeyID != nil:
		if k.GraceExpiresAt != nil && k.GraceExpiresAt.After(now) {
			return "replaced (grace)"
		}
		return "replaced"
	case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
		return "expired"
	case !k.Active:
		return "disabled"
	}
	return "active"
}

// listTable is the table of api-key ls.
func listTable(keys []client.APIKey, now time.Time) func(t *output.Table) {
	return func(t *output.Table) {
		t.Row("ID", "NAME", "PREFIX", "STATUS", "SCOPES", "EXPIRES", "LAST USED")
		for _, k := range keys {
			t.Row(k.ID, k.Name, k.KeyPrefix, status(k, now), output.List(k.Scopes), output.Time(k.ExpiresAt), output.Time(k.LastUsedAt))
		}
	}
}

// detailsTable is one key, field by field; with its secret when the key was just created or
// rotated.
func detailsTable(k client.APIKey, now time.Time) func(t *output.Table) {
	return func(t *output.Table) {
		t.Field("id", k.ID)
		t.Field("name", k.Name)
		t.Field("status", status(k, now))
		t.Field("project", k.ProjectID)
		t.Field("service account", output.Text(k.ServiceAccountID))
		t.Field("environment", output.Text(k.EnvironmentID))
		t.Field("description", output.Text(&k.Description))
		t.Field("prefix", k.KeyPrefix)
		t.Field("scopes", output.List(k.Scopes))
		t.Field("expires", output.Time(k.ExpiresAt))
		t.Field("last used", output.Time(k.LastUsedAt))
		t.Field("created", output.Time(&k.CreatedAt))
		t.Field("updated", output.Time(&k.UpdatedAt))
		if k.RevokedAt != nil {
			t.Field("revoked", output.Time(k.RevokedAt))
		}
		if k.ReplacedByKeyID != nil {
			t.Field("replaced by", *k.ReplacedByKeyID)
			t.Field("grace until", output.Time(k.GraceExpiresAt))
		}
		if k.RotationIntervalDays != nil {
			t.Field("rotation", fmt.Sprintf("every %d days, next %s", *k.RotationIntervalDays, output.Time(k.NextRotationAt)))
		}
		if k.PreviousKeyID != nil {
			t.Field("previous key", *k.PreviousKeyID)
			t.Field("previous key valid until", output.Time(k.PreviousKeyGraceExpiresAt))
		}
		if k.Key != "" {
			t.Field("key", k.Key)
		}
	}
}
