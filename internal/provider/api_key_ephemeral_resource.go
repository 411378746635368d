package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ ephemeral.EphemeralResource              = &APIKeyEphemeralResource{}
	_ ephemeral.EphemeralResourceWithConfigure = &APIKeyEphemeralResource{}
	_ ephemeral.EphemeralResourceWithClose     = &APIKeyEphemeralResource{}
)

// Bounds of an ephemeral key's ttl: long enough for one run, short enough to be harmless.
const (
	ephemeralMinTTL = time.Minute
	ephemeralMaxTTL = 24 * time.Hour
)

// privateKeyID is the private-data key under which Open leaves the key ID for Close.
const privateKeyID = "key_id"

func NewAPIKeyEphemeralResource() ephemeral.EphemeralResource { return &APIKeyEphemeralResource{} }

// APIKeyEphemeralResource creates a short-lived key for one Terraform run and revokes it on close.
type APIKeyEphemeralResource struct {
	data *providerData
}

// APIKeyEphemeralResourceModel is the config and result of the ephemeral keyservice_api_key.
type APIKeyEphemeralResourceModel struct {
	ProjectID     types.String `tfsdk:"project_id"`
	NamePrefix    types.String `tfsdk:"name_prefix"`
	Scopes        types.Set    `tfsdk:"scopes"`
	TTL           types.String `tfsdk:"ttl"`
	RevokeOnClose types.Bool   `tfsdk:"revoke_on_close"`
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Key           types.String `tfsdk:"key"`
	KeyPrefix     types.String `tfsdk:"key_prefix"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
}

func (e *APIKeyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (e *APIKeyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived API key for this Terraform run only: created when the run opens it, expiring after `ttl`, " +
			"and revoked when the run closes it. It is never stored in state or plan. Terraform and OpenTofu open ephemeral " +
			"resources during **plan as well as apply**, so each run that reads it creates (and revokes) one key; use it to " +
			"hand a credential to another provider or a provisioner, not as a long-lived key.",
		Attributes: map[string]schema.Attribute{
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project of the key. Defaults to the provider's `project_id`.",
				Optional:            true,
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Start of the key's name; a random suffix makes it unique. Defaults to `ephemeral-`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 200)},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes granted to the key.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtMost(50),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(scopePattern,
						"must start with a lowercase letter and hold only lowercase letters, digits and _ . : - (at most 64 characters)")),
				},
			},
			"ttl": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long the key lives, as a Go duration, between %s and %s (e.g. `15m`).", ephemeralMinTTL, ephemeralMaxTTL),
				Required:            true,
				Validators:          []validator.String{durationValidator{min: ephemeralMinTTL, max: ephemeralMaxTTL}},
			},
			"revoke_on_close": schema.BoolAttribute{
				MarkdownDescription: "Revoke the key when the run closes it. Defaults to `true`; with `false` the key lives until its `ttl` ends.",
				Optional:            true,
			},
			"id":         schema.StringAttribute{MarkdownDescription: "Key ID.", Computed: true},
			"name":       schema.StringAttribute{MarkdownDescription: "Key name: `name_prefix` plus a random suffix.", Computed: true},
			"key":        schema.StringAttribute{MarkdownDescription: "The secret API key.", Computed: true, Sensitive: true},
			"key_prefix": schema.StringAttribute{MarkdownDescription: "The non-secret head of the key, safe to show, to recognise it in lists and logs: `ks_`, then for a key bound to an environment its name (`ks_production_`), then the first 9 characters of the random part. For a key without environment that is its first 12 characters.", Computed: true},
			"expires_at": schema.StringAttribute{MarkdownDescription: "When the key expires (RFC 3339).", Computed: true},
		},
	}
}

func (e *APIKeyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *APIKeyEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m APIKeyEphemeralResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	projectID := e.data.projectIDFor(m.ProjectID, &resp.Diagnostics)
	ttl, err := time.ParseDuration(m.TTL.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid ttl", err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := "ephemeral-"
	if !m.NamePrefix.IsNull() {
		prefix = m.NamePrefix.ValueString()
	}
	expires := e.data.now().Add(ttl).UTC().Truncate(time.Second)
	k, err := e.data.client.CreateAPIKey(ctx, client.CreateAPIKeyRequest{
		ProjectID:   projectID,
		Name:        prefix + rand.Text()[:12],
		Description: "ephemeral key of a Terraform run",
		Scopes:      scopesFrom(ctx, m.Scopes, &resp.Diagnostics),
		ExpiresAt:   &expires,
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating Ephemeral API Key", "create an ephemeral key in project "+projectID, err)
		return
	}
	if m.RevokeOnClose.IsNull() || m.RevokeOnClose.ValueBool() {
		id, _ := json.Marshal(k.ID)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyID, id)...)
	}
	m.ProjectID = types.StringValue(k.ProjectID)
	m.ID = types.StringValue(k.ID)
	m.Name = types.StringValue(k.Name)
	m.Key = types.StringValue(k.Key)
	m.KeyPrefix = types.StringValue(k.KeyPrefix)
	m.ExpiresAt = timeValue(k.ExpiresAt)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

func (e *APIKeyEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, privateKeyID)
	resp.Diagnostics.Append(diags...)
	if raw == nil || resp.Diagnostics.HasError() {
		return // revoke_on_close = false
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		resp.Diagnostics.AddError("Invalid Private Data", "The ephemeral key's ID could not be read back: "+err.Error())
		return
	}
	if err := e.data.client.RevokeAPIKey(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Revoking Ephemeral API Key", "revoke ephemeral key "+id, err)
	}
}
