package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// nameIdentityModel is the resource identity of objects named uniquely within a project (keys,
// service accounts, environments): an id, or a project and a name. A rename changes it, so resources that use
// it declare a mutable identity.
type nameIdentityModel struct {
	ID        types.String `tfsdk:"id"`
	ProjectID types.String `tfsdk:"project_id"`
	Name      types.String `tfsdk:"name"`
}

// nameIdentitySchema describes nameIdentityModel for an object called what (e.g. "key").
func nameIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id":         identityschema.StringAttribute{OptionalForImport: true, Description: "ID of the " + what + ". Give either id, or project_id and name."},
			"project_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Project of the " + what + ", with name."},
			"name":       identityschema.StringAttribute{OptionalForImport: true, Description: "Name of the " + what + " in the project, with project_id."},
		},
	}
}

// importID resolves what an import names to an ID: an ID as is, "project_id/name", or an import
// block's identity (nameIdentityModel) holding either; find looks a name up in a project. It
// reports an error naming the accepted forms, and returns "" after any error.
func importID(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, what string,
	find func(ctx context.Context, projectID, name string) (string, error)) string {
	id, projectID, name := req.ID, "", ""
	switch {
	case req.ID == "" && req.Identity != nil:
		var identity nameIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		id, projectID, name = identity.ID.ValueString(), identity.ProjectID.ValueString(), identity.Name.ValueString()
	case strings.Contains(req.ID, "/"):
		id = ""
		projectID, name, _ = strings.Cut(req.ID, "/")
	}
	if resp.Diagnostics.HasError() || id != "" {
		return id
	}
	if projectID == "" || name == "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a %s by its ID, or by \"project_id/name\" (or an identity with id, or project_id and name); got %q with project_id %q and name %q.",
				what, req.ID, projectID, name))
		return ""
	}
	found, err := find(ctx, projectID, name)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Importing "+strings.ToUpper(what[:1])+what[1:], fmt.Sprintf("find %s %q in project %s", what, name, projectID), err)
		return ""
	}
	return found
}
