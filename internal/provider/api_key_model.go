package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// Values of the computed `status` attribute.
const (
	statusActive   = "active"
	statusDisabled = "disabled"
	statusExpired  = "expired"
	statusRevoked  = "revoked"
	statusRotated  = "rotated"
)

// apiKeyStatus says in one word what state a key is in at the given time.
func apiKeyStatus(k *client.APIKey, now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return statusRevoked
	case k.ReplacedByKeyID != nil:
		return statusRotated
	case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
		return statusExpired
	case !k.Active:
		return statusDisabled
	default:
		return statusActive
	}
}

// timeValue formats an optional server time as RFC 3339 UTC, or null.
func timeValue(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// keepTimeFormat returns prior when it names the same instant as current, so a time written
// with an offset in the configuration is not reported as changed when the server answers in UTC.
func keepTimeFormat(prior, current types.String) types.String {
	if prior.IsNull() || prior.IsUnknown() || current.IsNull() {
		return current
	}
	p, err1 := time.Parse(time.RFC3339, prior.ValueString())
	c, err2 := time.Parse(time.RFC3339, current.ValueString())
	if err1 == nil && err2 == nil && p.Equal(c) {
		return prior
	}
	return current
}

// scopesValue turns the server's scope list into a set (order carries no meaning).
func scopesValue(scopes []string) types.Set {
	elems := make([]attr.Value, 0, len(scopes))
	for _, s := range scopes {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}

// scopesFrom reads a scopes set into a slice, never nil (the API wants an array).
func scopesFrom(ctx context.Context, v types.Set, diags *diag.Diagnostics) []string {
	scopes := []string{}
	if v.IsNull() || v.IsUnknown() {
		return scopes
	}
	diags.Append(v.ElementsAs(ctx, &scopes, false)...)
	return scopes
}

func stringPointerValue(s *string) types.String {
	if s == nil {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

func int64PointerValue(v *int64) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(*v)
}
