package provider_test

import (
	"context"
	"errors"
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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

const saAddr = "keyservice_service_account.sa"

// serviceAccountConfig is one keyservice_service_account in the given project; extra is pasted
// into the block.
func serviceAccountConfig(s *acctest.Server, projectID, name, extra string) string {
	return s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_service_account" "sa" {
  project_id = %[1]q
  name       = %[2]q
  %[3]s
}
`, projectID, name, extra)
}

func TestAccServiceAccount_lifecycle(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "service-accounts")
	var firstID, secondID string
	idChanged := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := s.Client.GetServiceAccount(context.Background(), secondID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("service account %s after destroy: %v", secondID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: serviceAccountConfig(s, projectID, "ci-deployer", `description = "deploys from CI"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sa_[0-9A-Za-z]{20}$`))),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("project_id"), knownvalue.StringExact(projectID)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(saAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					idChanged.AddStateValue(saAddr, tfjsonpath.New("id")),
				},
				Check: resource.TestCheckResourceAttrWith(saAddr, "id", capture(&firstID)),
			},
			{ResourceName: saAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: saAddr, ImportState: true, ImportStateVerify: true, ImportStateId: projectID + "/ci-deployer"},
			{
				// Rename, re-describe and disable in place.
				Config: serviceAccountConfig(s, projectID, "ci", `active = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(saAddr, "description", ""),
					checkServiceAccount(s, &firstID, func(a *client.ServiceAccount) error {
						if a.Name != "ci" || a.Active || a.Description != "" {
							return fmt.Errorf("server has %+v", a)
						}
						return nil
					}),
				),
			},
			{
				// Re-enabled and renamed outside Terraform: planned back to the configuration.
				PreConfig: func() {
					active, name := true, "renamed"
					if _, err := s.Client.UpdateServiceAccount(context.Background(), firstID, client.UpdateServiceAccountRequest{Active: &active, Name: &name}); err != nil {
						t.Fatal(err)
					}
				},
				Config: serviceAccountConfig(s, projectID, "ci", `active = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("active"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("name"), knownvalue.StringExact("ci")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkServiceAccount(s, &firstID, func(a *client.ServiceAccount) error {
					if a.Name != "ci" || a.Active {
						return fmt.Errorf("drift not corrected: %+v", a)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: planned for creation.
				PreConfig: func() {
					if err := s.Client.DeleteServiceAccount(context.Background(), firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: serviceAccountConfig(s, projectID, "ci", `active = false`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{idChanged.AddStateValue(saAddr, tfjsonpath.New("id"))},
				Check:             resource.TestCheckResourceAttrWith(saAddr, "id", capture(&secondID)),
			},
		},
	})
}

// checkServiceAccount reads the service account *id from the server and applies check.
func checkServiceAccount(s *acctest.Server, id *string, check func(*client.ServiceAccount) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := s.Client.GetServiceAccount(context.Background(), *id)
		if err != nil {
			return err
		}
		return check(a)
	}
}

func TestAccServiceAccount_defaultProjectAndDataSource(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "default-project")
	provider := fmt.Sprintf("provider \"keyservice\" {\n  endpoint   = %q\n  token      = %q\n  project_id = %q\n}\n", s.URL, s.AdminToken, projectID)
	config := provider + `
resource "keyservice_service_account" "sa" {
  name        = "reporting"
  description = "nightly reports"
}

data "keyservice_service_account" "by_id" {
  id = keyservice_service_account.sa.id
}

data "keyservice_service_account" "by_name" {
  name       = "reporting"
  depends_on = [keyservice_service_account.sa]
}
`
	var attrs []resource.TestCheckFunc
	for _, ds := range []string{"data.keyservice_service_account.by_id", "data.keyservice_service_account.by_name"} {
		for _, a := range []string{"id", "project_id", "name", "description", "active", "created_at"} {
			attrs = append(attrs, resource.TestCheckResourceAttrPair(ds, a, saAddr, a))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(saAddr, tfjsonpath.New("project_id"), knownvalue.StringExact(projectID))},
				},
				Check: resource.ComposeTestCheckFunc(append(attrs,
					resource.TestCheckResourceAttr(saAddr, "project_id", projectID),
					resource.TestCheckResourceAttr("data.keyservice_service_account.by_name", "description", "nightly reports"),
				)...),
			},
			{
				Config: provider + `
data "keyservice_service_account" "missing" {
  name = "nobody"
}
`,
				ExpectError: regexp.MustCompile(`Error Reading Service Account`),
			},
		},
	})
}

// TestAccServiceAccount_keysFollowTheAccount: a key owned by a service account stops verifying
// while the account is disabled and works again once it is enabled; deleting the account outside
// Terraform revokes the key, and the next plan creates both again.
func TestAccServiceAccount_keysFollowTheAccount(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "owned-keys")
	config := s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_service_account" "sa" {
  project_id = %[1]q
  name       = "robot"
}

resource "keyservice_api_key" "test" {
  project_id         = %[1]q
  name               = "robot-key"
  service_account_id = keyservice_service_account.sa.id
}
`, projectID)
	var saID, keyID, secret string
	saChanged := statecheck.CompareValue(compare.ValuesDiffer())
	keyChanged := statecheck.CompareValue(compare.ValuesDiffer())
	setActive := func(active bool) {
		if _, err := s.Client.UpdateServiceAccount(context.Background(), saID, client.UpdateServiceAccountRequest{Active: &active}); err != nil {
			t.Fatal(err)
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy:             checkAllRevoked(s, projectID),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					saChanged.AddStateValue(saAddr, tfjsonpath.New("id")),
					keyChanged.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(keyAddr, tfjsonpath.New("service_account_id"), saAddr, tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(saAddr, "id", capture(&saID)),
					resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&keyID)),
					resource.TestCheckResourceAttrWith(keyAddr, "key", capture(&secret)),
					checkKeyWorks(s, keyAddr),
				),
			},
			{
				// Disabled and enabled again through the API: the key follows, and nothing drifts.
				PreConfig: func() {
					setActive(false)
					if err := verifies(s, secret, "key of a disabled service account"); err == nil {
						t.Fatal("the key still verifies while its service account is disabled")
					}
					setActive(true)
					if err := verifies(s, secret, "key of a re-enabled service account"); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Disabled through the API and left so: Terraform enables it again, and the key works.
				PreConfig: func() { setActive(false) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop),
					},
				},
				Check: checkKeyWorks(s, keyAddr),
			},
			{
				// Deleted through the API, which revokes the key: both are planned for creation.
				PreConfig: func() {
					if err := s.Client.DeleteServiceAccount(context.Background(), saID); err != nil {
						t.Fatal(err)
					}
					if err := verifies(s, secret, "key of a deleted service account"); err == nil {
						t.Fatal("the key still verifies after its service account was deleted")
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(saAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					saChanged.AddStateValue(saAddr, tfjsonpath.New("id")),
					keyChanged.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(keyAddr, tfjsonpath.New("service_account_id"), saAddr, tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: checkKeyWorks(s, keyAddr),
			},
		},
	})
}

// TestAccServiceAccount_importByIdentityWithItsKeys adopts a service account and every key it
// owns in one plan: the account through `import { identity = {...} }` by project and name, its
// keys through a for_each import over keyservice_api_keys filtered by service_account_id.
// Identity needs OpenTofu 1.12 (or Terraform 1.12); Terraform 1.8.5 skips this test.
func TestAccServiceAccount_importByIdentityWithItsKeys(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "sa-identity")
	sa, err := s.Client.CreateServiceAccount(context.Background(), client.CreateServiceAccountRequest{ProjectID: projectID, Name: "billing-worker"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.Client.CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{
			ProjectID: projectID, ServiceAccountID: &sa.ID, Name: fmt.Sprintf("billing-%d", i), Scopes: []string{"billing:read"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: s.ProviderBlock() + fmt.Sprintf(`
import {
  to       = keyservice_service_account.sa
  identity = {
    project_id = %[1]q
    name       = "billing-worker"
  }
}

resource "keyservice_service_account" "sa" {
  project_id = %[1]q
  name       = "billing-worker"
}

data "keyservice_api_keys" "owned" {
  project_id         = %[1]q
  service_account_id = keyservice_service_account.sa.id
}

# Indexed by number: terraform-plugin-testing's state checks do not read for_each instances.
import {
  for_each = { for k in data.keyservice_api_keys.owned.keys : trimprefix(k.name, "billing-") => k.id }
  to       = keyservice_api_key.owned[tonumber(each.key)]
  identity = { id = each.value }
}

resource "keyservice_api_key" "owned" {
  count              = 3
  project_id         = %[1]q
  service_account_id = keyservice_service_account.sa.id
  name               = "billing-${count.index}"
  scopes             = ["billing:read"]
}
`, projectID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{expectImports(4)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(saAddr, map[string]knownvalue.Check{
					"id":         knownvalue.StringExact(sa.ID),
					"project_id": knownvalue.StringExact(projectID),
					"name":       knownvalue.StringExact("billing-worker"),
				}),
			},
		}},
	})
}
