package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// ModifyPlan fills project_id from the provider default, plans expires_at (from config, or from
// expires_in_days, or back to "never"), checks a new or changed expiry, replaces an expired key,
// and plans an in-place rotation when rotate_triggers changed or rotation_days have passed.
func (r *APIKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	planDefaultProjectID(ctx, r.data, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	var plan, config APIKeyResourceModel
	resp.Diagnostics.Append(modelFrom(ctx, resp.Plan.Schema.Type(), resp.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(modelFrom(ctx, req.Config.Schema.Type(), req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *APIKeyResourceModel
	if !req.State.Raw.IsNull() {
		state = &APIKeyResourceModel{}
		resp.Diagnostics.Append(modelFrom(ctx, req.State.Schema.Type(), req.State.Raw, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	now := r.data.now()

	plan.ExpiresAt = plannedExpiry(config, state)
	if !checkExpiry(plan, state, now, resp) {
		return
	}

	if state != nil {
		if state.Status.ValueString() == statusExpired {
			resp.Diagnostics.AddWarning("API Key Expired",
				fmt.Sprintf("Key %s (%s) expired at %s; it will be replaced by a new key.", state.ID.ValueString(), state.Name.ValueString(), state.ExpiresAt.ValueString()))
			// Terraform replaces only for a path whose value changes: the new key's expiry is new.
			if !config.ExpiresInDays.IsNull() {
				plan.ExpiresAt = types.StringUnknown()
			}
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("expires_at"))
		} else if reason := rotationReason(state, &plan, now); reason != "" {
			tflog.Debug(ctx, "planning rotation", map[string]any{"id": state.ID.ValueString(), "reason": reason})
			markRotation(&plan)
			if !config.ExpiresInDays.IsNull() {
				plan.ExpiresAt = types.StringUnknown() // counted again from the new key's creation
			}
		} else {
			planUnrotatedStatus(state, &plan)
		}
	}
	resp.Diagnostics.Append(setModel(ctx, resp.Plan.Schema.Type(), &plan, resp.Plan.Set)...)
}

// plannedExpiry is what expires_at should be: the configured time; or, with expires_in_days,
// the server's choice on create and creation time plus the days afterwards; or null (never),
// so that an expiry set outside Terraform is planned away rather than adopted.
func plannedExpiry(config APIKeyResourceModel, state *APIKeyResourceModel) types.String {
	switch {
	case !config.ExpiresAt.IsNull():
		return config.ExpiresAt // Terraform requires a configured value to be planned as written
	case config.ExpiresInDays.IsUnknown():
		return types.StringUnknown()
	case !config.ExpiresInDays.IsNull():
		if state == nil {
			return types.StringUnknown()
		}
		created, err := time.Parse(time.RFC3339, state.CreatedAt.ValueString())
		if err != nil {
			return types.StringUnknown()
		}
		due := types.StringValue(created.Add(time.Duration(config.ExpiresInDays.ValueInt64()) * 24 * time.Hour).UTC().Format(time.RFC3339))
		if sameInstant(state.ExpiresAt, due) {
			return state.ExpiresAt
		}
		return due
	default:
		return types.StringNull()
	}
}

// checkExpiry rejects an expiry that is set or changed to a time not in the future, and an
// expired key whose configured expiry did not move (a new key with that expiry could not be
// made). It returns false after adding an error.
func checkExpiry(plan APIKeyResourceModel, state *APIKeyResourceModel, now time.Time, resp *resource.ModifyPlanResponse) bool {
	if plan.ExpiresAt.IsNull() || plan.ExpiresAt.IsUnknown() {
		return true
	}
	t, err := time.Parse(time.RFC3339, plan.ExpiresAt.ValueString())
	if err != nil {
		return true // the attribute validator reports it
	}
	changed := state == nil || !sameInstant(state.ExpiresAt, plan.ExpiresAt)
	if changed && !t.After(now) {
		resp.Diagnostics.AddAttributeError(path.Root("expires_at"), "Expiry In The Past",
			fmt.Sprintf("expires_at %s is not in the future (now is %s). Set a later time, or remove expires_at for a key that does not expire.",
				plan.ExpiresAt.ValueString(), now.UTC().Format(time.RFC3339)))
		return false
	}
	if !changed && state.Status.ValueString() == statusExpired && !state.ExpiresInDays.IsNull() {
		return true // replaced below, with a fresh expires_in_days
	}
	if !changed && state.Status.ValueString() == statusExpired {
		resp.Diagnostics.AddAttributeError(path.Root("expires_at"), "API Key Expired",
			fmt.Sprintf("Key %s expired at %s. Set a new, future expires_at (or use expires_in_days) to replace it with a new key.",
				state.ID.ValueString(), state.ExpiresAt.ValueString()))
		return false
	}
	return true
}

// rotationReason says why the key must rotate in this plan, or "" when it need not.
func rotationReason(state, plan *APIKeyResourceModel, now time.Time) string {
	if !plan.RotateTriggers.Equal(state.RotateTriggers) && !plan.RotateTriggers.IsUnknown() {
		return "rotate_triggers changed"
	}
	if plan.RotationDays.IsNull() || plan.RotationDays.IsUnknown() {
		return ""
	}
	created, err := time.Parse(time.RFC3339, state.CreatedAt.ValueString())
	if err != nil {
		return ""
	}
	due := created.Add(time.Duration(plan.RotationDays.ValueInt64()) * 24 * time.Hour)
	if !now.Before(due) {
		return fmt.Sprintf("rotation_days=%d passed on %s", plan.RotationDays.ValueInt64(), due.UTC().Format(time.RFC3339))
	}
	return ""
}

// planUnrotatedStatus plans what an in-place update without rotation leaves: the status that
// active gives, and the server's schedule unless the interval changes; so an update shows only
// the arguments it changes.
func planUnrotatedStatus(state, plan *APIKeyResourceModel) {
	if !plan.RotationIntervalDays.Equal(state.RotationIntervalDays) {
		plan.NextRotationAt = types.StringUnknown()
	}
	switch s := state.Status.ValueString(); {
	case (s == statusActive || s == statusDisabled) && !plan.Active.IsUnknown():
		plan.Status = types.StringValue(statusDisabled)
		if plan.Active.ValueBool() {
			plan.Status = types.StringValue(statusActive)
		}
	}
}

// markRotation makes everything a rotation replaces unknown in the plan.
func markRotation(plan *APIKeyResourceModel) {
	plan.ID = types.StringUnknown()
	plan.Key = types.StringUnknown()
	plan.KeyPrefix = types.StringUnknown()
	plan.CreatedAt = types.StringUnknown()
	plan.Status = types.StringUnknown()
	plan.PreviousKeyID = types.StringUnknown()
	plan.PreviousKeyGraceExpiresAt = types.StringUnknown()
	plan.NextRotationAt = types.StringUnknown()
}
