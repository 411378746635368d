package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ resource.Resource                = &ServiceAccountResource{}
	_ resource.ResourceWithConfigure   = &ServiceAccountResource{}
	_ resource.ResourceWithModifyPlan  = &ServiceAccountResource{}
	_ resource.ResourceWithImportState = &ServiceAccountResource{}
)

func NewServiceAccountResource() resource.Resource { return &ServiceAccountResource{} }

// ServiceAccountResource manages a service account: a non-human identity that owns API keys.
type ServiceAccountResource struct {
	data *providerData
}

// ServiceAccountResourceModel is the state of keyservice_service_account.
type ServiceAccountResourceModel struct {
	ID          types.String `tfsdk:"id"`
	ProjectID   types.String `tfsdk:"project_id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	Active      types.Bool   `tfsdk:"active"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (r *ServiceAccountResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account"
	resp.ResourceBehavior.MutableIdentity = true // a rename changes the name
}

func (r *ServiceAccountResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A service account of a project: a non-human identity (a CI job, a service) that owns API keys " +
			"(`keyservice_api_key.service_account_id`). Setting `active = false` makes every key of the account fail verification " +
			"until it is set back to `true`, without changing the keys. Destroying the account revokes all of its keys.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Service account ID, e.g. `sa_…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the service account. Defaults to the provider's `project_id`. Changing it creates a new service account.",
				Optional:            true,
				Computed:            true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIfConfigured(),
					stringplanmodifier.UseStateForUnknown(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, 1–255 characters, unique among the project's service accounts. Renaming keeps the account and its keys.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Description, up to 65,535 characters. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(65535)},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether the account's keys may be used. `false` suspends all of them at once; `true` restores them. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the service account was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *ServiceAccountResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fills project_id from the provider default.
func (r *ServiceAccountResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planDefaultProjectID(ctx, r.data, req, resp)
}

func (r *ServiceAccountResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ServiceAccountResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := r.data.client.CreateServiceAccount(ctx, client.CreateServiceAccountRequest{
		ProjectID:   plan.ProjectID.ValueString(),
		Name:        plan.Name.ValueString(),
		Description: plan.Description.ValueString(),
		Active:      plan.Active.ValueBoolPointer(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Service Account",
			fmt.Sprintf("create service account %q in project %s", plan.Name.ValueString(), plan.ProjectID.ValueString()), err)
		return
	}
	m := serviceAccountModelFrom(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setServiceAccountIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *ServiceAccountResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ServiceAccountResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := r.data.client.GetServiceAccount(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("Service Account Deleted Outside Terraform",
			fmt.Sprintf("Service account %s (%s) no longer exists, and its keys were revoked with it; it was removed from the state and will be planned for creation.",
				state.ID.ValueString(), state.Name.ValueString()))
		setServiceAccountIdentity(ctx, resp.Identity, state, &resp.Diagnostics) // required even on removal
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Service Account", "read service account "+state.ID.ValueString(), err)
		return
	}
	m := serviceAccountModelFrom(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setServiceAccountIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *ServiceAccountResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ServiceAccountResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var patch client.UpdateServiceAccountRequest
	if !plan.Name.Equal(state.Name) {
		patch.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description = plan.Description.ValueStringPointer()
	}
	if !plan.Active.Equal(state.Active) {
		patch.Active = plan.Active.ValueBoolPointer()
	}
	a, err := r.data.client.UpdateServiceAccount(ctx, state.ID.ValueString(), patch)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Updating Service Account", "update service account "+state.ID.ValueString(), err)
		return
	}
	m := serviceAccountModelFrom(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setServiceAccountIdentity(ctx, resp.Identity, m, &resp.Diagnostics)
}

func (r *ServiceAccountResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ServiceAccountResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.DeleteServiceAccount(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Service Account", "delete service account "+state.ID.ValueString(), err)
	}
}

// ImportState accepts a service account ID, or "project_id/name", or an import block's
// identity holding either.
func (r *ServiceAccountResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, resp, "service account", func(ctx context.Context, projectID, name string) (string, error) {
		a, err := r.data.client.GetServiceAccountByName(ctx, projectID, name)
		if err != nil {
			return "", err
		}
		return a.ID, nil
	})
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

func serviceAccountModelFrom(a *client.ServiceAccount) ServiceAccountResourceModel {
	return ServiceAccountResourceModel{
		ID:          types.StringValue(a.ID),
		ProjectID:   types.StringValue(a.ProjectID),
		Name:        types.StringValue(a.Name),
		Description: types.StringValue(a.Description),
		Active:      types.BoolValue(a.Active),
		CreatedAt:   timeValue(&a.CreatedAt),
	}
}
