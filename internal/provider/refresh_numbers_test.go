package provider

import (
	"bytes"
	"context"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// refreshedState is a state as the framework encodes it for ReadResource: numbers whole and
// fractional, at the top and nested, a null one, and the other kinds of value around them.
func refreshedState(t testing.TB) (tftypes.Type, cty.Type, []byte) {
	t.Helper()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"days":    tftypes.Number,
		"ratio":   tftypes.Number,
		"big":     tftypes.Number,
		"unset":   tftypes.Number,
		"name":    tftypes.String,
		"active":  tftypes.Bool,
		"list":    tftypes.List{ElementType: tftypes.Number},
		"by_name": tftypes.Map{ElementType: tftypes.Number},
	}}
	huge, _, _ := big.ParseFloat("123456789012345678901234567890", 10, 512, big.ToNearestEven)
	value := tftypes.NewValue(typ, map[string]tftypes.Value{
		"days":    tftypes.NewValue(tftypes.Number, big.NewFloat(30)),
		"ratio":   tftypes.NewValue(tftypes.Number, big.NewFloat(1.5)),
		"big":     tftypes.NewValue(tftypes.Number, huge),
		"unset":   tftypes.NewValue(tftypes.Number, nil),
		"name":    tftypes.NewValue(tftypes.String, "7"),
		"active":  tftypes.NewValue(tftypes.Bool, true),
		"list":    tftypes.NewValue(tftypes.List{ElementType: tftypes.Number}, []tftypes.Value{tftypes.NewValue(tftypes.Number, big.NewFloat(-3))}),
		"by_name": tftypes.NewValue(tftypes.Map{ElementType: tftypes.Number}, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.Number, big.NewFloat(1e6))}),
	})
	dv, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		t.Fatal(err)
	}
	ctyType := cty.Object(map[string]cty.Type{
		"days": cty.Number, "ratio": cty.Number, "big": cty.Number, "unset": cty.Number, "name": cty.String,
		"active": cty.Bool, "list": cty.List(cty.Number), "by_name": cty.Map(cty.Number),
	})
	return typ, ctyType, dv.MsgPack
}

// TestRefreshedNumbersDecodeAsTheStateFileDoes holds the encoding to what Terraform compares: the
// refreshed value it decodes from the provider's msgpack must be reflect.DeepEqual to the value
// it decodes from the state file's JSON, as Terraform 1.10+ compares them (and as the framework's
// own encoding is not). The value itself must not change.
func TestRefreshedNumbersDecodeAsTheStateFileDoes(t *testing.T) {
	typ, ctyType, framework := refreshedState(t)
	encoded, err := numbersAsStrings(framework)
	if err != nil {
		t.Fatal(err)
	}

	fromFramework, err := ctymsgpack.Unmarshal(framework, ctyType)
	if err != nil {
		t.Fatal(err)
	}
	stateJSON, err := ctyjson.Marshal(fromFramework, ctyType)
	if err != nil {
		t.Fatal(err)
	}
	fromStateFile, err := ctyjson.Unmarshal(stateJSON, ctyType)
	if err != nil {
		t.Fatal(err)
	}
	refreshed, err := ctymsgpack.Unmarshal(encoded, ctyType)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(refreshed, fromStateFile) {
		t.Errorf("Terraform would see the refresh change the state:\nrefreshed  %#v\nstate file %#v", refreshed, fromStateFile)
	}
	if reflect.DeepEqual(fromFramework, fromStateFile) {
		t.Error("the framework's own encoding now decodes as the state file does: refreshNumbersServer may no longer be needed")
	}

	want, err := (&tfprotov6.DynamicValue{MsgPack: framework}).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&tfprotov6.DynamicValue{MsgPack: encoded}).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("the value changed:\ngot  %s\nwant %s", got, want)
	}
}

func TestRefreshNumbersServerReencodesReadResource(t *testing.T) {
	_, ctyType, framework := refreshedState(t)
	s := refreshNumbersServer{readResourceStub{resp: &tfprotov6.ReadResourceResponse{
		NewState: &tfprotov6.DynamicValue{MsgPack: framework},
		Private:  []byte(`{"etag":"x"}`),
	}}}
	resp, err := s.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := ctymsgpack.Unmarshal(resp.NewState.MsgPack, ctyType)
	if err != nil {
		t.Fatal(err)
	}
	if days := v.GetAttr("days"); !reflect.DeepEqual(days, cty.MustParseNumberVal("30")) {
		t.Errorf("days decodes as %#v, want the state file's %#v", days, cty.MustParseNumberVal("30"))
	}
	if string(resp.Private) != `{"etag":"x"}` || len(resp.Diagnostics) != 0 {
		t.Errorf("private %q, diagnostics %v: want them as the framework answered", resp.Private, resp.Diagnostics)
	}

	removed := refreshNumbersServer{readResourceStub{resp: &tfprotov6.ReadResourceResponse{}}}
	if resp, err := removed.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{}); err != nil || resp.NewState != nil {
		t.Errorf("a removed resource: %v, %v", resp.NewState, err)
	}
}

// readResourceStub answers ReadResource; any other call panics (nil embedded server).
type readResourceStub struct {
	tfprotov6.ProviderServer
	resp *tfprotov6.ReadResourceResponse
}

func (s readResourceStub) ReadResource(context.Context, *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return s.resp, nil
}

// FuzzNumbersAsStrings: for any input, numbersAsStrings either refuses it or writes the same
// msgpack structure with every number replaced by a string naming the same number.
func FuzzNumbersAsStrings(f *testing.F) {
	_, _, framework := refreshedState(f)
	f.Add(framework)
	f.Add([]byte{0xd4, 0, 0}) // cty's unknown value
	for _, v := range []any{nil, true, int64(-1), uint64(1 << 63), 2.5, "s", []byte{1}, []any{1, "a"}, map[string]any{"k": []any{3}}} {
		b, err := msgpack.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := numbersAsStrings(in)
		if err != nil {
			return
		}
		var before, after any
		if err := msgpack.NewDecoder(bytes.NewReader(in)).Decode(&before); err != nil {
			t.Fatalf("accepted %x, which msgpack cannot decode: %v", in, err)
		}
		if err := msgpack.NewDecoder(bytes.NewReader(out)).Decode(&after); err != nil {
			t.Fatalf("wrote %x, which msgpack cannot decode: %v", out, err)
		}
		sameButNumbers(t, before, after)
	})
}

// ctyExt stands for the extension values cty encodes unknown values with, so that msgpack's
// generic decoding reads them.
type ctyExt []byte

func (e *ctyExt) MarshalMsgpack() ([]byte, error) { return *e, nil }
func (e *ctyExt) UnmarshalMsgpack(b []byte) error { *e = append(ctyExt(nil), b...); return nil }

func init() {
	msgpack.RegisterExt(extUnknown, (*ctyExt)(nil))
	msgpack.RegisterExt(extUnknownWithRefined, (*ctyExt)(nil))
}

// sameButNumbers fails unless after is before with each number a string of the same number.
func sameButNumbers(t *testing.T, before, after any) {
	t.Helper()
	if f, ok := before.(float32); ok {
		before = float64(f) // written back as a float64
	}
	if f, ok := before.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		if g, ok := after.(float64); !ok || math.Float64bits(g) != math.Float64bits(f) {
			t.Fatalf("%v became %#v, want it as it was", f, after)
		}
		return
	}
	// A number must be written as Terraform writes it in the state file: cty's JSON of the value
	// Terraform decodes from the msgpack number.
	var asTerraformDecodes cty.Value
	switch n := before.(type) {
	case int8, int16, int32, int64:
		asTerraformDecodes = cty.NumberIntVal(reflect.ValueOf(n).Int())
	case uint8, uint16, uint32, uint64:
		asTerraformDecodes = cty.NumberUIntVal(reflect.ValueOf(n).Uint())
	case float64:
		asTerraformDecodes = cty.NumberFloatVal(n)
	}
	if asTerraformDecodes != cty.NilVal {
		want, err := ctyjson.Marshal(asTerraformDecodes, cty.Number)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := after.(string); !ok || s != string(want) {
			t.Fatalf("number %v became %#v, want the string %q", before, after, want)
		}
		return
	}
	switch b := before.(type) {
	case []any:
		a, ok := after.([]any)
		if !ok || len(a) != len(b) {
			t.Fatalf("array %#v became %#v", before, after)
		}
		for i := range b {
			sameButNumbers(t, b[i], a[i])
		}
	case map[string]any:
		a, ok := after.(map[string]any)
		if !ok || len(a) != len(b) {
			t.Fatalf("map %#v became %#v", before, after)
		}
		for k := range b {
			sameButNumbers(t, b[k], a[k])
		}
	default:
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("%#v became %#v", before, after)
		}
	}
}
