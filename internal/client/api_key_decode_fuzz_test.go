package client

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// FuzzDecodeAPIKeyResponse feeds arbitrary 2xx bodies to the decoding of a key, as create,
// read, update and rotate answers are decoded: an error or a value, never a panic; an error
// never quotes the body; a decoded key never prints its secret; and what decodes survives a
// round trip unchanged.
func FuzzDecodeAPIKeyResponse(f *testing.F) {
	f.Add([]byte(createdKeyJSON))
	f.Add([]byte(`{"id":"k","key":"ks_abc","scopes":null,"expires_at":"2030-01-01T00:00:00Z","rotation_interval_days":7}`))
	f.Add([]byte(`{"id":"k","expires_at":"not a time"}`))
	f.Add([]byte(`{"id":"k","scopes":"ks_notalist"}`))
	f.Add([]byte(`{"id":"k","rotation_interval_days":1e400}`))
	f.Add([]byte(`{"id":"k"} trailing`))
	f.Add([]byte(`[]`))
	f.Add([]byte("\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var k APIKey
		err := decodeResponse(body, &k)
		if err != nil {
			msg := err.Error()
			for _, field := range strings.FieldsFunc(string(body), func(r rune) bool { return !isWordRune(r) }) {
				if len(field) >= 12 && strings.Contains(msg, field) && !strings.Contains(decodeErrorVocabulary, field) {
					t.Fatalf("decode error %q quotes the body's %q", msg, field)
				}
			}
			return
		}
		if k.Key != "" {
			// A secret that also stands in a field that may be printed (a body whose key equals
			// its key_prefix, say) proves nothing: compare with the same key formatted without it.
			withoutSecret := k
			withoutSecret.Key = ""
			for i, s := range formatted(k) {
				if len(k.Key) >= 4 && strings.Contains(s, k.Key) && !strings.Contains(formatted(withoutSecret)[i], k.Key) {
					t.Fatalf("formatting a key prints its secret: %s", s)
				}
			}
		}
		again, merr := json.Marshal(k)
		if merr != nil {
			t.Fatalf("a decoded key does not encode: %v", merr)
		}
		var back APIKey
		if err := decodeResponse(again, &back); err != nil {
			t.Fatalf("a decoded key does not decode again: %v", err)
		}
		if b2, _ := json.Marshal(back); string(b2) != string(again) {
			t.Fatalf("round trip changed the key:\n%s\n%s", again, b2)
		}
	})
}

// decodeErrorVocabulary holds the words decode errors use themselves (type and field names).
const decodeErrorVocabulary = "rotation_interval_days previous_key_grace_expires_at service_account_id replaced_by_key_id rotation_webhook_url grace_expires_at next_rotation_at environment_id previous_key_id last_used_at expires_at created_at updated_at revoked_at key_prefix project_id description time.Time []string"

// formatted is k as every formatting verb prints it.
func formatted(k APIKey) []string {
	return []string{k.String(), fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)}
}

func isWordRune(r rune) bool {
	return r == '_' || r == '.' || r == '[' || r == ']' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}
