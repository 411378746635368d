package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ datasource.DataSource                     = &EnvironmentDataSource{}
	_ datasource.DataSourceWithConfigure        = &EnvironmentDataSource{}
	_ datasource.DataSourceWithConfigValidators = &EnvironmentDataSource{}
)

func NewEnvironmentDataSource() datasource.DataSource { return &EnvironmentDataSource{} }

// EnvironmentDataSource reads one environment by id, or by project and name.
type EnvironmentDataSource struct {
	data *providerData
}

func (d *EnvironmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (d *EnvironmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one environment of a project, by `id` or by `name` within a project: for instance to bind " +
			"keys (`keyservice_api_key.environment_id`) to an environment that another configuration manages.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "Environment ID. Set either `id` or `name`.", Optional: true, Computed: true},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project to look the name up in; defaults to the provider's `project_id`. Ignored with `id`.",
				Optional:            true, Computed: true,
			},
			"name":        schema.StringAttribute{MarkdownDescription: "Environment name. Set either `id` or `name`.", Optional: true, Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Description.", Computed: true},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the environment was created (RFC 3339).", Computed: true},
		},
	}
}

func (d *EnvironmentDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *EnvironmentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *EnvironmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config EnvironmentResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		e   *client.Environment
		err error
	)
	if !config.ID.IsNull() {
		e, err = d.data.client.GetEnvironment(ctx, config.ID.ValueString())
	} else {
		projectID := d.data.projectIDFor(config.ProjectID, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		e, err = d.data.client.GetEnvironmentByName(ctx, projectID, config.Name.ValueString())
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Environment",
			fmt.Sprintf("read environment (id %s, name %s)", config.ID, config.Name), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, environmentModelFrom(e))...)
}
