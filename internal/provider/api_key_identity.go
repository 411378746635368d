package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = &APIKeyResource{}

// APIKeyIdentityModel identifies a key for `import { identity = {...} }`: by id, or by project
// and name. It changes when the key is rotated or renamed, so it is declared mutable.
type APIKeyIdentityModel struct {
	ID        types.String `tfsdk:"id"`
	ProjectID types.String `tfsdk:"project_id"`
	Name      types.String `tfsdk:"name"`
}

func (r *APIKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id":         identityschema.StringAttribute{OptionalForImport: true, Description: "Key ID. Give either id, or project_id and name."},
			"project_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Project of the key, with name."},
			"name":       identityschema.StringAttribute{OptionalForImport: true, Description: "Name of a live key in the project, with project_id."},
		},
	}
}

// setAPIKeyIdentity records the identity of the key in m, where the CLI supports identities.
func setAPIKeyIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m APIKeyResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, APIKeyIdentityModel{ID: m.ID, ProjectID: m.ProjectID, Name: m.Name})...)
}
