package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
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

// FuzzAppendVerifiedKey: whatever the fast writer writes is json.Marshal's answer byte for byte.
func FuzzAppendVerifiedKey(f *testing.F) {
	f.Add("key_1", "prj_1", "sa_1", "read", "2030-01-02T03:04:05Z")
	f.Add("ké", "prj_\"", "", "<&>", "")
	f.Fuzz(func(t *testing.T, id, project, sa, scope, expires string) {
		v := verifiedKeyJSON{ID: id, ProjectID: project, Scopes: []string{scope}}
		if sa != "" {
			v.ServiceAccountID = &sa
		}
		if expires != "" {
			v.ExpiresAt = &expires
		}
		got, ok := appendVerifiedKey(nil, v)
		if !ok {
			return
		}
		want, err := json.Marshal(v)
		if err != nil || string(got) != string(want)+"\n" {
			t.Fatalf("appendVerifiedKey = %s, json.Marshal = %s (%v)", got, want, err)
		}
	})
}

// BenchmarkVerifyWire measures what the hand-written reader and writer of POST /v1/verify save
// over encoding/json, whose reflection they bypass: go test -bench VerifyWire -benchmem. If
// "plain" stops beating "encoding/json" by a margin that matters next to BenchmarkVerifyHandler,
// verify_wire.go goes.
func BenchmarkVerifyWire(b *testing.B) {
	secret, err := keyservice.GenerateKey("production")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"key":"` + secret + `"}`)
	sa, exp := "sa_0123456789abcdefghij", "2030-01-02T03:04:05Z"
	answer := verifiedKeyJSON{ID: "key_0123456789abcdefghij", ProjectID: "prj_0123456789abcdefghij",
		ServiceAccountID: &sa, Scopes: []string{"read", "deploy:write"}, ExpiresAt: &exp}
	b.Run("read/plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := plainVerifyKey(body); !ok {
				b.Fatal("not plain")
			}
		}
	})
	b.Run("read/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeVerify(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write/plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := appendVerifiedKey(make([]byte, 0, 256), answer); !ok {
				b.Fatal("not plain")
			}
		}
	})
	b.Run("write/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(answer); err != nil {
				b.Fatal(err)
			}
		}
	})
}
