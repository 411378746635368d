package httpapi

import (
	"errors"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

func FuzzCreateAPIKeyDecode(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"name":"a","project_id":"p"}`,
		`{"name":"a","scopes":["x","y"],"expires_at":"2030-01-01T00:00:00Z","active":false}`,
		`{"expires_in_days":1.5}`, `{"scopes":[1]}`, `{"unknown":1}`, `{"name":"a"} x`,
		`{"expires_at":"not a time"}`, `{"rotation_webhook_url":null,"service_account_id":null}`,
		"{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeCreateAPIKey(body)
		if err != nil {
			// Every decode failure is a client error with a message.
			var de *keyservice.Error
			if !errors.As(err, &de) || de.Kind != keyservice.KindValidation || de.Message == "" {
				t.Fatalf("decode error %T %v is not a validation error", err, err)
			}
			return
		}
		_ = in
	})
}

func FuzzUpdateAPIKeyDecode(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"expires_at":null}`, `{"scopes":null}`, `{"name":null}`, `{"active":"yes"}`, `[]`, `{"rotation_interval_days":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := decodeUpdateAPIKey(body); err != nil {
			var de *keyservice.Error
			if !errors.As(err, &de) || de.Kind != keyservice.KindValidation {
				t.Fatalf("decode error %T %v is not a validation error", err, err)
			}
		}
	})
}
