package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// providerDataFrom unpacks what Configure handed over. It returns nil, without a diagnostic,
// before the provider is configured (Terraform calls resources' Configure early too).
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data))
		return nil
	}
	return pd
}

// projectIDFor returns the configured project_id, or the provider's default, and reports an
// attribute error naming the env var when neither is set.
func (pd *providerData) projectIDFor(v types.String, diags *diag.Diagnostics) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if pd.projectID != "" {
		return pd.projectID
	}
	diags.AddAttributeError(path.Root("project_id"), "Missing project_id",
		"Set project_id on this resource, or a default project_id in the provider configuration or the "+envProjectID+" environment variable.")
	return ""
}
