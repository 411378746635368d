package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ datasource.DataSource              = &APIKeysDataSource{}
	_ datasource.DataSourceWithConfigure = &APIKeysDataSource{}
)

func NewAPIKeysDataSource() datasource.DataSource { return &APIKeysDataSource{} }

// APIKeysDataSource lists the keys of a project with the list endpoint's filters, walking
// every page. It never returns secrets.
type APIKeysDataSource struct {
	data *providerData
}

// APIKeysDataSourceModel is what keyservice_api_keys holds.
type APIKeysDataSourceModel struct {
	ProjectID        types.String            `tfsdk:"project_id"`
	ServiceAccountID types.String            `tfsdk:"service_account_id"`
	EnvironmentID    types.String            `tfsdk:"environment_id"`
	Name             types.String            `tfsdk:"name"`
	NamePrefix       types.String            `tfsdk:"name_prefix"`
	Active           types.Bool              `tfsdk:"active"`
	Scope            types.String            `tfsdk:"scope"`
	IncludeRevoked   types.Bool              `tfsdk:"include_revoked"`
	ExpiresBefore    types.String            `tfsdk:"expires_before"`
	SortBy           types.String            `tfsdk:"sort_by"`
	Keys             []APIKeyDataSourceModel `tfsdk:"keys"`
}

func (d *APIKeysDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_keys"
}

func (d *APIKeysDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filter := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Optional: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists a project's API keys, filtered and sorted by the server, across every page. Secrets are never returned.",
		Attributes: map[string]schema.Attribute{
			"project_id":         filter("Project to list. Defaults to the provider's `project_id`."),
			"service_account_id": filter("Only keys of this service account."),
			"environment_id":     filter("Only keys bound to this environment."),
			"name":               filter("Only the key with exactly this name."),
			"name_prefix":        filter("Only keys whose name starts with this."),
			"active": schema.BoolAttribute{
				MarkdownDescription: "Only enabled (`true`) or disabled (`false`) keys.",
				Optional:            true,
			},
			"scope": filter("Only keys granted this scope."),
			"include_revoked": schema.BoolAttribute{
				MarkdownDescription: "Also list revoked keys and keys replaced by a rotation. Defaults to `false`.",
				Optional:            true,
			},
			"expires_before": schema.StringAttribute{
				MarkdownDescription: "Only keys expiring before this time (RFC 3339).",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator{}},
			},
			"sort_by": schema.StringAttribute{
				MarkdownDescription: "Order: `created_at` (default), `name` or `expires_at`; prefix `-` for descending.",
				Optional:            true,
				Validators: []validator.String{stringvalidator.OneOf(
					"created_at", "-created_at", "name", "-name", "expires_at", "-expires_at")},
			},
			"keys": schema.ListNestedAttribute{
				MarkdownDescription: "The keys, in the requested order, each with every attribute the key service holds (as the `keyservice_api_key` data source has them).",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: apiKeyAttributes()},
			},
		},
	}
}

func (d *APIKeysDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *APIKeysDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config APIKeysDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	projectID := d.data.projectIDFor(config.ProjectID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.ListAPIKeysOptions{
		ProjectID:        projectID,
		ServiceAccountID: config.ServiceAccountID.ValueString(),
		EnvironmentID:    config.EnvironmentID.ValueString(),
		Name:             config.Name.ValueString(),
		NamePrefix:       config.NamePrefix.ValueString(),
		Scope:            config.Scope.ValueString(),
		Active:           config.Active.ValueBoolPointer(),
		IncludeRevoked:   config.IncludeRevoked.ValueBool(),
		SortBy:           config.SortBy.ValueString(),
		PageSize:         1000,
	}
	if !config.ExpiresBefore.IsNull() {
		t, err := time.Parse(time.RFC3339, config.ExpiresBefore.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("expires_before"), "Invalid Time", err.Error())
			return
		}
		opts.ExpiresBefore = &t
	}
	keys, err := d.data.client.ListAllAPIKeys(ctx, opts)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Listing API Keys", "list API keys of project "+projectID, err)
		return
	}
	now := d.data.now()
	config.ProjectID = types.StringValue(projectID)
	config.Keys = make([]APIKeyDataSourceModel, 0, len(keys))
	for i := range keys {
		config.Keys = append(config.Keys, apiKeyDataSourceModelFrom(&keys[i], now))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}
