package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Default time an operation on a key may take, all retries included. Generous: the client's
// own per-attempt timeout and retry budget end a hung call long before these do.
const (
	defaultAPIKeyCreateTimeout = 10 * time.Minute
	defaultAPIKeyReadTimeout   = 5 * time.Minute
	defaultAPIKeyUpdateTimeout = 10 * time.Minute
	defaultAPIKeyDeleteTimeout = 10 * time.Minute
)

// apiKeyTimeoutsAttribute is keyservice_api_key's `timeouts` argument.
func apiKeyTimeoutsAttribute(ctx context.Context) schema.Attribute {
	return timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true,
		CreateDescription: "How long creating a key may take, retries included (a duration such as `30s` or `10m`). Defaults to `10m`.",
		ReadDescription:   "How long reading a key may take, retries included. Defaults to `5m`.",
		UpdateDescription: "How long updating or rotating a key may take, retries included. Defaults to `10m`.",
		DeleteDescription: "How long revoking or disabling a key may take, retries included. Defaults to `10m`.",
	})
}

// withOperationTimeout bounds ctx by the configured timeout of one operation. get is one of
// timeouts.Value's Create, Read, Update or Delete.
func withOperationTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := get(ctx, fallback)
	diags.Append(ds...)
	if d <= 0 {
		d = fallback
	}
	return context.WithTimeout(ctx, d)
}
