package keyservice

import (
	"errors"
	"net/url"
	"testing"
)

// FuzzListAPIKeysQuery feeds arbitrary query strings to the decoding of GET /v1/api-keys (the
// filters, page size, sort and the opaque page token): a typed input or a validation error
// naming the parameter, never a panic.
func FuzzListAPIKeysQuery(f *testing.F) {
	for _, seed := range []string{
		"project_id=prj_1&page_size=10&sort_by=-name&active=true&include_revoked=1",
		"project_id=prj_1&expires_before=2030-01-01T00:00:00Z&scope=read&name_prefix=ci-",
		"page_size=-1", "page_size=99999999999999999999", "active=maybe", "expires_before=%zz",
		"page_token=AAAA", "page_token=%FF%FE", "sort_by=", "name=&name=a", ";;&&==",
	} {
		f.Add(seed)
	}
	fp := queryFingerprint("api_keys", "prj_1")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		if _, err := listAPIKeysQuery(q); err != nil {
			var de *domainError
			if !errors.As(err, &de) || de.kind != kindValidation || de.field == "" {
				t.Fatalf("query %q: %v is not a validation error naming a parameter", raw, err)
			}
		}
		if _, err := decodePageToken(q.Get("page_token"), fp); err != nil {
			var de *domainError
			if !errors.As(err, &de) || de.field != "page_token" {
				t.Fatalf("page token %q: %v is not a page_token error", q.Get("page_token"), err)
			}
		}
	})
}
