package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// planDefaultProjectID plans the provider's default project_id for a resource being created
// whose configuration leaves project_id out, so the plan shows the project it will be made in.
func planDefaultProjectID(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return // not configured yet (validate), destroy, or an existing resource
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("project_id"), &configured)...)
	if resp.Diagnostics.HasError() || !configured.IsNull() {
		return
	}
	id := pd.projectIDFor(types.StringNull(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("project_id"), id)...)
}
