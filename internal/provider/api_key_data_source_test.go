package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// apiKeyDataSourceAttributes are the attributes the key data sources share with the resource;
// each must read back what the resource holds.
var apiKeyDataSourceAttributes = []string{
	"id", "project_id", "service_account_id", "environment_id", "name", "description", "scopes", "active",
	"expires_at", "rotation_interval_days", "rotation_webhook_url", "next_rotation_at", "key_prefix", "status", "created_at",
}

// TestAccAPIKeyDataSources_readWhatTheResourceHolds applies keyservice_api_key (data source), by
// id and by name, and keyservice_api_keys with filters, against a key that sets every argument
// the server holds, and compares each attribute with the resource's. The secret is never read.
func TestAccAPIKeyDataSources_readWhatTheResourceHolds(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "key-data-sources")
	hook := newWebhookRecorder(t)
	config := s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_service_account" "sa" {
  project_id = %[1]q
  name       = "exporter"
}

resource "keyservice_environment" "env" {
  project_id = %[1]q
  name       = "staging"
}

resource "keyservice_api_key" "k" {
  project_id             = %[1]q
  service_account_id     = keyservice_service_account.sa.id
  environment_id         = keyservice_environment.env.id
  name                   = "exporter-staging"
  description            = "reads everything"
  scopes                 = ["read", "export:run"]
  active                 = false
  expires_at             = %[2]q
  rotation_interval_days = 30
  rotation_webhook_url   = %[3]q
}

resource "keyservice_api_key" "other" {
  project_id = %[1]q
  name       = "unrelated"
}

data "keyservice_api_key" "by_id" {
  id = keyservice_api_key.k.id
}

data "keyservice_api_key" "by_name" {
  project_id = %[1]q
  name       = "exporter-staging"
  depends_on = [keyservice_api_key.k]
}

data "keyservice_api_keys" "of_account" {
  project_id         = %[1]q
  service_account_id = keyservice_service_account.sa.id
  active             = false
  depends_on         = [keyservice_api_key.k, keyservice_api_key.other]
}
`, projectID, s.Clock.Now().AddDate(1, 0, 0).Format("2006-01-02T15:04:05Z"), hook.URL+"/rotated")

	var checks []resource.TestCheckFunc
	for _, a := range apiKeyDataSourceAttributes {
		if a == "scopes" {
			continue // a set: compared element by element below
		}
		checks = append(checks,
			resource.TestCheckResourceAttrPair("data.keyservice_api_key.by_id", a, "keyservice_api_key.k", a),
			resource.TestCheckResourceAttrPair("data.keyservice_api_key.by_name", a, "keyservice_api_key.k", a),
			resource.TestCheckResourceAttrPair("data.keyservice_api_keys.of_account", "keys.0."+a, "keyservice_api_key.k", a),
		)
	}
	scopes := knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read"), knownvalue.StringExact("export:run")})
	rfc3339 := knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("scopes"), scopes),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_name", tfjsonpath.New("scopes"), scopes),
				statecheck.ExpectKnownValue("data.keyservice_api_keys.of_account", tfjsonpath.New("keys"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.keyservice_api_keys.of_account", tfjsonpath.New("keys").AtSliceIndex(0).AtMapKey("scopes"), scopes),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("updated_at"), rfc3339),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("revoked_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("replaced_by_key_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("last_used_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.keyservice_api_key.by_id", tfjsonpath.New("next_rotation_at"), rfc3339),
			},
			Check: resource.ComposeAggregateTestCheckFunc(append(checks,
				resource.TestCheckNoResourceAttr("data.keyservice_api_key.by_id", "key"),
				resource.TestCheckNoResourceAttr("data.keyservice_api_keys.of_account", "keys.0.key"),
			)...),
		}},
	})
}

// TestAccProjectDataSource_byIDAndName applies keyservice_project (data source) both ways.
func TestAccProjectDataSource_byIDAndName(t *testing.T) {
	s := acctest.NewServer(t)
	config := s.ProviderBlock() + `
resource "keyservice_project" "p" {
  name        = "looked-up"
  description = "found by id and by name"
}

data "keyservice_project" "by_id" {
  id = keyservice_project.p.id
}

data "keyservice_project" "by_name" {
  name       = "looked-up"
  depends_on = [keyservice_project.p]
}
`
	var checks []resource.TestCheckFunc
	for _, ds := range []string{"data.keyservice_project.by_id", "data.keyservice_project.by_name"} {
		for _, a := range []string{"id", "name", "description", "created_at"} {
			checks = append(checks, resource.TestCheckResourceAttrPair(ds, a, projectAddr, a))
		}
		checks = append(checks, resource.TestCheckNoResourceAttr(ds, "webhook_signing_secret"))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.ComposeAggregateTestCheckFunc(checks...)},
			{
				Config:      s.ProviderBlock() + "data \"keyservice_project\" \"missing\" {\n  name = \"nobody\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)Error Reading Project.*no project is named\s+"nobody": keyservice: not found\s*$`),
			},
		},
	})
}
