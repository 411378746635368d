package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

var _ resource.ResourceWithIdentity = &ServiceAccountResource{}

func (r *ServiceAccountResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = nameIdentitySchema("service account")
}

func setServiceAccountIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m ServiceAccountResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, nameIdentityModel{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name})...)
}
