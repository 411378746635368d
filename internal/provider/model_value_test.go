package provider

import (
	"context"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	fwresourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestModelValueMatchesTfsdk holds modelFrom and modelValue to what tfsdk's Get and Set make of
// the same keyservice_api_key values: each attribute known, null and unknown in turn.
func TestModelValueMatchesTfsdk(t *testing.T) {
	for variant := range 3 {
		checkModelConversion(t, apiKeyStateValue(t, func(i int) int { return (i + variant) % 3 }, "v", 7, true))
	}
}

// FuzzModelValueMatchesTfsdk: for any mix of known, null and unknown attributes and any string,
// number and bool in them, modelFrom and modelValue agree with tfsdk's Get and Set.
func FuzzModelValueMatchesTfsdk(f *testing.F) {
	f.Add([]byte{0, 1, 2}, "v", int64(7), true)
	f.Add([]byte{0}, "", int64(-1), false)
	f.Add([]byte{1, 0}, "ks_\xff\u00e9", int64(1)<<62, true)
	f.Fuzz(func(t *testing.T, variants []byte, s string, n int64, b bool) {
		if len(variants) == 0 {
			variants = []byte{0}
		}
		checkModelConversion(t, apiKeyStateValue(t, func(i int) int { return int(variants[i%len(variants)]) % 3 }, s, n, b))
	})
}

// BenchmarkAPIKeyModelConversion measures what ModifyPlan and Read do with a keyservice_api_key
// state on every plan, per key: decode it into the model and encode it back, through tfsdk's
// Get and Set, and through modelFrom and modelValue.
func BenchmarkAPIKeyModelConversion(b *testing.B) {
	ctx := context.Background()
	raw := apiKeyStateValue(b, func(int) int { return 0 }, "a plain value", 30, true)
	schema := apiKeyResourceSchema()
	b.Run("tfsdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m APIKeyResourceModel
			state := tfsdk.State{Schema: schema, Raw: raw}
			if diags := state.Get(ctx, &m); diags.HasError() {
				b.Fatal(diags)
			}
			if diags := state.Set(ctx, &m); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("modelValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m APIKeyResourceModel
			if diags := modelFrom(ctx, schema.Type(), raw, &m); diags.HasError() {
				b.Fatal(diags)
			}
			state := tfsdk.State{Schema: schema}
			if diags := setModel(ctx, schema.Type(), &m, state.Set); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
}

func apiKeyResourceSchema() fwresourceschema.Schema {
	var resp resource.SchemaResponse
	NewAPIKeyResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema
}

// apiKeyStateValue is a keyservice_api_key state whose attribute i (in name order) is known,
// null or unknown as variant(i) says (0, 1, 2), with s, n and b as its strings, numbers and bools.
func apiKeyStateValue(t testing.TB, variant func(i int) int, s string, n int64, b bool) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	schema := apiKeyResourceSchema()
	attrTypes := schema.Type().(attr.TypeWithAttributeTypes).AttributeTypes()
	names := slices.Sorted(maps.Keys(attrTypes))
	values := map[string]tftypes.Value{}
	for i, name := range names {
		values[name] = sampleValue(attrTypes[name].TerraformType(ctx), variant(i), s, n, b)
	}
	return tftypes.NewValue(schema.Type().TerraformType(ctx), values)
}

// checkModelConversion fails unless modelFrom and modelValue give what tfsdk's Get and Set give.
func checkModelConversion(t *testing.T, raw tftypes.Value) {
	t.Helper()
	ctx := context.Background()
	schema := apiKeyResourceSchema()
	state := tfsdk.State{Schema: schema, Raw: raw}

	var viaTfsdk, viaModelFrom APIKeyResourceModel
	if diags := state.Get(ctx, &viaTfsdk); diags.HasError() {
		t.Fatalf("tfsdk Get: %v", diags)
	}
	if diags := modelFrom(ctx, schema.Type(), raw, &viaModelFrom); diags.HasError() {
		t.Fatalf("modelFrom: %v", diags)
	}
	a, b := reflect.ValueOf(viaTfsdk), reflect.ValueOf(viaModelFrom)
	for f := range a.NumField() {
		if !a.Field(f).Interface().(attr.Value).Equal(b.Field(f).Interface().(attr.Value)) {
			t.Errorf("%s: modelFrom %v, tfsdk Get %v", a.Type().Field(f).Name, b.Field(f), a.Field(f))
		}
	}

	var set tfsdk.State
	set.Schema = schema
	if diags := set.Set(ctx, &viaTfsdk); diags.HasError() {
		t.Fatalf("tfsdk Set: %v", diags)
	}
	got, diags := modelValue(ctx, schema.Type(), &viaTfsdk)
	if diags.HasError() {
		t.Fatalf("modelValue: %v", diags)
	}
	if !got.Equal(set.Raw) || !got.Equal(raw) {
		t.Errorf("modelValue = %s\ntfsdk Set = %s\nsource    = %s", got, set.Raw, raw)
	}
}

// sampleValue is a value of typ: known (0), null (1) or unknown (2), made of s, n and b.
func sampleValue(typ tftypes.Type, variant int, s string, n int64, b bool) tftypes.Value {
	switch variant {
	case 1:
		return tftypes.NewValue(typ, nil)
	case 2:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, s)
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, b)
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, new(big.Float).SetInt64(n))
	case typ.Is(tftypes.Set{}):
		elem := typ.(tftypes.Set).ElementType
		return tftypes.NewValue(typ, []tftypes.Value{sampleValue(elem, 0, s, n, b), tftypes.NewValue(elem, s+"w")})
	case typ.Is(tftypes.Map{}):
		elem := typ.(tftypes.Map).ElementType
		return tftypes.NewValue(typ, map[string]tftypes.Value{"a": sampleValue(elem, 0, s, n, b), "b": sampleValue(elem, 1, s, n, b)})
	case typ.Is(tftypes.Object{}):
		obj := typ.(tftypes.Object)
		values := map[string]tftypes.Value{}
		for name, t := range obj.AttributeTypes {
			values[name] = sampleValue(t, 0, s, n, b)
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
