package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

var _ resource.ResourceWithIdentity = &EnvironmentResource{}

func (r *EnvironmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = nameIdentitySchema("environment")
}

// setEnvironmentIdentity records the identity of the environment in m, where the CLI supports
// identities.
func setEnvironmentIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m EnvironmentResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, nameIdentityModel{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name})...)
}
