package provider

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Terraform 1.11.4 (and 1.13.3; not 1.8) reports a refresh-only plan as having changes
// (`plan -refresh-only -detailed-exitcode` exits 2 under "No changes") whenever a resource holds
// a number, such as keyservice_api_key's expires_in_days or rotation_interval_days. Terraform
// decides that the refresh changed something by comparing the state before and after it with
// reflect.DeepEqual (internal/states/state_equal.go, sameManagedResources), and each state object
// carries the decoded value it was encoded from (internal/states/instance_object.go,
// decodeValueCache). The state before the refresh was decoded from the state file's JSON, where
// Terraform parses every number at 512 bits of precision (cty.ParseNumberVal); the refreshed one
// from the provider's msgpack, where the framework writes a whole number as a msgpack integer and
// Terraform decodes that at 64 bits (cty.NumberIntVal). Same number, another big.Float: changed.
//
// So ReadResource answers with every number written as a msgpack string of the digits cty's JSON
// writes, which Terraform (OpenTofu too: both decode with cty's msgpack package) parses exactly as
// it parses the state file. The value is the same; only its precision in Terraform's memory
// changes. This can go once Terraform compares refreshed states by value
// (hashicorp/terraform#37406 and #36403 report the symptom); TestRefreshedNumbersDecodeAsTheStateFileDoes
// says when the framework's own encoding would do.

// refreshNumbersServer is the framework's protocol server with ReadResource's numbers encoded as
// described above.
type refreshNumbersServer struct {
	tfprotov6.ProviderServer
}

func (s refreshNumbersServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if err != nil || resp == nil || resp.NewState == nil || len(resp.NewState.MsgPack) == 0 {
		return resp, err
	}
	// On failure the framework's encoding stays: it is right too, only noisier for refresh-only plans.
	if encoded, encodeErr := numbersAsStrings(resp.NewState.MsgPack); encodeErr != nil {
		tflog.Warn(ctx, "refreshed state left as the framework encoded it", map[string]any{"type": req.TypeName, "error": encodeErr.Error()})
	} else {
		resp.NewState.MsgPack = encoded
	}
	return resp, nil
}

// numbersAsStrings rewrites a msgpack-encoded cty value with every integer and float replaced by
// a string of its decimal digits, as cty's JSON encoding writes it. In cty's msgpack encoding
// only numbers are msgpack integers or floats, so no type is needed to find them.
func numbersAsStrings(in []byte) ([]byte, error) {
	dec := msgpack.NewDecoder(bytes.NewReader(in))
	var out bytes.Buffer
	enc := msgpack.NewEncoder(&out)
	if err := transcodeNumbers(dec, enc); err != nil {
		return nil, err
	}
	if _, err := dec.PeekCode(); err == nil {
		return nil, fmt.Errorf("trailing data after the value")
	}
	return out.Bytes(), nil
}

func transcodeNumbers(dec *msgpack.Decoder, enc *msgpack.Encoder) error {
	code, err := dec.PeekCode()
	if err != nil {
		return err
	}
	switch {
	case msgpcode.IsFixedNum(code), code == msgpcode.Int8, code == msgpcode.Int16, code == msgpcode.Int32, code == msgpcode.Int64:
		n, err := dec.DecodeInt64()
		if err != nil {
			return err
		}
		return enc.EncodeString(strconv.FormatInt(n, 10))
	case code == msgpcode.Uint8, code == msgpcode.Uint16, code == msgpcode.Uint32, code == msgpcode.Uint64:
		n, err := dec.DecodeUint64()
		if err != nil {
			return err
		}
		return enc.EncodeString(strconv.FormatUint(n, 10))
	case code == msgpcode.Float, code == msgpcode.Double:
		f, err := dec.DecodeFloat64()
		if err != nil {
			return err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) { // infinities have no decimal digits; cty has no NaN
			return enc.EncodeFloat64(f)
		}
		return enc.EncodeString(big.NewFloat(f).Text('f', -1))
	case msgpcode.IsFixedArray(code), code == msgpcode.Array16, code == msgpcode.Array32:
		n, err := dec.DecodeArrayLen()
		if err != nil {
			return err
		}
		if err := enc.EncodeArrayLen(n); err != nil {
			return err
		}
		for range n {
			if err := transcodeNumbers(dec, enc); err != nil {
				return err
			}
		}
		return nil
	case msgpcode.IsFixedMap(code), code == msgpcode.Map16, code == msgpcode.Map32:
		n, err := dec.DecodeMapLen()
		if err != nil {
			return err
		}
		if err := enc.EncodeMapLen(n); err != nil {
			return err
		}
		for range n {
			// cty's map and object keys are strings: anything else is not a state.
			if code, err := dec.PeekCode(); err != nil || !msgpcode.IsString(code) {
				return fmt.Errorf("a map key is not a string")
			}
			if err := transcodeNumbers(dec, enc); err != nil {
				return err
			}
			if err := transcodeNumbers(dec, enc); err != nil {
				return err
			}
		}
		return nil
	case msgpcode.IsExt(code), msgpcode.IsFixedExt(code):
		return copyUnknown(dec, enc)
	default: // nil, bool, string, binary: as they are
		raw, err := dec.DecodeRaw()
		if err != nil {
			return err
		}
		return enc.Encode(raw)
	}
}

// Extension types cty encodes an unknown value with (cty/msgpack/unknown.go). A refreshed state
// holds no unknown value, but the encoding leaves them as they are.
const (
	extUnknown            = 0
	extUnknownWithRefined = 0x0c
)

func copyUnknown(dec *msgpack.Decoder, enc *msgpack.Encoder) error {
	id, n, err := dec.DecodeExtHeader()
	if err != nil {
		return err
	}
	if id != extUnknown && id != extUnknownWithRefined {
		return fmt.Errorf("msgpack extension %d is no cty value", id)
	}
	if err := enc.EncodeExtHeader(id, n); err != nil {
		return err
	}
	// In pieces: n comes from the input, which may not hold that much.
	buf := make([]byte, min(n, 512))
	for n > 0 {
		piece := buf[:min(n, len(buf))]
		if err := dec.ReadFull(piece); err != nil {
			return err
		}
		if _, err := enc.Writer().Write(piece); err != nil {
			return err
		}
		n -= len(piece)
	}
	return nil
}
