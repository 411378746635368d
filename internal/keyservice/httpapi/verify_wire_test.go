package httpapi

import (
	"encoding/json"
	"testing"
)

func TestPlainVerifyKeyAgreesWithDecodeVerify(t *testing.T) {
	for body, want := range map[string]bool{
		`{"key":"ks_AbC123"}`:                true,
		" {\n\t\"key\" : \"ks_prod-1_x\" } ": true,
		`{"key":""}`:                         true,
		`{"key":"a\"b"}`:                     false,
		`{"key":"a\u0041"}`:                  false,
		`{"Key":"ks_x"}`:                     false,
		`{"key":"ks_x","extra":1}`:           false,
		`{"key":1}`:                          false,
		`{}`:                                 false,
		``:                                   false,
		`{"key":"ks_x"}{}`:                   false,
		`{"key":"ks_x"`:                      false,
		`{"key":"ks x"}`:                     false,
		`{"key":" "}`:                        false,
		`{"key":"ks_x "}`:                    false,
	} {
		got, ok := plainVerifyKey([]byte(body))
		if ok != want {
			t.Errorf("%q: plain = %v, want %v", body, ok, want)
			continue
		}
		if ok {
			strict, err := decodeVerify([]byte(body))
			if err != nil || strict != got {
				t.Errorf("%q: plain read %q, decodeVerify %q (%v)", body, got, strict, err)
			}
		}
	}
}

// FuzzPlainVerifyKey: whatever the fast path accepts, the strict decoder accepts too, with the
// same key.
func FuzzPlainVerifyKey(f *testing.F) {
	for _, s := range []string{`{"key":"ks_AbC"}`, ` { "key" : "x-y_z" } `, `{"key":"a"}x`, `{"key":"\u0041"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := plainVerifyKey(body)
		if !ok {
			return
		}
		strict, err := decodeVerify(body)
		if err != nil || strict != got {
			t.Fatalf("%q: plain read %q, decodeVerify %q (%v)", body, got, strict, err)
		}
	})
}

func TestAppendVerifiedKeyIsJSONMarshal(t *testing.T) {
	sa, env, exp, odd := "sa_1", "env_9", "2030-01-02T03:04:05Z", "<&>"
	for _, v := range []verifiedKeyJSON{
		{ID: "key_1", ProjectID: "prj_1", Scopes: []string{}},
		{ID: "key_1", ProjectID: "prj_1", ServiceAccountID: &sa, EnvironmentID: &env, Scopes: []string{"read", "deploy:write", "a.b-c_d"}, ExpiresAt: &exp},
		{ID: "key_1", ProjectID: "prj_1"},
		{ID: "key_1", ProjectID: "prj_1", Scopes: []string{odd}},
		{ID: "ké", ProjectID: "prj_1", Scopes: []string{}},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendVerifiedKey(nil, v)
		if !ok {
			if v.ID == "ké" || (len(v.Scopes) == 1 && v.Scopes[0] == odd) {
				continue // needs escaping: writeJSON answers it
			}
			t.Errorf("%+v: not written", v)
			continue
		}
		if string(got) != string(want)+"\n" {
			t.Errorf("appendVerifiedKey = %s, json.Marshal = %s", got, want)
		}
	}
}
