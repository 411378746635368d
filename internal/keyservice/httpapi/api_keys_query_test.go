package httpapi

import (
	"errors"
	"net/url"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// FuzzListAPIKeysQuery feeds arbitrary query strings to the decoding of GET /v1/api-keys (the
// filters, page size, sort): a typed input or a validation error naming the parameter, never a
// panic. The domain's FuzzPageToken does the same for the opaque page token.
func FuzzListAPIKeysQuery(f *testing.F) {
	for _, seed := range []string{
		"project_id=prj_1&page_size=10&sort_by=-name&active=true&include_revoked=1",
		"project_id=prj_1&expires_before=2030-01-01T00:00:00Z&scope=read&name_prefix=ci-",
		"page_size=-1", "page_size=99999999999999999999", "active=maybe", "expires_before=%zz",
		"page_token=AAAA", "page_token=%FF%FE", "sort_by=", "name=&name=a", ";;&&==",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		if _, err := listAPIKeysQuery(q); err != nil {
			var de *keyservice.Error
			if !errors.As(err, &de) || de.Kind != keyservice.KindValidation || de.Field == "" {
				t.Fatalf("query %q: %v is not a validation error naming a parameter", raw, err)
			}
		}
	})
}
