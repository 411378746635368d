package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// apiKeySchemaVersion is the version of keyservice_api_key's state. Version 0 (provider 0.0.x)
// tracked last_used_at, which made every use of a key show in refresh-only plans, and had no
// expires_in_days, deletion_policy, service account, environment or server-rotation arguments.
const apiKeySchemaVersion = 1

var _ resource.ResourceWithUpgradeState = &APIKeyResource{}

// apiKeyModelV0 is the state of keyservice_api_key at schema version 0.
type apiKeyModelV0 struct {
	ID                        types.String `tfsdk:"id"`
	ProjectID                 types.String `tfsdk:"project_id"`
	Name                      types.String `tfsdk:"name"`
	Description               types.String `tfsdk:"description"`
	Scopes                    types.Set    `tfsdk:"scopes"`
	Active                    types.Bool   `tfsdk:"active"`
	ExpiresAt                 types.String `tfsdk:"expires_at"`
	RotateTriggers            types.Map    `tfsdk:"rotate_triggers"`
	RotationDays              types.Int64  `tfsdk:"rotation_days"`
	RotationGracePeriod       types.String `tfsdk:"rotation_grace_period"`
	Key                       types.String `tfsdk:"key"`
	KeyPrefix                 types.String `tfsdk:"key_prefix"`
	Status                    types.String `tfsdk:"status"`
	CreatedAt                 types.String `tfsdk:"created_at"`
	LastUsedAt                types.String `tfsdk:"last_used_at"`
	PreviousKeyID             types.String `tfsdk:"previous_key_id"`
	PreviousKeyGraceExpiresAt types.String `tfsdk:"previous_key_grace_expires_at"`
}

func apiKeySchemaV0() *schema.Schema {
	str := func() schema.StringAttribute { return schema.StringAttribute{Optional: true, Computed: true} }
	return &schema.Schema{
		Version: 0,
		Attributes: map[string]schema.Attribute{
			"id": str(), "project_id": str(), "name": str(), "description": str(), "expires_at": str(),
			"rotation_grace_period": str(), "key": schema.StringAttribute{Computed: true, Sensitive: true},
			"key_prefix": str(), "status": str(), "created_at": str(), "last_used_at": str(),
			"previous_key_id": str(), "previous_key_grace_expires_at": str(),
			"scopes":          schema.SetAttribute{ElementType: types.StringType, Optional: true, Computed: true},
			"active":          schema.BoolAttribute{Optional: true, Computed: true},
			"rotate_triggers": schema.MapAttribute{ElementType: types.StringType, Optional: true},
			"rotation_days":   schema.Int64Attribute{Optional: true},
		},
	}
}

func (r *APIKeyResource) UpgradeState(_ context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: apiKeySchemaV0(),
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old apiKeyModelV0
				resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
				if resp.Diagnostics.HasError() {
					return
				}
				upgraded := APIKeyResourceModel{
					ID: old.ID, ProjectID: old.ProjectID, Name: old.Name, Description: old.Description,
					Scopes: old.Scopes, Active: old.Active, ExpiresAt: old.ExpiresAt,
					RotateTriggers: old.RotateTriggers, RotationDays: old.RotationDays, RotationGracePeriod: old.RotationGracePeriod,
					Key: old.Key, KeyPrefix: old.KeyPrefix, Status: old.Status, CreatedAt: old.CreatedAt,
					PreviousKeyID: old.PreviousKeyID, PreviousKeyGraceExpiresAt: old.PreviousKeyGraceExpiresAt,
					ExpiresInDays:        types.Int64Null(),
					ServiceAccountID:     types.StringNull(),
					EnvironmentID:        types.StringNull(),
					RotationIntervalDays: types.Int64Null(),
					RotationWebhookURL:   types.StringNull(),
					NextRotationAt:       types.StringNull(),
					DeletionPolicy:       types.StringValue(deletionPolicyRevoke),
					Timeouts:             nullAPIKeyTimeouts(),
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, &upgraded)...)
			},
		},
	}
}
