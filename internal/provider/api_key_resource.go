package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// Values of deletion_policy.
const (
	deletionPolicyRevoke  = "REVOKE"
	deletionPolicyDisable = "DISABLE"
	deletionPolicyAbandon = "ABANDON"
)

var (
	_ resource.Resource                = &APIKeyResource{}
	_ resource.ResourceWithConfigure   = &APIKeyResource{}
	_ resource.ResourceWithModifyPlan  = &APIKeyResource{}
	_ resource.ResourceWithImportState = &APIKeyResource{}
)

// scopePattern is the server's rule for one scope.
var scopePattern = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)

// maxRotationHops bounds how far Read follows replaced_by_key_id to a live key.
const maxRotationHops = 100

func NewAPIKeyResource() resource.Resource { return &APIKeyResource{} }

// APIKeyResource manages one API key: create, in-place update, in-place rotation, revoke.
type APIKeyResource struct {
	data *providerData
}

// APIKeyResourceModel is the state of keyservice_api_key.
type APIKeyResourceModel struct {
	ID                        types.String `tfsdk:"id"`
	ProjectID                 types.String `tfsdk:"project_id"`
	Name                      types.String `tfsdk:"name"`
	Description               types.String `tfsdk:"description"`
	Scopes                    types.Set    `tfsdk:"scopes"`
	Active                    types.Bool   `tfsdk:"active"`
	ExpiresAt                 types.String `tfsdk:"expires_at"`
	ExpiresInDays             types.Int64  `tfsdk:"expires_in_days"`
	ServiceAccountID          types.String `tfsdk:"service_account_id"`
	EnvironmentID             types.String `tfsdk:"environment_id"`
	RotationIntervalDays      types.Int64  `tfsdk:"rotation_interval_days"`
	RotationWebhookURL        types.String `tfsdk:"rotation_webhook_url"`
	NextRotationAt            types.String `tfsdk:"next_rotation_at"`
	DeletionPolicy            types.String `tfsdk:"deletion_policy"`
	RotateTriggers            types.Map    `tfsdk:"rotate_triggers"`
	RotationDays              types.Int64  `tfsdk:"rotation_days"`
	RotationGracePeriod       types.String `tfsdk:"rotation_grace_period"`
	Key                       types.String `tfsdk:"key"`
	KeyPrefix                 types.String `tfsdk:"key_prefix"`
	Status                    types.String `tfsdk:"status"`
	CreatedAt                 types.String `tfsdk:"created_at"`
	PreviousKeyID             types.String `tfsdk:"previous_key_id"`
	PreviousKeyGraceExpiresAt types.String `tfsdk:"previous_key_grace_expires_at"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *APIKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
	resp.ResourceBehavior.MutableIdentity = true // rotation changes the id, a rename the name
}

func (r *APIKeyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An API key of a project. The secret `key` is known only after create or rotation. " +
			"Name, description, scopes, `active` and `expires_at` change in place; a change of `rotate_triggers`, or `rotation_days` " +
			"passing since the last rotation, rotates the key in place, keeping the old key valid for `rotation_grace_period`. " +
			"Destroying the resource revokes the key (see `deletion_policy`). When a key was last used is deliberately not tracked here, " +
			"so that using a key never shows as a change, not even in a `-refresh-only` plan: read it with the `keyservice_api_key` data source.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Key ID, e.g. `key_…`. Changes when the key is rotated.",
				Computed:            true,
				PlanModifiers:       useState,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project the key belongs to. Defaults to the provider's `project_id`. Changing it creates a new key.",
				Optional:            true,
				Computed:            true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIfConfigured(),
					stringplanmodifier.UseStateForUnknown(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Key name, 1–255 characters, unique among the project's live keys.",
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
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes granted to the key, each matching `^[a-z][a-z0-9_.:-]{0,63}$`, at most 50. Defaults to none.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				Validators: []validator.Set{
					setvalidator.SizeAtMost(50),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(scopePattern,
						"must start with a lowercase letter and hold only lowercase letters, digits and _ . : - (at most 64 characters)")),
				},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether the key is usable. `false` disables it until set back to `true`. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the key stops working (RFC 3339, e.g. `2030-01-01T00:00:00Z`). Must be in the future when set or changed. " +
					"Null means never, unless `expires_in_days` is set, in which case this is computed. An expired key is planned for replacement.",
				Optional: true,
				Computed: true,
				Validators: []validator.String{
					rfc3339Validator{},
					stringvalidator.ConflictsWith(path.MatchRoot("expires_in_days")),
				},
			},
			"expires_in_days": schema.Int64Attribute{
				MarkdownDescription: "Alternative to `expires_at`: the key expires this many days after it was created (or last rotated). " +
					"Once expired, it is replaced by a new key with a fresh expiry.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 3650)},
			},
			"service_account_id": schema.StringAttribute{
				MarkdownDescription: "Service account that owns the key. Changing it creates a new key.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"environment_id": schema.StringAttribute{
				MarkdownDescription: "Environment the key is bound to (e.g. production); it shows in the key's prefix. Changing it creates a new key.",
				Optional:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"rotation_interval_days": schema.Int64Attribute{
				MarkdownDescription: "Server-side scheduled rotation: the key service itself rotates the key every this many days and POSTs the " +
					"new key to `rotation_webhook_url`. Terraform then follows the rotation (the `key` in state becomes null, with a warning). " +
					"For rotation that Terraform performs and whose secret lands in state, use `rotation_days` instead.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 3650), int64validator.AlsoRequires(path.MatchRoot("rotation_webhook_url"))},
			},
			"rotation_webhook_url": schema.StringAttribute{
				MarkdownDescription: "HTTPS (or HTTP) URL that receives each key the server rotates, signed with the project's webhook signing secret.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^https?://[^\s]+$`), "must be an http:// or https:// URL")},
			},
			"next_rotation_at": schema.StringAttribute{
				MarkdownDescription: "When the server will next rotate the key (RFC 3339), with `rotation_interval_days`.",
				Computed:            true,
				PlanModifiers:       useState, // planned unknown when the interval changes or the key rotates
			},
			"deletion_policy": schema.StringAttribute{
				MarkdownDescription: "What destroying the resource does to the key: `REVOKE` (default, the key stops working at once), " +
					"`DISABLE` (the key is kept but disabled, so it can be re-enabled) or `ABANDON` (the key is left as it is and only forgotten by Terraform).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(deletionPolicyRevoke),
				Validators: []validator.String{stringvalidator.OneOf(deletionPolicyRevoke, deletionPolicyDisable, deletionPolicyAbandon)},
			},
			"rotate_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary map of values that, when changed, rotate the key in place (like `keepers`).",
				ElementType:         types.StringType,
				Optional:            true,
			},
			"rotation_days": schema.Int64Attribute{
				MarkdownDescription: "Rotate the key in place once this many days have passed since its last rotation (or creation). The rotation shows in the first plan after that.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 3650)},
			},
			"rotation_grace_period": schema.StringAttribute{
				MarkdownDescription: "How long the previous key stays valid after a rotation, as a Go duration (`24h`, `30m`); never beyond the previous key's own expiry. Defaults to `0s`: the old key stops at once.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("0s"),
				Validators:          []validator.String{durationValidator{min: 0, max: 30 * 24 * time.Hour}},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "The secret API key. Known only after create or rotation; null after import or after a rotation done by the server.",
				Computed:            true,
				Sensitive:           true,
				PlanModifiers:       useState,
			},
			"key_prefix": schema.StringAttribute{
				MarkdownDescription: "The non-secret head of the key, safe to show, to recognise it in lists and logs: `ks_`, then for a key bound to an environment its name (`ks_production_`), then the first 9 characters of the random part. For a key without environment that is its first 12 characters.",
				Computed:            true,
				PlanModifiers:       useState,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active`, `disabled`, `expired`, `revoked` or `rotated`, as last read from the server.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When this key was created, which is also when it was last rotated (RFC 3339).",
				Computed:            true,
				PlanModifiers:       useState,
			},
			"previous_key_id": schema.StringAttribute{
				MarkdownDescription: "ID of the key this one replaced in the last rotation done by Terraform.",
				Computed:            true,
				PlanModifiers:       useState,
			},
			"previous_key_grace_expires_at": schema.StringAttribute{
				MarkdownDescription: "Until when the previous key stays valid (RFC 3339).",
				Computed:            true,
				PlanModifiers:       useState,
			},
			"timeouts": apiKeyTimeoutsAttribute(ctx),
		},
	}
}

func (r *APIKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *APIKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan APIKeyResourceModel
	resp.Diagnostics.Append(modelFrom(ctx, req.Plan.Schema.Type(), req.Plan.Raw, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withOperationTimeout(ctx, plan.Timeouts.Create, defaultAPIKeyCreateTimeout, &resp.Diagnostics)
	defer cancel()
	create := apiKeyCreateRequest(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	idempotencyKey, err := client.NewIdempotencyKey()
	if err != nil {
		resp.Diagnostics.AddError("Error Creating API Key", "Could not generate an Idempotency-Key: "+err.Error())
		return
	}
	k, err := r.data.client.CreateAPIKey(client.WithIdempotencyKey(ctx, idempotencyKey), create)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Creating API Key", fmt.Sprintf("create API key %q in project %s", create.Name, create.ProjectID), err)
		if client.MayHaveApplied(err) {
			savePendingCreate(ctx, plan, idempotencyKey, r.data.now(), resp)
		}
		return
	}
	state := apiKeyModelFrom(k, plan, r.data.now())
	state.Key = types.StringValue(k.Key)
	state.PreviousKeyID = types.StringNull()
	state.PreviousKeyGraceExpiresAt = types.StringNull()
	resp.Diagnostics.Append(setModel(ctx, resp.State.Schema.Type(), &state, resp.State.Set)...)
	rememberETag(ctx, resp.Private, k, &resp.Diagnostics)
	setAPIKeyIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
}

func (r *APIKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state APIKeyResourceModel
	resp.Diagnostics.Append(modelFrom(ctx, req.State.Schema.Type(), req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, pending := pendingCreateKey(state.ID); pending {
		// A tainted, interrupted create: the next apply settles it in Delete.
		setAPIKeyIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
		return
	}
	ctx, cancel := withOperationTimeout(ctx, state.Timeouts.Read, defaultAPIKeyReadTimeout, &resp.Diagnostics)
	defer cancel()
	k, err := r.data.client.GetAPIKey(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("API Key Deleted Outside Terraform",
			fmt.Sprintf("Key %s (%s) no longer exists; it was removed from the state and will be planned for creation.", state.ID.ValueString(), state.Name.ValueString()))
		// The framework wants an identity even for a removed resource (Terraform < 1.12 stores none).
		setAPIKeyIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading API Key", "read API key "+state.ID.ValueString(), err)
		return
	}
	if k.RevokedAt == nil && k.ReplacedByKeyID != nil {
		k = r.followRotation(ctx, k, &state, resp)
		if k == nil {
			return
		}
	}
	if k.RevokedAt != nil {
		resp.Diagnostics.AddWarning("API Key Revoked Outside Terraform",
			fmt.Sprintf("Key %s (%s) was revoked at %s; it was removed from the state and will be planned for creation.",
				k.ID, k.Name, k.RevokedAt.UTC().Format(time.RFC3339)))
		// The framework wants an identity even for a removed resource (Terraform < 1.12 stores none).
		setAPIKeyIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	next := apiKeyModelFrom(k, state, r.data.now())
	resp.Diagnostics.Append(setModel(ctx, resp.State.Schema.Type(), &next, resp.State.Set)...)
	rememberETag(ctx, resp.Private, k, &resp.Diagnostics)
	setAPIKeyIdentity(ctx, resp.Identity, next, &resp.Diagnostics)
}

// followRotation walks replaced_by_key_id from a key rotated outside this resource (by the
// server's schedule or another Terraform run) to its live successor. The secret of that key is
// not known here, so state's key becomes null, with a warning saying where it went.
func (r *APIKeyResource) followRotation(ctx context.Context, k *client.APIKey, state *APIKeyResourceModel, resp *resource.ReadResponse) *client.APIKey {
	from := k.ID
	for hops := 0; k.ReplacedByKeyID != nil && k.RevokedAt == nil; hops++ {
		if hops == maxRotationHops {
			resp.Diagnostics.AddError("Rotation Chain Too Long",
				fmt.Sprintf("Key %s was rotated more than %d times outside Terraform; import the live key instead.", from, maxRotationHops))
			return nil
		}
		next, err := r.data.client.GetAPIKey(ctx, *k.ReplacedByKeyID)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Reading API Key", "follow rotation of "+from+" to "+*k.ReplacedByKeyID, err)
			return nil
		}
		k = next
	}
	if k.RevokedAt == nil {
		msg := fmt.Sprintf("Key %s (%s) was rotated outside Terraform; the state now tracks its successor %s. "+
			"Terraform does not know the new secret, so key is null", from, k.Name, k.ID)
		if k.RotationWebhookURL != nil {
			msg += "; if the key service rotated it on its schedule, it sent the new secret to rotation_webhook_url"
		}
		resp.Diagnostics.AddWarning("API Key Rotated Outside Terraform", msg+". Change rotate_triggers to rotate again and get a secret into the state.")
		state.Key = types.StringNull()
		state.PreviousKeyID = types.StringValue(from)
	}
	return k
}

func (r *APIKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state APIKeyResourceModel
	resp.Diagnostics.Append(modelFrom(ctx, req.Plan.Schema.Type(), req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(modelFrom(ctx, req.State.Schema.Type(), req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	ctx, cancel := withOperationTimeout(ctx, plan.Timeouts.Update, defaultAPIKeyUpdateTimeout, &resp.Diagnostics)
	defer cancel()

	patch, changed := apiKeyPatch(ctx, plan, state, &resp.Diagnostics)
	patch.IfMatch = lastETag(ctx, req.Private, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var k *client.APIKey
	if changed {
		var err error
		k, err = r.data.client.UpdateAPIKey(ctx, id, patch)
		if err != nil {
			if !addConcurrentUpdateError(&resp.Diagnostics, id, err) {
				addAPIError(&resp.Diagnostics, "Error Updating API Key", "update API key "+id, err)
			}
			return
		}
	}

	next := state
	if plan.ID.IsUnknown() {
		grace, _ := time.ParseDuration(plan.RotationGracePeriod.ValueString())
		rotated, err := r.data.client.RotateAPIKey(ctx, id, client.RotateAPIKeyRequest{GracePeriodSeconds: int64(grace / time.Second)})
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Rotating API Key", "rotate API key "+id, err)
			return
		}
		k = rotated
		next.Key = types.StringValue(rotated.Key)
		next.PreviousKeyID = stringPointerValue(rotated.PreviousKeyID)
		next.PreviousKeyGraceExpiresAt = timeValue(rotated.PreviousKeyGraceExpiresAt)
		if !plan.ExpiresInDays.IsNull() {
			// The new key copied the old expiry; expires_in_days counts from the rotation.
			expires := rotated.CreatedAt.Add(time.Duration(plan.ExpiresInDays.ValueInt64()) * 24 * time.Hour).UTC().Truncate(time.Second)
			k, err = r.data.client.UpdateAPIKey(ctx, rotated.ID, client.UpdateAPIKeyRequest{ExpiresAt: &expires})
			if err != nil {
				resp.Diagnostics.Append(setModel(ctx, resp.State.Schema.Type(), apiKeyModelFrom(rotated, next, r.data.now()), resp.State.Set)...)
				addAPIError(&resp.Diagnostics, "Error Updating API Key", "set the expiry of rotated key "+rotated.ID, err)
				return
			}
		}
	}
	if k != nil {
		next = apiKeyModelFrom(k, next, r.data.now())
	}
	// Arguments the server does not hold come from the plan; so do those it just accepted, in
	// the configuration's spelling.
	next.Name, next.Description, next.Scopes, next.Active = plan.Name, plan.Description, plan.Scopes, plan.Active
	if !plan.ExpiresAt.IsUnknown() {
		next.ExpiresAt = keepTimeFormat(plan.ExpiresAt, next.ExpiresAt)
	}
	next.ExpiresInDays, next.DeletionPolicy = plan.ExpiresInDays, plan.DeletionPolicy
	next.RotateTriggers, next.RotationDays, next.RotationGracePeriod = plan.RotateTriggers, plan.RotationDays, plan.RotationGracePeriod
	next.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(setModel(ctx, resp.State.Schema.Type(), &next, resp.State.Set)...)
	rememberETag(ctx, resp.Private, k, &resp.Diagnostics)
	setAPIKeyIdentity(ctx, resp.Identity, next, &resp.Diagnostics)
}

// apiKeyPatch builds the merge patch from what differs between plan and state; changed is
// false when there is nothing to send.
func apiKeyPatch(ctx context.Context, plan, state APIKeyResourceModel, diags *diag.Diagnostics) (patch client.UpdateAPIKeyRequest, changed bool) {
	if !plan.Name.Equal(state.Name) {
		patch.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description, changed = plan.Description.ValueStringPointer(), true
	}
	if !plan.Scopes.Equal(state.Scopes) {
		scopes := scopesFrom(ctx, plan.Scopes, diags)
		patch.Scopes, changed = &scopes, true
	}
	if !plan.Active.Equal(state.Active) {
		patch.Active, changed = plan.Active.ValueBoolPointer(), true
	}
	if !plan.ExpiresAt.IsUnknown() && !sameInstant(plan.ExpiresAt, state.ExpiresAt) {
		changed = true
		if plan.ExpiresAt.IsNull() {
			patch.ClearExpiresAt = true
		} else {
			patch.ExpiresAt = parseTimePointer(plan.ExpiresAt)
		}
	}
	if !plan.RotationIntervalDays.Equal(state.RotationIntervalDays) {
		changed = true
		if plan.RotationIntervalDays.IsNull() {
			patch.ClearRotationIntervalDays = true
		} else {
			patch.RotationIntervalDays = plan.RotationIntervalDays.ValueInt64Pointer()
		}
	}
	if !plan.RotationWebhookURL.Equal(state.RotationWebhookURL) {
		changed = true
		if plan.RotationWebhookURL.IsNull() {
			patch.ClearRotationWebhookURL = true
		} else {
			patch.RotationWebhookURL = plan.RotationWebhookURL.ValueStringPointer()
		}
	}
	return patch, changed
}

func (r *APIKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state APIKeyResourceModel
	resp.Diagnostics.Append(modelFrom(ctx, req.State.Schema.Type(), req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withOperationTimeout(ctx, state.Timeouts.Delete, defaultAPIKeyDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if _, pending := pendingCreateKey(state.ID); pending {
		settled, ok := r.settlePendingCreate(ctx, state, &resp.Diagnostics)
		if !ok || settled == "" {
			return
		}
		// Its secret never reached anyone, so whatever deletion_policy says, it goes.
		state.ID, state.DeletionPolicy = types.StringValue(settled), types.StringValue(deletionPolicyRevoke)
	}
	id := state.ID.ValueString()
	switch state.DeletionPolicy.ValueString() {
	case deletionPolicyAbandon:
		resp.Diagnostics.AddWarning("API Key Abandoned",
			fmt.Sprintf("deletion_policy is ABANDON: key %s (%s) still works; Terraform only forgot it.", id, state.Name.ValueString()))
	case deletionPolicyDisable:
		active := false
		_, err := r.data.client.UpdateAPIKey(ctx, id, client.UpdateAPIKeyRequest{Active: &active})
		if err != nil && !errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrConflict) {
			addAPIError(&resp.Diagnostics, "Error Disabling API Key", "disable API key "+id, err)
		}
	default:
		err := r.data.client.RevokeAPIKey(ctx, id)
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			addAPIError(&resp.Diagnostics, "Error Revoking API Key", "revoke API key "+id, err)
		}
	}
}

// ImportState accepts a key ID, or "project_id/name" for the live key of that name, or an
// import block's identity holding either.
func (r *APIKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importID(ctx, req, resp, "API key", func(ctx context.Context, projectID, name string) (string, error) {
		k, err := r.data.client.FindAPIKeyByName(ctx, projectID, name)
		if err != nil {
			return "", err
		}
		return k.ID, nil
	})
	if id == "" {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("rotation_grace_period"), "0s")...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deletion_policy"), deletionPolicyRevoke)...)
	resp.Diagnostics.AddWarning("API Key Secret Not Recoverable",
		fmt.Sprintf("Key %s was imported without its secret: the key service keeps only a hash, so key stays null. "+
			"Change rotate_triggers to rotate the key and get a new secret into the state.", id))
}

// apiKeyModelFrom maps a server key onto the model, keeping from prior what the server does not
// hold (the secret, rotation settings) and prior's spelling of an unchanged expiry.
func apiKeyModelFrom(k *client.APIKey, prior APIKeyResourceModel, now time.Time) APIKeyResourceModel {
	m := prior
	m.ID = types.StringValue(k.ID)
	m.ProjectID = types.StringValue(k.ProjectID)
	m.Name = types.StringValue(k.Name)
	m.Description = types.StringValue(k.Description)
	m.Scopes = scopesValue(k.Scopes)
	m.Active = types.BoolValue(k.Active)
	m.ExpiresAt = keepTimeFormat(prior.ExpiresAt, timeValue(k.ExpiresAt))
	m.ServiceAccountID = stringPointerValue(k.ServiceAccountID)
	m.EnvironmentID = stringPointerValue(k.EnvironmentID)
	m.RotationIntervalDays = int64PointerValue(k.RotationIntervalDays)
	m.RotationWebhookURL = stringPointerValue(k.RotationWebhookURL)
	m.NextRotationAt = timeValue(k.NextRotationAt)
	m.KeyPrefix = types.StringValue(k.KeyPrefix)
	m.Status = types.StringValue(apiKeyStatus(k, now))
	m.CreatedAt = timeValue(&k.CreatedAt)
	if m.Key.IsUnknown() {
		m.Key = types.StringNull()
	}
	if m.PreviousKeyID.IsUnknown() {
		m.PreviousKeyID = types.StringNull()
	}
	if m.PreviousKeyGraceExpiresAt.IsUnknown() {
		m.PreviousKeyGraceExpiresAt = types.StringNull()
	}
	if m.RotationGracePeriod.IsNull() || m.RotationGracePeriod.IsUnknown() {
		m.RotationGracePeriod = types.StringValue("0s")
	}
	if m.DeletionPolicy.IsNull() || m.DeletionPolicy.IsUnknown() {
		m.DeletionPolicy = types.StringValue(deletionPolicyRevoke)
	}
	return m
}

func parseTimePointer(v types.String) *time.Time {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return nil
	}
	return &t
}

// sameInstant reports whether two RFC 3339 strings name the same time (both null counts too).
func sameInstant(a, b types.String) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	return keepTimeFormat(a, b).Equal(a)
}
