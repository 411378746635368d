package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	var longest, longestLived time.Duration
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, "ci-run-") {
			t.Errorf("unexpected key %s", k.Name)
		}
		if k.RevokedAt == nil {
			t.Errorf("ephemeral key %s (%s) was not revoked on close", k.ID, k.Name)
			continue
		}
		if k.ExpiresAt == nil {
			t.Errorf("ephemeral key %s has no expiry", k.ID)
			continue
		}
		// The server's own timestamps: what it granted, and how long the key was usable.
		if ttl := k.ExpiresAt.Sub(k.CreatedAt); ttl > 15*time.Minute {
			t.Errorf("ephemeral key %s was granted %s, more than its ttl of 15m", k.ID, ttl)
		} else {
			longest = max(longest, ttl)
		}
		longestLived = max(longestLived, k.RevokedAt.Sub(k.CreatedAt))
	}
	t.Logf("observed on %s: the runs opened %d keys (plan and apply each open one), all named ci-run-…, "+
		"each granted at most %s and revoked on close, the longest-lived %s after its creation",
		filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")), len(keys), longest, longestLived.Round(time.Millisecond))
}
