package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ datasource.DataSource                     = &APIKeyDataSource{}
	_ datasource.DataSourceWithConfigure        = &APIKeyDataSource{}
	_ datasource.DataSourceWithConfigValidators = &APIKeyDataSource{}
)

func NewAPIKeyDataSource() datasource.DataSource { return &APIKeyDataSource{} }

// APIKeyDataSource reads one key, by id or by project and name. It never returns the secret.
type APIKeyDataSource struct {
	data *providerData
}

// APIKeyDataSourceModel is what keyservice_api_key (data source) holds.
type APIKeyDataSourceModel struct {
	ID              types.String `tfsdk:"id"`
	ProjectID       types.String `tfsdk:"project_id"`
	Name            types.String `tfsdk:"name"`
	Description     types.String `tfsdk:"description"`
	Scopes          types.Set    `tfsdk:"scopes"`
	Active          types.Bool   `tfsdk:"active"`
	ExpiresAt       types.String `tfsdk:"expires_at"`
	KeyPrefix       types.String `tfsdk:"key_prefix"`
	Status          types.String `tfsdk:"status"`
	CreatedAt       types.String `tfsdk:"created_at"`
	LastUsedAt      types.String `tfsdk:"last_used_at"`
	RevokedAt       types.String `tfsdk:"revoked_at"`
	ReplacedByKeyID types.String `tfsdk:"replaced_by_key_id"`
	GraceExpiresAt  types.String `tfsdk:"grace_expires_at"`
}

func (d *APIKeyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (d *APIKeyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one API key, by `id` or by `name` within a project. The secret is never returned.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Key ID. Set either `id` or `name`.",
				Optional:            true,
				Computed:            true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project to look the name up in. Defaults to the provider's `project_id`.",
				Optional:            true,
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of a live key in the project. Set either `id` or `name`.",
				Optional:            true,
				Computed:            true,
			},
			"description": computed("Description."),
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes granted to the key.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"active":             schema.BoolAttribute{MarkdownDescription: "Whether the key is enabled.", Computed: true},
			"expires_at":         computed("When the key expires (RFC 3339), or null."),
			"key_prefix":         computed("The non-secret head of the key, safe to show, to recognise it in lists and logs: `ks_`, then for a key bound to an environment its name (`ks_production_`), then the first 9 characters of the random part. For a key without environment that is its first 12 characters."),
			"status":             computed("`active`, `disabled`, `expired`, `revoked` or `rotated`."),
			"created_at":         computed("When the key was created (RFC 3339)."),
			"last_used_at":       computed("When the key was last verified (RFC 3339), or null."),
			"revoked_at":         computed("When the key was revoked (RFC 3339), or null."),
			"replaced_by_key_id": computed("ID of the key that replaced this one in a rotation, or null."),
			"grace_expires_at":   computed("Until when this rotated-out key stays valid (RFC 3339), or null."),
		},
	}
}

func (d *APIKeyDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("project_id")),
	}
}

func (d *APIKeyDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *APIKeyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config APIKeyDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		k   *client.APIKey
		err error
	)
	if !config.ID.IsNull() {
		k, err = d.data.client.GetAPIKey(ctx, config.ID.ValueString())
	} else {
		projectID := d.data.projectIDFor(config.ProjectID, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		k, err = d.data.client.FindAPIKeyByName(ctx, projectID, config.Name.ValueString())
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading API Key", fmt.Sprintf("read API key (id %s, name %s)", config.ID, config.Name), err)
		return
	}
	state := apiKeyDataSourceModelFrom(k, d.data.now())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// apiKeyDataSourceModelFrom maps a server key onto the data source model (no secret).
func apiKeyDataSourceModelFrom(k *client.APIKey, now time.Time) APIKeyDataSourceModel {
	return APIKeyDataSourceModel{
		ID:              types.StringValue(k.ID),
		ProjectID:       types.StringValue(k.ProjectID),
		Name:            types.StringValue(k.Name),
		Description:     types.StringValue(k.Description),
		Scopes:          scopesValue(k.Scopes),
		Active:          types.BoolValue(k.Active),
		ExpiresAt:       timeValue(k.ExpiresAt),
		KeyPrefix:       types.StringValue(k.KeyPrefix),
		Status:          types.StringValue(apiKeyStatus(k, now)),
		CreatedAt:       timeValue(&k.CreatedAt),
		LastUsedAt:      timeValue(k.LastUsedAt),
		RevokedAt:       timeValue(k.RevokedAt),
		ReplacedByKeyID: stringPointerValue(k.ReplacedByKeyID),
		GraceExpiresAt:  timeValue(k.GraceExpiresAt),
	}
}
