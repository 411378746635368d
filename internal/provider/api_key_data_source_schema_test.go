package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// resourceOnlyAPIKeyAttributes are the attributes of the keyservice_api_key resource that the key
// service does not hold, with the reason. Every other attribute of the resource must be in the
// key data sources, with the same type, so that a configuration adopting a key can copy all of
// its arguments from them (a missing service_account_id once made adoption replace keys).
var resourceOnlyAPIKeyAttributes = map[string]string{
	"expires_in_days":               "the server turns it into expires_at when the key is made",
	"deletion_policy":               "what destroying the resource does",
	"rotate_triggers":               "Terraform's own rotation",
	"rotation_days":                 "Terraform's own rotation",
	"rotation_grace_period":         "Terraform's own rotation",
	"key":                           "the secret: the server keeps only its hash",
	"previous_key_id":               "only in the answer to a rotation (the old key's replaced_by_key_id says the same)",
	"previous_key_grace_expires_at": "only in the answer to a rotation (the old key's grace_expires_at says the same)",
	"timeouts":                      "how long Terraform waits",
}

// clientOnlyAPIKeyFields are the fields of client.APIKey the data sources leave out.
var clientOnlyAPIKeyFields = map[string]string{
	"key":                           "the secret",
	"previous_key_id":               "only in the answer to a rotation",
	"previous_key_grace_expires_at": "only in the answer to a rotation",
}

func TestAPIKeyDataSourcesDescribeEverythingTheServerHolds(t *testing.T) {
	ctx := context.Background()
	var res resource.SchemaResponse
	NewAPIKeyResource().Schema(ctx, resource.SchemaRequest{}, &res)
	var one, list datasource.SchemaResponse
	NewAPIKeyDataSource().Schema(ctx, datasource.SchemaRequest{}, &one)
	NewAPIKeysDataSource().Schema(ctx, datasource.SchemaRequest{}, &list)
	listElem := list.Schema.Type().(attr.TypeWithAttributeTypes).AttributeTypes()["keys"].(attr.TypeWithElementType).ElementType()

	dataSources := map[string]map[string]attr.Type{
		"keyservice_api_key (data source)":  one.Schema.Type().(attr.TypeWithAttributeTypes).AttributeTypes(),
		"an element of keyservice_api_keys": listElem.(attr.TypeWithAttributeTypes).AttributeTypes(),
	}
	resourceTypes := res.Schema.Type().(attr.TypeWithAttributeTypes).AttributeTypes()

	for name := range resourceOnlyAPIKeyAttributes {
		if _, ok := resourceTypes[name]; !ok {
			t.Errorf("resourceOnlyAPIKeyAttributes names %q, which the resource does not have", name)
		}
	}
	for dsName, dsTypes := range dataSources {
		for name, typ := range resourceTypes {
			if _, resourceOnly := resourceOnlyAPIKeyAttributes[name]; resourceOnly {
				continue
			}
			got, ok := dsTypes[name]
			switch {
			case !ok:
				t.Errorf("%s has no %q, which the resource has: add it, or say in resourceOnlyAPIKeyAttributes why the server does not hold it", dsName, name)
			case !got.Equal(typ):
				t.Errorf("%s: %q is a %s, in the resource a %s", dsName, name, got, typ)
			}
		}
		keyType := reflect.TypeFor[client.APIKey]()
		for i := range keyType.NumField() {
			field, _, _ := strings.Cut(keyType.Field(i).Tag.Get("json"), ",")
			if _, skip := clientOnlyAPIKeyFields[field]; field == "-" || skip {
				continue
			}
			if _, ok := dsTypes[field]; !ok {
				t.Errorf("%s has no %q, which the key service returns", dsName, field)
			}
		}
	}
}
