package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.Resource = &minimalKeyResource{}

func newMinimalKeyResource() resource.Resource { return &minimalKeyResource{} }

// minimalKeyResource is noop_minimal_key: the least an API key resource can be (id,
// project_id, name, description, scopes, active, key, key_prefix), with no validators and
// the plan modifiers any provider needs (the id and secret kept, the project forcing a new key),
// and no I/O. keyservice_api_key against it says what the rest of keyservice_api_key's schema
// costs: its other attributes, validators and plan modifiers.
type minimalKeyResource struct{}

type minimalKeyModel struct {
	ID          types.String `tfsdk:"id"`
	ProjectID   types.String `tfsdk:"project_id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	Scopes      types.List   `tfsdk:"scopes"`
	Active      types.Bool   `tfsdk:"active"`
	Key         types.String `tfsdk:"key"`
	KeyPrefix   types.String `tfsdk:"key_prefix"`
}

func (r *minimalKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_minimal_key"
}

func (r *minimalKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":          schema.StringAttribute{Computed: true, PlanModifiers: keep},
		"project_id":  schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"name":        schema.StringAttribute{Required: true},
		"description": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("")},
		"scopes": schema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true,
			Default: listdefault.StaticValue(types.ListValueMust(types.StringType, nil))},
		"active":     schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true)},
		"key":        schema.StringAttribute{Computed: true, Sensitive: true, PlanModifiers: keep},
		"key_prefix": schema.StringAttribute{Computed: true, PlanModifiers: keep},
	}}
}

func (r *minimalKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m minimalKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n := keyCounter.Add(1)
	m.ID = types.StringValue(fmt.Sprintf("key_min%020d", n))
	m.Key = types.StringValue(fmt.Sprintf("ks_min%040d", n))
	m.KeyPrefix = types.StringValue(m.Key.ValueString()[:12])
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *minimalKeyResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *minimalKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m minimalKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *minimalKeyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
