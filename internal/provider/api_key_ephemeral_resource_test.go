package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// Ephemeral resources need Terraform 1.10+; Terraform 1.8.5 skips these, OpenTofu 1.12 runs them.
func TestAccAPIKeyEphemeral_openedThenRevokedOnClose(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "ephemeral")
	factories := s.ProviderFactories()
	factories["echo"] = echoprovider.NewProviderServer()

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: s.ProviderBlock("echo") + fmt.Sprintf(`
ephemeral "keyservice_api_key" "run" {
  project_id  = %[1]q
  name_prefix = "ci-run-"
  scopes      = ["deploy:write"]
  ttl         = "15m"
}

provider "echo" {
  data = {
    key        = ephemeral.keyservice_api_key.run.key
    key_prefix = ephemeral.keyservice_api_key.run.key_prefix
    name       = ephemeral.keyservice_api_key.run.name
  }
}

resource "echo" "run" {}
`, projectID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.run", tfjsonpath.New("data").AtMapKey("key"),
					knownvalue.StringRegexp(regexp.MustCompile(`^ks_[0-9A-Za-z]{40,}$`))),
				statecheck.ExpectKnownValue("echo.run", tfjsonpath.New("data").AtMapKey("name"),
					knownvalue.StringRegexp(regexp.MustCompile(`^ci-run-[0-9A-Z]{12}$`))),
			},
		}},
	})

	// Every key the runs opened (plan and apply each open one) was revoked on close.
	keys, err := s.Client.ListAllAPIKeys(context.Background(), client.ListAPIKeysOptions{ProjectID: projectID, IncludeRevoked: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("no ephemeral key was created")
	}
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, "ci-run-") {
			t.Errorf("unexpected key %s", k.Name)
		}
		if k.RevokedAt == nil {
			t.Errorf("ephemeral key %s (%s) was not revoked on close", k.ID, k.Name)
		}
		if k.ExpiresAt == nil {
			t.Errorf("ephemeral key %s has no expiry", k.ID)
		}
	}
	t.Logf("%d ephemeral keys opened and revoked", len(keys))
}
