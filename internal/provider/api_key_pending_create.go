package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// pendingCreateIDPrefix marks, in a key's id, a create whose answer never arrived: the key
// service may have created the key, but Terraform never saw its id or secret. Without a record
// of it the next run would create a second key (or fail on the taken name) and leave the first
// one live and unmanaged: an orphan. The rest of the id is the create's Idempotency-Key. It
// lives in the id, not in private state, because Terraform hands a replaced object's private
// state to neither half of the replacement.
const pendingCreateIDPrefix = "pending-create:"

// apiKeyCreateRequest is the create request for m. Built from a pending create's state it is
// byte for byte the request first sent, which the key service's replay requires.
func apiKeyCreateRequest(ctx context.Context, m APIKeyResourceModel, diags *diag.Diagnostics) client.CreateAPIKeyRequest {
	return client.CreateAPIKeyRequest{
		ProjectID:            m.ProjectID.ValueString(),
		Name:                 m.Name.ValueString(),
		Description:          m.Description.ValueString(),
		Scopes:               scopesFrom(ctx, m.Scopes, diags),
		Active:               m.Active.ValueBoolPointer(),
		ExpiresAt:            parseTimePointer(m.ExpiresAt),
		ExpiresInDays:        m.ExpiresInDays.ValueInt64Pointer(),
		ServiceAccountID:     m.ServiceAccountID.ValueStringPointer(),
		EnvironmentID:        m.EnvironmentID.ValueStringPointer(),
		RotationIntervalDays: m.RotationIntervalDays.ValueInt64Pointer(),
		RotationWebhookURL:   m.RotationWebhookURL.ValueStringPointer(),
	}
}

// pendingCreateKey returns the Idempotency-Key of a pending create's id.
func pendingCreateKey(id types.String) (string, bool) {
	return strings.CutPrefix(id.ValueString(), pendingCreateIDPrefix)
}

// savePendingCreate runs when a create failed and may nonetheless have created the key. It
// writes a state of the planned arguments with a pending-create id and the attempt's start as
// created_at. Terraform keeps that object as tainted, so the next apply replaces it: Delete
// settles the pending create first (and revokes whatever it made), then Create makes the key.
func savePendingCreate(ctx context.Context, plan APIKeyResourceModel, idempotencyKey string, startedAt time.Time, resp *resource.CreateResponse) {
	state := plan
	state.ID = types.StringValue(pendingCreateIDPrefix + idempotencyKey)
	state.CreatedAt = types.StringValue(startedAt.UTC().Format(time.RFC3339))
	state.Key, state.KeyPrefix, state.Status, state.NextRotationAt = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
	state.PreviousKeyID, state.PreviousKeyGraceExpiresAt = types.StringNull(), types.StringNull()
	if state.ExpiresAt.IsUnknown() {
		state.ExpiresAt = types.StringNull()
	}
	var diags diag.Diagnostics
	diags.Append(resp.State.Set(ctx, &state)...)
	setAPIKeyIdentity(ctx, resp.Identity, state, &diags)
	if diags.HasError() {
		// Better no record than a half one: the create's error still says what happened.
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.AddWarning("API Key Create Pending",
		fmt.Sprintf("The key service did not answer the create of key %q, so it may or may not have created it. "+
			"Terraform recorded the request (Idempotency-Key %s) as this resource, which is now tainted: the next apply "+
			"settles the pending create through that Idempotency-Key, revokes the key it may have made, and creates the key again, "+
			"so no second, unmanaged key is left behind.", plan.Name.ValueString(), idempotencyKey))
}

// settlePendingCreate repeats a pending create to learn what it did, and returns the id of the
// key it made, or "" when it made none; ok is false when the key service could not say.
// Within the replay window (an hour) the repeat returns the first answer; after it, or if the
// first attempt never arrived, the create runs now: either way exactly one key results, and
// Delete revokes it.
func (r *APIKeyResource) settlePendingCreate(ctx context.Context, state APIKeyResourceModel, diags *diag.Diagnostics) (id string, ok bool) {
	idempotencyKey, _ := pendingCreateKey(state.ID)
	req := apiKeyCreateRequest(ctx, state, diags)
	if diags.HasError() {
		return "", false
	}
	k, err := r.data.client.CreateAPIKey(client.WithIdempotencyKey(ctx, idempotencyKey), req)
	switch {
	case err == nil:
		return k.ID, true
	case errors.Is(err, client.ErrConflict):
		// The name is taken: by our first attempt if its replay record is gone, or by someone
		// else. Only a key created since our attempt started can be ours.
		startedAt, _ := time.Parse(time.RFC3339, state.CreatedAt.ValueString())
		found, ferr := r.data.client.FindAPIKeyByName(ctx, req.ProjectID, req.Name)
		if ferr == nil && !found.CreatedAt.Before(startedAt.Add(-time.Minute)) {
			return found.ID, true
		}
		return "", true
	case client.MayHaveApplied(err):
		addAPIError(diags, "Error Settling Pending API Key Create",
			fmt.Sprintf("repeat the interrupted create of key %q (Idempotency-Key %s) to learn whether it made a key", req.Name, idempotencyKey), err)
		return "", false
	default:
		// The key service refused the create outright: it made no key.
		return "", true
	}
}
