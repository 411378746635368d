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

// APIKeyDataSourceModel is what keyservice_api_key (data source) holds, and each element of
// keyservice_api_keys: everything the server says of a key but its secret.
type APIKeyDataSourceModel struct {
	ID                   types.String `tfsdk:"id"`
	ProjectID            types.String `tfsdk:"project_id"`
	ServiceAccountID     types.String `tfsdk:"service_account_id"`
	EnvironmentID        types.String `tfsdk:"environment_id"`
	Name                 types.String `tfsdk:"name"`
	Description          types.String `tfsdk:"description"`
	Scopes               types.Set    `tfsdk:"scopes"`
	Active               types.Bool   `tfsdk:"active"`
	ExpiresAt            types.String `tfsdk:"expires_at"`
	RotationIntervalDays types.Int64  `tfsdk:"rotation_interval_days"`
	RotationWebhookURL   types.String `tfsdk:"rotation_webhook_url"`
	NextRotationAt       types.String `tfsdk:"next_rotation_at"`
	KeyPrefix            types.String `tfsdk:"key_prefix"`
	Status               types.String `tfsdk:"status"`
	CreatedAt            types.String `tfsdk:"created_at"`
	UpdatedAt            types.String `tfsdk:"updated_at"`
	LastUsedAt           types.String `tfsdk:"last_used_at"`
	RevokedAt            types.String `tfsdk:"revoked_at"`
	ReplacedByKeyID      types.String `tfsdk:"replaced_by_key_id"`
	GraceExpiresAt       types.String `tfsdk:"grace_expires_at"`
}

func (d *APIKeyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (d *APIKeyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := apiKeyAttributes()
	attributes["id"] = schema.StringAttribute{
		MarkdownDescription: "Key ID. Set either `id` or `name`.",
		Optional:            true,
		Computed:            true,
	}
	attributes["project_id"] = schema.StringAttribute{
		MarkdownDescription: "Project to look the name up in. Defaults to the provider's `project_id`.",
		Optional:            true,
		Computed:            true,
	}
	attributes["name"] = schema.StringAttribute{
		MarkdownDescription: "Name of a live key in the project. Set either `id` or `name`.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one API key, by `id` or by `name` within a project: every attribute the key service holds, " +
			"the secret excepted (the service keeps only its hash).",
		Attributes: attributes,
	}
}

// apiKeyAttributes describes one key as the data sources return it, all computed: every argument
// of the keyservice_api_key resource that the server holds, so a configuration can copy a key's
// arguments from a data source to adopt it unchanged, and what the server tells about its life.
func apiKeyAttributes() map[string]schema.Attribute {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	return map[string]schema.Attribute{
		"id":                 computed("Key ID."),
		"project_id":         computed("Project of the key."),
		"service_account_id": computed("Service account that owns the key, or null."),
		"environment_id":     computed("Environment the key is bound to, or null."),
		"name":               computed("Key name."),
		"description":        computed("Description."),
		"scopes": schema.SetAttribute{
			MarkdownDescription: "Scopes granted to the key.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"active":     schema.BoolAttribute{MarkdownDescription: "Whether the key is enabled.", Computed: true},
		"expires_at": computed("When the key expires (RFC 3339), or null."),
		"rotation_interval_days": schema.Int64Attribute{
			MarkdownDescription: "Every how many days the key service rotates the key itself, or null.",
			Computed:            true,
		},
		"rotation_webhook_url": computed("Where the key service sends each key it rotates on its schedule, or null."),
		"next_rotation_at":     computed("When the key service will next rotate the key (RFC 3339), or null."),
		"key_prefix":           computed("The non-secret head of the key, safe to show, to recognise it in lists and logs: `ks_`, then for a key bound to an environment its name (`ks_production_`), then the first 9 characters of the random part. For a key without environment that is its first 12 characters."),
		"status":               computed("`active`, `disabled`, `expired`, `revoked` or `rotated`."),
		"created_at":           computed("When the key was created, which is also when it was last rotated (RFC 3339)."),
		"updated_at":           computed("When the key was last changed (RFC 3339)."),
		"last_used_at":         computed("When the key was last verified (RFC 3339), or null."),
		"revoked_at":           computed("When the key was revoked (RFC 3339), or null."),
		"replaced_by_key_id":   computed("ID of the key that replaced this one in a rotation, or null."),
		"grace_expires_at":     computed("Until when this rotated-out key stays valid (RFC 3339), or null."),
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
		ID:                   types.StringValue(k.ID),
		ProjectID:            types.StringValue(k.ProjectID),
		ServiceAccountID:     stringPointerValue(k.ServiceAccountID),
		EnvironmentID:        stringPointerValue(k.EnvironmentID),
		Name:                 types.StringValue(k.Name),
		Description:          types.StringValue(k.Description),
		Scopes:               scopesValue(k.Scopes),
		Active:               types.BoolValue(k.Active),
		ExpiresAt:            timeValue(k.ExpiresAt),
		RotationIntervalDays: int64PointerValue(k.RotationIntervalDays),
		RotationWebhookURL:   stringPointerValue(k.RotationWebhookURL),
		NextRotationAt:       timeValue(k.NextRotationAt),
		KeyPrefix:            types.StringValue(k.KeyPrefix),
		Status:               types.StringValue(apiKeyStatus(k, now)),
		CreatedAt:            timeValue(&k.CreatedAt),
		UpdatedAt:            timeValue(&k.UpdatedAt),
		LastUsedAt:           timeValue(k.LastUsedAt),
		RevokedAt:            timeValue(k.RevokedAt),
		ReplacedByKeyID:      stringPointerValue(k.ReplacedByKeyID),
		GraceExpiresAt:       timeValue(k.GraceExpiresAt),
	}
}
