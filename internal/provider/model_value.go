package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// tfsdk's Get and Set convert a model through reflection that compiles a regular expression for
// every field on every call (terraform-plugin-framework v1.19, internal/reflect/helpers.go
// isValidFieldName; the framework's issue hashicorp/terraform-plugin-framework#725, open since
// v1.2, proposes the precompiled check internal/fwschema already has). ModifyPlan and Read run
// for every key on every plan, so they convert with modelFrom and modelValue instead: the same
// ValueFromTerraform and ToTerraformValue calls the framework makes for each attribute, with each
// model type's tfsdk tags read once. BenchmarkAPIKeyModelConversion: a keyservice_api_key state
// decoded and encoded again takes 0.31 ms and 3,151 allocations through tfsdk, 0.05 ms and 507
// here; a plan of 500 keys converts about three times per key (0.4 s of provider CPU).
// TestModelValueMatchesTfsdk and FuzzModelValueMatchesTfsdk hold both to the same results.
//
// When it can go: once a framework release fixes #725, run the benchmark again; when tfsdk comes
// within a few microseconds of modelValue, call req.State.Get and resp.State.Set again and delete
// this file.
//
// A model here is a struct of attr.Value fields (types.String, types.Set, …), one per attribute
// of the schema, as tfsdk requires too.

// modelFields maps a model type's tfsdk tags to field indexes; reflect.Type → map[string]int.
var modelFields sync.Map

func fieldsOf(t reflect.Type) map[string]int {
	if cached, ok := modelFields.Load(t); ok {
		if m, ok := cached.(map[string]int); ok {
			return m
		}
	}
	m := map[string]int{}
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("tfsdk"); tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	modelFields.Store(t, m)
	return m
}

// modelFrom decodes raw, a known, non-null object of schemaType, into the struct target points
// to.
func modelFrom(ctx context.Context, schemaType attr.Type, raw tftypes.Value, target any) diag.Diagnostics {
	var diags diag.Diagnostics
	objType, ok := schemaType.(attr.TypeWithAttributeTypes)
	if !ok {
		diags.AddError("Model Conversion Error", fmt.Sprintf("the schema type %T is not an object", schemaType))
		return diags
	}
	v := reflect.ValueOf(target).Elem()
	fields := fieldsOf(v.Type())
	attrTypes := objType.AttributeTypes()
	if len(fields) != len(attrTypes) {
		diags.AddError("Model Conversion Error", fmt.Sprintf("%s has %d attributes, the schema %d", v.Type(), len(fields), len(attrTypes)))
		return diags
	}
	var values map[string]tftypes.Value
	if !raw.IsKnown() || raw.IsNull() {
		diags.AddError("Model Conversion Error", fmt.Sprintf("%s: the value is null or unknown", v.Type()))
		return diags
	}
	if err := raw.As(&values); err != nil {
		diags.AddError("Model Conversion Error", fmt.Sprintf("%s: %s", v.Type(), err))
		return diags
	}
	for name, t := range attrTypes {
		i, ok := fields[name]
		if !ok {
			diags.AddError("Model Conversion Error", fmt.Sprintf("%s has no field for attribute %q", v.Type(), name))
			return diags
		}
		val, err := t.ValueFromTerraform(ctx, values[name])
		if err != nil {
			diags.AddError("Model Conversion Error", fmt.Sprintf("attribute %q: %s", name, err))
			return diags
		}
		rv := reflect.ValueOf(val)
		if !rv.Type().AssignableTo(v.Field(i).Type()) {
			diags.AddError("Model Conversion Error", fmt.Sprintf("attribute %q is a %s, the field of %s a %s", name, rv.Type(), v.Type(), v.Field(i).Type()))
			return diags
		}
		v.Field(i).Set(rv)
	}
	return diags
}

// modelValue encodes model, a struct or a pointer to one, as an object of schemaType, for
// tfsdk's Set.
func modelValue(ctx context.Context, schemaType attr.Type, model any) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType, ok := schemaType.(attr.TypeWithAttributeTypes)
	if !ok {
		diags.AddError("Model Conversion Error", fmt.Sprintf("the schema type %T is not an object", schemaType))
		return tftypes.Value{}, diags
	}
	v := reflect.Indirect(reflect.ValueOf(model))
	fields := fieldsOf(v.Type())
	attrTypes := objType.AttributeTypes()
	values := make(map[string]tftypes.Value, len(attrTypes))
	for name := range attrTypes {
		i, ok := fields[name]
		if !ok {
			diags.AddError("Model Conversion Error", fmt.Sprintf("%s has no field for attribute %q", v.Type(), name))
			return tftypes.Value{}, diags
		}
		av, ok := v.Field(i).Interface().(attr.Value)
		if !ok {
			diags.AddError("Model Conversion Error", fmt.Sprintf("field %s of %s is no attr.Value", v.Type().Field(i).Name, v.Type()))
			return tftypes.Value{}, diags
		}
		val, err := av.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Model Conversion Error", fmt.Sprintf("attribute %q: %s", name, err))
			return tftypes.Value{}, diags
		}
		values[name] = val
	}
	return tftypes.NewValue(schemaType.TerraformType(ctx), values), diags
}

// setModel is tfsdk's Set (set: a plan's or state's Set method) through modelValue.
func setModel(ctx context.Context, schemaType attr.Type, model any, set func(context.Context, any) diag.Diagnostics) diag.Diagnostics {
	raw, diags := modelValue(ctx, schemaType, model)
	if diags.HasError() {
		return diags
	}
	return append(diags, set(ctx, raw)...)
}
