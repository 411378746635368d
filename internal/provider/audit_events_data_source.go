package provider

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

var (
	_ datasource.DataSource              = &AuditEventsDataSource{}
	_ datasource.DataSourceWithConfigure = &AuditEventsDataSource{}
)

// defaultAuditEventsLimit and maxAuditEventsLimit bound how many events one read holds: the
// trail of a busy project is long, and every event lands in the state.
const (
	defaultAuditEventsLimit = 100
	maxAuditEventsLimit     = 10000
)

func NewAuditEventsDataSource() datasource.DataSource { return &AuditEventsDataSource{} }

// AuditEventsDataSource reads a project's audit trail with the API's filters, newest first,
// through as many pages as its limit needs: what changed, who changed it, from where.
type AuditEventsDataSource struct {
	data *providerData
}

// AuditEventsDataSourceModel is what keyservice_audit_events holds.
type AuditEventsDataSourceModel struct {
	ProjectID  types.String      `tfsdk:"project_id"`
	Actor      types.String      `tfsdk:"actor"`
	Action     types.String      `tfsdk:"action"`
	TargetID   types.String      `tfsdk:"target_id"`
	TargetType types.String      `tfsdk:"target_type"`
	Since      types.String      `tfsdk:"since"`
	Until      types.String      `tfsdk:"until"`
	Limit      types.Int64       `tfsdk:"limit"`
	Truncated  types.Bool        `tfsdk:"truncated"`
	Events     []AuditEventModel `tfsdk:"events"`
}

// AuditEventModel is one event of keyservice_audit_events.
type AuditEventModel struct {
	ID            types.String `tfsdk:"id"`
	OccurredAt    types.String `tfsdk:"occurred_at"`
	ProjectID     types.String `tfsdk:"project_id"`
	ActorType     types.String `tfsdk:"actor_type"`
	ActorID       types.String `tfsdk:"actor_id"`
	ActorName     types.String `tfsdk:"actor_name"`
	Action        types.String `tfsdk:"action"`
	TargetType    types.String `tfsdk:"target_type"`
	TargetID      types.String `tfsdk:"target_id"`
	TargetName    types.String `tfsdk:"target_name"`
	Changes       types.Map    `tfsdk:"changes"`
	RequestID     types.String `tfsdk:"request_id"`
	ClientAddress types.String `tfsdk:"client_address"`
	Outcome       types.String `tfsdk:"outcome"`
	Status        types.Int64  `tfsdk:"status"`
}

// fieldChangeType is the object of one changed field.
var fieldChangeType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"old":     types.StringType,
	"new":     types.StringType,
	"added":   types.ListType{ElemType: types.StringType},
	"removed": types.ListType{ElemType: types.StringType},
}}

func (d *AuditEventsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_events"
}

func (d *AuditEventsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	filter := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Optional: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a project's audit trail: who changed what, when and from where, newest first. Every change the key service " +
			"makes writes an event (keys created, updated, disabled, rotated, revoked, expired; service accounts, environments and the " +
			"project changed), and so does every refused management request. No event holds a secret. Reading needs the admin token or a " +
			"management key of the project.",
		Attributes: map[string]schema.Attribute{
			"project_id": filter("Project whose trail to read. Defaults to the provider's `project_id`."),
			"actor": schema.StringAttribute{
				MarkdownDescription: "Only events by this actor: `admin`, `system` (the server's background jobs), `leak_report`, `anonymous` (refused requests without a usable credential), or an API key id.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"action":    filter("Only events of this action, such as `api_key.revoke` or `auth.refused`."),
			"target_id": filter("Only events about this object (a key, service account, environment or project id)."),
			"target_type": schema.StringAttribute{
				MarkdownDescription: "Only events about objects of this type: `project`, `service_account`, `environment`, `api_key` or `request`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("project", "service_account", "environment", "api_key", "request")},
			},
			"since": schema.StringAttribute{
				MarkdownDescription: "Only events at or after this time (RFC 3339).",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator{}},
			},
			"until": schema.StringAttribute{
				MarkdownDescription: "Only events before this time (RFC 3339).",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator{}},
			},
			"limit": schema.Int64Attribute{
				MarkdownDescription: "The most events to read, newest first, across as many pages as that takes. Defaults to 100; at most 10000.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxAuditEventsLimit)},
			},
			"truncated": schema.BoolAttribute{
				MarkdownDescription: "Whether the trail holds more matching events than `limit` let through.",
				Computed:            true,
			},
			"events": schema.ListNestedAttribute{
				MarkdownDescription: "The events, newest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          computed("Event ID."),
					"occurred_at": computed("When it happened (RFC 3339)."),
					"project_id":  computed("Project of the event."),
					"actor_type":  computed("`admin`, `api_key`, `system`, `leak_report` or `anonymous`."),
					"actor_id":    computed("The acting key's id, or the background job's name; null for the admin."),
					"actor_name":  computed("The acting key's name when it acted."),
					"action":      computed("What was done: `project.create`, `api_key.update`, `api_key.revoke`, `auth.refused`, …"),
					"target_type": computed("`project`, `service_account`, `environment`, `api_key` or `request`."),
					"target_id":   computed("The object acted on; null for a refused request."),
					"target_name": computed("The object's name when it was changed; for a refused request, its route."),
					"changes": schema.MapNestedAttribute{
						MarkdownDescription: "The fields that changed, by name: `old` and `new` values as text (null where unset), or, for `scopes`, what was `added` and `removed`.",
						Computed:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"old":     computed("The value before, as text; null if unset or for a set."),
							"new":     computed("The value after, as text; null if unset or for a set."),
							"added":   schema.ListAttribute{MarkdownDescription: "What a set gained.", ElementType: types.StringType, Computed: true},
							"removed": schema.ListAttribute{MarkdownDescription: "What a set lost.", ElementType: types.StringType, Computed: true},
						}},
					},
					"request_id":     computed("The request's `X-Request-Id`; null for a background job."),
					"client_address": computed("The address the request came from; null for a background job."),
					"outcome":        computed("`success`, or `refused` for a refused request."),
					"status": schema.Int64Attribute{
						MarkdownDescription: "The status a refused request was answered with (401, 403, 429); null for a success.",
						Computed:            true,
					},
				}},
			},
		},
	}
}

func (d *AuditEventsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *AuditEventsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config AuditEventsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	projectID := d.data.projectIDFor(config.ProjectID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := client.ListAuditEventsOptions{
		ProjectID: projectID, Actor: config.Actor.ValueString(), Action: config.Action.ValueString(),
		TargetID: config.TargetID.ValueString(), TargetType: config.TargetType.ValueString(),
	}
	for _, t := range []struct {
		attr string
		v    types.String
		dst  **time.Time
	}{{"since", config.Since, &opts.Since}, {"until", config.Until, &opts.Until}} {
		if t.v.IsNull() {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(t.attr), "Invalid Time", err.Error())
			return
		}
		*t.dst = &v
	}
	limit := int64(defaultAuditEventsLimit)
	if !config.Limit.IsNull() {
		limit = config.Limit.ValueInt64()
	}
	events, more, err := d.data.client.ListAuditEventsUpTo(ctx, opts, int(limit))
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Audit Events", "read the audit events of project "+projectID, err)
		return
	}
	config.ProjectID = types.StringValue(projectID)
	config.Truncated = types.BoolValue(more)
	config.Events = make([]AuditEventModel, 0, len(events))
	for _, e := range events {
		m, diags := auditEventModelFrom(e)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		config.Events = append(config.Events, m)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

func auditEventModelFrom(e client.AuditEvent) (AuditEventModel, diag.Diagnostics) {
	changes := make(map[string]attr.Value, len(e.Changes))
	var diags diag.Diagnostics
	for field, c := range e.Changes {
		obj := map[string]attr.Value{
			"old": changeText(c.Old), "new": changeText(c.New),
			"added": types.ListNull(types.StringType), "removed": types.ListNull(types.StringType),
		}
		if c.IsSet {
			added, d := types.ListValueFrom(context.Background(), types.StringType, nonNilStrings(c.Added))
			diags.Append(d...)
			removed, d := types.ListValueFrom(context.Background(), types.StringType, nonNilStrings(c.Removed))
			diags.Append(d...)
			obj["added"], obj["removed"] = added, removed
		}
		v, d := types.ObjectValue(fieldChangeType.AttrTypes, obj)
		diags.Append(d...)
		changes[field] = v
	}
	changesValue, d := types.MapValue(fieldChangeType, changes)
	diags.Append(d...)
	m := AuditEventModel{
		ID:            types.StringValue(e.ID),
		OccurredAt:    types.StringValue(e.OccurredAt.UTC().Format(time.RFC3339Nano)),
		ProjectID:     types.StringPointerValue(e.ProjectID),
		ActorType:     types.StringValue(e.Actor.Type),
		ActorID:       types.StringPointerValue(e.Actor.ID),
		ActorName:     types.StringPointerValue(e.Actor.Name),
		Action:        types.StringValue(e.Action),
		TargetType:    types.StringValue(e.Target.Type),
		TargetID:      types.StringPointerValue(e.Target.ID),
		TargetName:    types.StringPointerValue(e.Target.Name),
		Changes:       changesValue,
		RequestID:     types.StringPointerValue(e.RequestID),
		ClientAddress: types.StringPointerValue(e.ClientAddress),
		Outcome:       types.StringValue(e.Outcome),
		Status:        types.Int64Null(),
	}
	if e.Status != nil {
		m.Status = types.Int64Value(int64(*e.Status))
	}
	return m, diags
}

// changeText is a changed value as text: a string as it is, anything else as its JSON (true,
// 90), and null as null.
func changeText(raw json.RawMessage) types.String {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return types.StringNull()
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return types.StringValue(str)
	}
	return types.StringValue(s)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
