package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

const projectAddr = "keyservice_project.p"

func projectConfig(s *acctest.Server, name, description string) string {
	return s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_project" "p" {
  name        = %[1]q
  description = %[2]q
}
`, name, description)
}

// TestAccProject_webhookSigningSecret: the secret is known after create, sensitive, kept through
// refreshes and updates, and null after import (the server shows it once).
func TestAccProject_webhookSigningSecret(t *testing.T) {
	s := acctest.NewServer(t)
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: projectConfig(s, "signing", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(projectAddr, tfjsonpath.New("webhook_signing_secret")),
						plancheck.ExpectSensitiveValue(projectAddr, tfjsonpath.New("webhook_signing_secret")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddr, tfjsonpath.New("webhook_signing_secret"), knownvalue.StringRegexp(regexp.MustCompile(`^whsec_[0-9A-Za-z]{43}$`))),
					statecheck.ExpectSensitiveValue(projectAddr, tfjsonpath.New("webhook_signing_secret")),
					sameSecret.AddStateValue(projectAddr, tfjsonpath.New("webhook_signing_secret")),
				},
			},
			{
				Config: projectConfig(s, "signing-renamed", "d"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(projectAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameSecret.AddStateValue(projectAddr, tfjsonpath.New("webhook_signing_secret"))},
			},
			{
				ResourceName:            projectAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"webhook_signing_secret"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if v, ok := states[0].Attributes["webhook_signing_secret"]; ok && v != "" {
						return fmt.Errorf("webhook_signing_secret after import = %d characters, want null", len(v))
					}
					return nil
				},
			},
		},
	})
}
