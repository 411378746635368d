package provider

import (
	"context"
	"math/big"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestModelValueMatchesTfsdk holds modelFrom and modelValue to what tfsdk's Get and Set make of
// the same keyservice_api_key values: each attribute known, null and unknown in turn.
func TestModelValueMatchesTfsdk(t *testing.T) {
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	NewAPIKeyResource().Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	schema := schemaResp.Schema
	attrTypes := schema.Type().(attr.TypeWithAttributeTypes).AttributeTypes()
	var names []string
	for name := range attrTypes {
		names = append(names, name)
	}
	slices.Sort(names)

	for variant := range 3 {
		values := map[string]tftypes.Value{}
		for i, name := range names {
			values[name] = sampleValue(attrTypes[name].TerraformType(ctx), (i+variant)%3)
		}
		raw := tftypes.NewValue(schema.Type().TerraformType(ctx), values)
		state := tfsdk.State{Schema: schema, Raw: raw}

		var viaTfsdk, viaModelFrom APIKeyResourceModel
		if diags := state.Get(ctx, &viaTfsdk); diags.HasError() {
			t.Fatalf("variant %d: tfsdk Get: %v", variant, diags)
		}
		if diags := modelFrom(ctx, schema.Type(), raw, &viaModelFrom); diags.HasError() {
			t.Fatalf("variant %d: modelFrom: %v", variant, diags)
		}
		a, b := reflect.ValueOf(viaTfsdk), reflect.ValueOf(viaModelFrom)
		for f := range a.NumField() {
			if !a.Field(f).Interface().(attr.Value).Equal(b.Field(f).Interface().(attr.Value)) {
				t.Errorf("variant %d, %s: modelFrom %v, tfsdk Get %v", variant, a.Type().Field(f).Name, b.Field(f), a.Field(f))
			}
		}

		var set tfsdk.State
		set.Schema = schema
		if diags := set.Set(ctx, &viaTfsdk); diags.HasError() {
			t.Fatalf("variant %d: tfsdk Set: %v", variant, diags)
		}
		got, diags := modelValue(ctx, schema.Type(), &viaTfsdk)
		if diags.HasError() {
			t.Fatalf("variant %d: modelValue: %v", variant, diags)
		}
		if !got.Equal(set.Raw) || !got.Equal(raw) {
			t.Errorf("variant %d: modelValue = %s\ntfsdk Set = %s\nsource    = %s", variant, got, set.Raw, raw)
		}
	}
}

// sampleValue is a value of typ: known (0), null (1) or unknown (2).
func sampleValue(typ tftypes.Type, variant int) tftypes.Value {
	switch variant {
	case 1:
		return tftypes.NewValue(typ, nil)
	case 2:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, "v")
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, true)
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, big.NewFloat(7))
	case typ.Is(tftypes.Set{}):
		elem := typ.(tftypes.Set).ElementType
		return tftypes.NewValue(typ, []tftypes.Value{sampleValue(elem, 0), tftypes.NewValue(elem, "w")})
	case typ.Is(tftypes.Map{}):
		elem := typ.(tftypes.Map).ElementType
		return tftypes.NewValue(typ, map[string]tftypes.Value{"a": sampleValue(elem, 0), "b": sampleValue(elem, 1)})
	case typ.Is(tftypes.Object{}):
		obj := typ.(tftypes.Object)
		values := map[string]tftypes.Value{}
		for name, t := range obj.AttributeTypes {
			values[name] = sampleValue(t, 0)
		}
		return tftypes.NewValue(typ, values)
	}
	return tftypes.NewValue(typ, nil)
}

func TestModelFromRefusesAMismatchedModel(t *testing.T) {
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	NewAPIKeyResource().Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	schemaType := schemaResp.Schema.Type()
	values := map[string]tftypes.Value{}
	for name, at := range schemaType.(attr.TypeWithAttributeTypes).AttributeTypes() {
		values[name] = tftypes.NewValue(at.TerraformType(ctx), nil)
	}
	raw := tftypes.NewValue(schemaType.TerraformType(ctx), values)
	var wrong struct {
		ID attr.Value `tfsdk:"id"`
	}
	if diags := modelFrom(ctx, schemaType, raw, &wrong); !diags.HasError() {
		t.Error("a struct with one field of the schema's attributes was accepted")
	}
}
