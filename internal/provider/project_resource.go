package provider

import (
	"context"
	"errors"
	"time"

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
	_ resource.Resource                = &ProjectResource{}
	_ resource.ResourceWithConfigure   = &ProjectResource{}
	_ resource.ResourceWithImportState = &ProjectResource{}
)

func NewProjectResource() resource.Resource { return &ProjectResource{} }

// ProjectResource manages a keyservice project.
type ProjectResource struct {
	data *providerData
}

// ProjectResourceModel is the state of keyservice_project.
type ProjectResourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	CreatedAt   types.String `tfsdk:"created_at"`
	// WebhookSigningSecret is known only from the create response; Read keeps it from state.
	WebhookSigningSecret types.String `tfsdk:"webhook_signing_secret"`
}

func (r *ProjectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (r *ProjectResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A project groups API keys. Deleting a project revokes every key in it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Project ID, e.g. `prj_…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Project name, 1–255 characters, unique on the server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free-form description, up to 65,535 characters. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(65535)},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the project was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"webhook_signing_secret": schema.StringAttribute{
				MarkdownDescription: "Secret (`whsec_…`) with which the key service signs the webhooks of this project's keys " +
					"(`keyservice_api_key.rotation_webhook_url`): `X-Keyservice-Signature: v1=<hex HMAC-SHA256 of X-Keyservice-Timestamp + \".\" + body>`. " +
					"The server shows it only when the project is created, so it is known after create and null after import.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *ProjectResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *ProjectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan ProjectResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.data.client.CreateProject(ctx, client.CreateProjectRequest{
		Name:        plan.Name.ValueString(),
		Description: plan.Description.ValueString(),
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Project", "create project "+plan.Name.ValueString(), err)
		return
	}
	m := projectModelFrom(p)
	m.WebhookSigningSecret = types.StringValue(p.WebhookSigningSecret)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setProjectIdentity(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

func (r *ProjectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ProjectResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.data.client.GetProject(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("Project Deleted Outside Terraform",
			"Project "+state.ID.ValueString()+" no longer exists; it was removed from the state and will be planned for creation.")
		// The framework wants an identity even for a removed resource; a CLI without identity
		// support (Terraform < 1.12) has none stored, so it is backfilled from state.
		setProjectIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Project", "read project "+state.ID.ValueString(), err)
		return
	}
	m := projectModelFrom(p)
	m.WebhookSigningSecret = state.WebhookSigningSecret
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setProjectIdentity(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

func (r *ProjectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state ProjectResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var patch client.UpdateProjectRequest
	if !plan.Name.Equal(state.Name) {
		patch.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description = plan.Description.ValueStringPointer()
	}
	p, err := r.data.client.UpdateProject(ctx, state.ID.ValueString(), patch)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Updating Project", "update project "+state.ID.ValueString(), err)
		return
	}
	m := projectModelFrom(p)
	m.WebhookSigningSecret = state.WebhookSigningSecret
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setProjectIdentity(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

func (r *ProjectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ProjectResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.DeleteProject(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Project", "delete project "+state.ID.ValueString(), err)
	}
}

func (r *ProjectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
}

func projectModelFrom(p *client.Project) ProjectResourceModel {
	return ProjectResourceModel{
		ID:          types.StringValue(p.ID),
		Name:        types.StringValue(p.Name),
		Description: types.StringValue(p.Description),
		CreatedAt:   types.StringValue(p.CreatedAt.UTC().Format(time.RFC3339)),
		// Set by Create; null otherwise (read, import): the server shows the secret once.
		WebhookSigningSecret: types.StringNull(),
	}
}
