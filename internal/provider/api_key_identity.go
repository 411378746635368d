package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

var _ resource.ResourceWithIdentity = &APIKeyResource{}

func (r *APIKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = nameIdentitySchema("key")
}

// setAPIKeyIdentity records the identity of the key in m, where the CLI supports identities.
func setAPIKeyIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m APIKeyResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, nameIdentityModel{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name})...)
}
