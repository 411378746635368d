package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = &ServiceAccountResource{}

// ServiceAccountIdentityModel identifies a service account for `import { identity = {...} }`:
// by id, or by project and name. A rename changes it, so it is declared mutable.
type ServiceAccountIdentityModel struct {
	ID        types.String `tfsdk:"id"`
	ProjectID types.String `tfsdk:"project_id"`
	Name      types.String `tfsdk:"name"`
}

func (r *ServiceAccountResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id":         identityschema.StringAttribute{OptionalForImport: true, Description: "Service account ID. Give either id, or project_id and name."},
			"project_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Project of the service account, with name."},
			"name":       identityschema.StringAttribute{OptionalForImport: true, Description: "Name of the service account, with project_id."},
		},
	}
}

func setServiceAccountIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m ServiceAccountResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, ServiceAccountIdentityModel{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name})...)
}
