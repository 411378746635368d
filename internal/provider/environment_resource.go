package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ resource.Resource                = &EnvironmentResource{}
	_ resource.ResourceWithConfigure   = &EnvironmentResource{}
	_ resource.ResourceWithModifyPlan  = &EnvironmentResource{}
	_ resource.ResourceWithImportState = &EnvironmentResource{}
)

// environmentNamePattern is the server's rule: the name becomes a segment of key secrets.
var environmentNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

func NewEnvironmentResource() resource.Resource { return &EnvironmentResource{} }

// EnvironmentResource manages an environment of a project (production, staging, …).
type EnvironmentResource struct {
	data *providerData
}

// EnvironmentResourceModel is the state of keyservice_environment.
type EnvironmentResourceModel struct {
	ID          types.String `tfsdk:"id"`
	ProjectID   types.String `tfsdk:"project_id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (r *EnvironmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
	resp.ResourceBehavior.MutableIdentity = true // a rename changes the name
}

func (r *EnvironmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An environment of a project, such as `production` or `staging`, that API keys are bound to " +
			"(`keyservice_api_key.environment_id`). A bound key carries the environment's name in its secret and `key_prefix` " +
			"(`ks_production_…`), so a leaked key says where it belongs. The server refuses to delete an environment while keys " +
			"bound to it still work: destroy or revoke them first (Terraform does, when the keys reference this resource).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Environment ID, e.g. `env_…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the environment. Defaults to the provider's `project_id`. Changing it creates a new environment.",
				Optional:            true,
				Computed:            true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIfConfigured(),
					stringplanmodifier.UseStateForUnknown(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the project: a lowercase letter, then up to 31 lowercase letters, digits or hyphens. " +
					"A rename applies to keys issued or rotated afterwards; keys issued before keep the name they were issued with.",
				Required: true,
				Validators: []validator.String{stringvalidator.RegexMatches(environmentNamePattern,
					"must be a lowercase letter followed by up to 31 lowercase letters, digits or hyphens")},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description, up to 65,535 characters. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(65535)},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the environment was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *EnvironmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fills project_id from the provider default.
func (r *EnvironmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planDefaultProjectID(ctx, r.data, req, resp)
}

func (r *EnvironmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan EnvironmentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	e, err := r.data.client.CreateEnvironment(ctx, client.CreateEnvironmentRequest{
		ProjectID:   plan.ProjectID.ValueString(),
		Name:        plan.Name.ValueString(),
		Description: plan.Description.ValueString(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Environment",
			fmt.Sprintf("create environment %q in project %s", plan.Name.ValueString(), plan.ProjectID.ValueString()), err)
		return
	}
	m := environmentModelFrom(e)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setEnvironmentIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *EnvironmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state EnvironmentResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	e, err := r.data.client.GetEnvironment(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("Environment Deleted Outside Terraform",
			fmt.Sprintf("Environment %s (%s) no longer exists; it was removed from the state and will be planned for creation.",
				state.ID.ValueString(), state.Name.ValueString()))
		setEnvironmentIdentity(ctx, resp.Identity, state, &resp.Diagnostics) // required even on removal
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Environment", "read environment "+state.ID.ValueString(), err)
		return
	}
	m := environmentModelFrom(e)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setEnvironmentIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *EnvironmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state EnvironmentResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var patch client.UpdateEnvironmentRequest
	if !plan.Name.Equal(state.Name) {
		patch.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description = plan.Description.ValueStringPointer()
	}
	e, err := r.data.client.UpdateEnvironment(ctx, state.ID.ValueString(), patch)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Updating Environment", "update environment "+state.ID.ValueString(), err)
		return
	}
	m := environmentModelFrom(e)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setEnvironmentIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *EnvironmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state EnvironmentResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.data.client.DeleteEnvironment(ctx, id)
	switch {
	case err == nil, errors.Is(err, client.ErrNotFound):
	case errors.Is(err, client.ErrConflict):
		resp.Diagnostics.AddError("Environment Still Has Live API Keys",
			fmt.Sprintf("Environment %s (%s) cannot be deleted while API keys bound to it still work: %s\n\n"+
				"Destroy or revoke those keys first. Keys managed in this configuration are destroyed first when they reference this environment's id.",
				id, state.Name.ValueString(), err))
	default:
		addAPIError(&resp.Diagnostics, "Error Deleting Environment", "delete environment "+id, err)
	}
}

// ImportState accepts an environment ID, or "project_id/name", or an import block's identity
// holding either.
func (r *EnvironmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, resp, "environment", func(ctx context.Context, projectID, name string) (string, error) {
		e, err := r.data.client.GetEnvironmentByName(ctx, projectID, name)
		if err != nil {
			return "", err
		}
		return e.ID, nil
	})
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

func environmentModelFrom(e *client.Environment) EnvironmentResourceModel {
	return EnvironmentResourceModel{
		ID:          types.StringValue(e.ID),
		ProjectID:   types.StringValue(e.ProjectID),
		Name:        types.StringValue(e.Name),
		Description: types.StringValue(e.Description),
		CreatedAt:   timeValue(&e.CreatedAt),
	}
}
