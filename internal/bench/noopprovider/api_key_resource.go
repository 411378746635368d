package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

var _ resource.Resource = &apiKeyResource{}

func newAPIKeyResource() resource.Resource { return &apiKeyResource{} }

// apiKeyResource is noop_api_key: keyservice_api_key's schema and model, and CRUD that only
// moves the plan into the state, making up the values the server would compute.
type apiKeyResource struct{}

// keyCounter numbers the made-up keys, so each has its own id and secret.
var keyCounter atomic.Int64

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

// Schema is keyservice_api_key's, so that plans carry the same attributes, defaults,
// validators and plan modifiers.
func (r *apiKeyResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	provider.NewAPIKeyResource().Schema(ctx, req, resp)
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m provider.APIKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n := keyCounter.Add(1)
	m.ID = types.StringValue(fmt.Sprintf("key_noop%020d", n))
	m.Key = types.StringValue(fmt.Sprintf("ks_noop%040d", n))
	m.KeyPrefix = types.StringValue(m.Key.ValueString()[:12])
	m.CreatedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	m.PreviousKeyID, m.PreviousKeyGraceExpiresAt = types.StringNull(), types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, computed(m))...)
}

// Read keeps the state as it is: nothing changes outside Terraform.
func (r *apiKeyResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m provider.APIKeyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, computed(m))...)
}

func (r *apiKeyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// computed settles what a plan may leave unknown, as the server's answer would.
func computed(m provider.APIKeyResourceModel) *provider.APIKeyResourceModel {
	if m.ProjectID.IsUnknown() {
		m.ProjectID = types.StringValue("prj_noop")
	}
	if m.ExpiresAt.IsUnknown() {
		m.ExpiresAt = types.StringNull()
	}
	m.NextRotationAt = types.StringNull()
	m.Status = types.StringValue("active")
	return &m
}
