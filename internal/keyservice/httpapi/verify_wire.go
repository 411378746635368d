package httpapi

import "net/http"

// A departure from the standard library's idiom, for speed. POST /v1/verify is the hot path of
// every service that checks its callers' keys, and reading its body and writing its answer
// through encoding/json took longer than the verification itself: the upstream cause is
// encoding/json's reflection and its Decoder's buffering (DisallowUnknownFields and the trailing
// token check need the Decoder). Both have one fixed shape, read and written here directly when
// they are plain: a body that is exactly {"key":"…"} holding only characters a key can hold, and
// an answer whose strings need no escaping. Anything else takes the general path (decodeVerify,
// writeJSON), and the answer is the same byte for byte either way.
//
// What it pays, go test -bench VerifyWire -benchmem on two cores (BenchmarkVerifyHandler/serial
// being ~14 µs, 39 allocations, for the whole chain): reading 0.14 µs and 1 allocation against
// 4.8 µs and 9; writing 0.21 µs and none against 0.76 µs and 2. FuzzPlainVerifyKey and
// FuzzAppendVerifiedKey hold both to encoding/json's answers (one fuzz-found bug so far, its
// input kept in testdata/fuzz). It can go when encoding/json (v2, GOEXPERIMENT=jsonv2 today)
// closes most of that gap in BenchmarkVerifyWire, or when verification itself costs so much more
// that the difference no longer shows in BenchmarkVerifyHandler.

// plainVerifyKey returns the key of a body that is {"key":"…"}, with optional whitespace between
// the tokens and only base62, "_" and "-" in the string; ok is false for any other body.
func plainVerifyKey(body []byte) (key string, ok bool) {
	i := 0
	skip := func() {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
			i++
		}
	}
	expect := func(tok string) bool {
		skip()
		if len(body)-i < len(tok) || string(body[i:i+len(tok)]) != tok {
			return false
		}
		i += len(tok)
		return true
	}
	if !expect("{") || !expect(`"key"`) || !expect(":") || !expect(`"`) {
		return "", false
	}
	start := i
	for i < len(body) && isPlainKeyByte(body[i]) {
		i++
	}
	end := i
	// The string must close right after the key's characters: no whitespace inside it.
	if i >= len(body) || body[i] != '"' {
		return "", false
	}
	i++
	if !expect("}") {
		return "", false
	}
	skip()
	if i != len(body) {
		return "", false
	}
	return string(body[start:end]), true
}

// appendVerifiedKey appends v as json.Marshal writes it, and a newline as writeJSON does; ok is
// false when a string in it would need escaping.
func appendVerifiedKey(dst []byte, v verifiedKeyJSON) ([]byte, bool) {
	str := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
		}
		dst = append(append(append(dst, '"'), s...), '"')
		return true
	}
	optional := func(s *string) bool {
		if s == nil {
			dst = append(dst, "null"...)
			return true
		}
		return str(*s)
	}
	dst = append(dst, `{"id":`...)
	if !str(v.ID) {
		return nil, false
	}
	dst = append(dst, `,"project_id":`...)
	if !str(v.ProjectID) {
		return nil, false
	}
	dst = append(dst, `,"service_account_id":`...)
	if !optional(v.ServiceAccountID) {
		return nil, false
	}
	dst = append(dst, `,"environment_id":`...)
	if !optional(v.EnvironmentID) {
		return nil, false
	}
	dst = append(dst, `,"scopes":`...)
	if v.Scopes == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, s := range v.Scopes {
			if i > 0 {
				dst = append(dst, ',')
			}
			if !str(s) {
				return nil, false
			}
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"expires_at":`...)
	if !optional(v.ExpiresAt) {
		return nil, false
	}
	return append(dst, "}\n"...), true
}

// writeVerifiedKey answers a successful verification.
func writeVerifiedKey(w http.ResponseWriter, v verifiedKeyJSON) {
	b, ok := appendVerifiedKey(make([]byte, 0, 256), v)
	if !ok {
		writeJSON(w, http.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// isPlainKeyByte is a byte a key string may hold without escaping: base62, "_" and "-".
func isPlainKeyByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-'
}
