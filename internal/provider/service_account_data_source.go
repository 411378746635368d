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
	_ datasource.DataSource                     = &ServiceAccountDataSource{}
	_ datasource.DataSourceWithConfigure        = &ServiceAccountDataSource{}
	_ datasource.DataSourceWithConfigValidators = &ServiceAccountDataSource{}
)

func NewServiceAccountDataSource() datasource.DataSource { return &ServiceAccountDataSource{} }

// ServiceAccountDataSource reads one live service account by id, or by project and name.
type ServiceAccountDataSource struct {
	data *providerData
}

func (d *ServiceAccountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service_account"
}

func (d *ServiceAccountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one service account, by `id` or by `name` within a project.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{MarkdownDescription: "Service account ID. Set either `id` or `name`.", Optional: true, Computed: true},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project to look the name up in; defaults to the provider's `project_id`. Ignored with `id`.",
				Optional:            true, Computed: true,
			},
			"name":        schema.StringAttribute{MarkdownDescription: "Service account name. Set either `id` or `name`.", Optional: true, Computed: true},
			"description": computed("Description."),
			"active":      schema.BoolAttribute{MarkdownDescription: "Whether the account's keys may be used.", Computed: true},
			"created_at":  computed("When the service account was created (RFC 3339)."),
		},
	}
}

func (d *ServiceAccountDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *ServiceAccountDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *ServiceAccountDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config ServiceAccountResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		a   *client.ServiceAccount
		err error
	)
	if !config.ID.IsNull() {
		a, err = d.data.client.GetServiceAccount(ctx, config.ID.ValueString())
	} else {
		projectID := d.data.projectIDFor(config.ProjectID, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		a, err = d.data.client.GetServiceAccountByName(ctx, projectID, config.Name.ValueString())
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Service Account",
			fmt.Sprintf("read service account (id %s, name %s)", config.ID, config.Name), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, serviceAccountModelFrom(a))...)
}
