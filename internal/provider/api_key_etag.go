package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// privateETagKey holds, in the resource's private state, the ETag of the key as Terraform last
// read or wrote it. Update sends it as If-Match, so a change made by someone else between the
// refresh and the apply is not silently overwritten.
const privateETagKey = "etag"

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// lastETag returns the remembered ETag, or "" (no precondition) when there is none, e.g. in
// a state written by an older provider.
func lastETag(ctx context.Context, private privateGetter, diags *diag.Diagnostics) string {
	if private == nil {
		return ""
	}
	raw, ds := private.GetKey(ctx, privateETagKey)
	diags.Append(ds...)
	var etag string
	if len(raw) == 0 || json.Unmarshal(raw, &etag) != nil {
		return ""
	}
	return etag
}

// rememberETag stores the ETag of k; a key answered without one forgets the old one.
func rememberETag(ctx context.Context, private privateSetter, k *client.APIKey, diags *diag.Diagnostics) {
	if private == nil || k == nil {
		return
	}
	raw, _ := json.Marshal(k.ETag)
	if k.ETag == "" {
		raw = nil
	}
	diags.Append(private.SetKey(ctx, privateETagKey, raw)...)
}

// addConcurrentUpdateError reports a 412 from a conditional update; false if err is another error.
func addConcurrentUpdateError(diags *diag.Diagnostics, id string, err error) bool {
	var cu *client.ConcurrentUpdateError
	if !errors.As(err, &cu) {
		return false
	}
	diags.AddError("API Key Changed Concurrently",
		fmt.Sprintf("Key %s was changed by someone else after Terraform last read it, so Terraform did not apply its update "+
			"and overwrote nothing. Refresh and retry: run terraform plan to see the change, then apply again.\n\n%s", id, err))
	return true
}
