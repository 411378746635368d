package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ datasource.DataSource                     = &ProjectDataSource{}
	_ datasource.DataSourceWithConfigure        = &ProjectDataSource{}
	_ datasource.DataSourceWithConfigValidators = &ProjectDataSource{}
)

func NewProjectDataSource() datasource.DataSource { return &ProjectDataSource{} }

// ProjectDataSourceModel is keyservice_project as read by the data source, which never has the
// webhook signing secret (the server shows it only on create).
type ProjectDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

// ProjectDataSource reads one project by id or by name.
type ProjectDataSource struct {
	data *providerData
}

func (d *ProjectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (d *ProjectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one project, by `id` or by `name`.",
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{MarkdownDescription: "Project ID. Set either `id` or `name`.", Optional: true, Computed: true},
			"name":        schema.StringAttribute{MarkdownDescription: "Project name. Set either `id` or `name`.", Optional: true, Computed: true},
			"description": schema.StringAttribute{MarkdownDescription: "Description.", Computed: true},
			"created_at":  schema.StringAttribute{MarkdownDescription: "When the project was created (RFC 3339).", Computed: true},
		},
	}
}

func (d *ProjectDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *ProjectDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *ProjectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config ProjectDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		p   *client.Project
		err error
	)
	if !config.ID.IsNull() {
		p, err = d.data.client.GetProject(ctx, config.ID.ValueString())
	} else {
		p, err = d.findByName(ctx, config.Name.ValueString())
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Project", fmt.Sprintf("read project (id %s, name %s)", config.ID, config.Name), err)
		return
	}
	m := projectModelFrom(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, ProjectDataSourceModel{ID: m.ID, Name: m.Name, Description: m.Description, CreatedAt: m.CreatedAt})...)
}

// findByName walks the project list; project names are unique.
func (d *ProjectDataSource) findByName(ctx context.Context, name string) (*client.Project, error) {
	token := ""
	for {
		page, err := d.data.client.ListProjects(ctx, 1000, token)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			if page.Items[i].Name == name {
				return &page.Items[i], nil
			}
		}
		if page.NextPageToken == "" {
			return nil, fmt.Errorf("no project is named %q: %w", name, client.ErrNotFound)
		}
		token = page.NextPageToken
	}
}
