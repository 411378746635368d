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

const envAddr = "keyservice_environment.env"

func environmentConfig(s *acctest.Server, projectID, name, extra string) string {
	return s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_environment" "env" {
  project_id = %[1]q
  name       = %[2]q
  %[3]s
}
`, projectID, name, extra)
}

func TestAccEnvironment_lifecycle(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "environments")
	var firstID, lastID string
	idChanged := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := s.Client.GetEnvironment(context.Background(), lastID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("environment %s after destroy: %v", lastID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      environmentConfig(s, projectID, "Production", ""),
				ExpectError: regexp.MustCompile(`lowercase letter`),
			},
			{
				Config: environmentConfig(s, projectID, "production", `description = "live traffic"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^env_[0-9A-Za-z]{20}$`))),
					statecheck.ExpectKnownValue(envAddr, tfjsonpath.New("description"), knownvalue.StringExact("live traffic")),
					idChanged.AddStateValue(envAddr, tfjsonpath.New("id")),
				},
				Check: resource.TestCheckResourceAttrWith(envAddr, "id", capture(&firstID)),
			},
			{ResourceName: envAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: envAddr, ImportState: true, ImportStateVerify: true, ImportStateId: projectID + "/production"},
			{
				Config: environmentConfig(s, projectID, "prod", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(envAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					e, err := s.Client.GetEnvironment(context.Background(), firstID)
					if err != nil || e.Name != "prod" || e.Description != "" {
						return fmt.Errorf("server has %+v, %v", e, err)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := s.Client.DeleteEnvironment(context.Background(), firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: environmentConfig(s, projectID, "prod", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(envAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{idChanged.AddStateValue(envAddr, tfjsonpath.New("id"))},
				Check:             resource.TestCheckResourceAttrWith(envAddr, "id", capture(&lastID)),
			},
		},
	})
}

// TestAccEnvironment_keyPrefix: a key bound to an environment carries its name in the secret and
// key_prefix; destroy revokes the key before it deletes the environment.
func TestAccEnvironment_keyPrefix(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "env-keys")
	config := s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_environment" "env" {
  project_id = %[1]q
  name       = "production"
}

resource "keyservice_api_key" "test" {
  project_id     = %[1]q
  name           = "api"
  environment_id = keyservice_environment.env.id
}
`, projectID)
	var envID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy: resource.ComposeTestCheckFunc(checkAllRevoked(s, projectID), func(*terraform.State) error {
			if _, err := s.Client.GetEnvironment(context.Background(), envID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("environment %s after destroy: %v", envID, err)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key_prefix"), knownvalue.StringRegexp(regexp.MustCompile(`^ks_production_[0-9A-Za-z]{9}$`))),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.StringRegexp(regexp.MustCompile(`^ks_production_[0-9A-Za-z]{49}$`))),
					statecheck.CompareValuePairs(keyAddr, tfjsonpath.New("environment_id"), envAddr, tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(envAddr, "id", capture(&envID)),
					checkKeyWorks(s, keyAddr),
				),
			},
		},
	})
}

// TestAccEnvironment_deleteRefusedWhileKeysWork: an environment with a working key made outside
// Terraform is not deleted; once that key is revoked, the delete goes through.
func TestAccEnvironment_deleteRefusedWhileKeysWork(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "env-delete")
	var envID string
	var outside *client.APIKey
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: environmentConfig(s, projectID, "staging", ""),
				Check:  resource.TestCheckResourceAttrWith(envAddr, "id", capture(&envID)),
			},
			{
				PreConfig: func() {
					var err error
					outside, err = s.Client.CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{ProjectID: projectID, Name: "outside", EnvironmentID: &envID})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      s.ProviderBlock(),
				ExpectError: regexp.MustCompile(`Environment Still Has Live API Keys`),
			},
			{
				PreConfig: func() {
					if err := s.Client.RevokeAPIKey(context.Background(), outside.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: s.ProviderBlock(),
				Check: func(*terraform.State) error {
					if _, err := s.Client.GetEnvironment(context.Background(), envID); !errors.Is(err, client.ErrNotFound) {
						return fmt.Errorf("environment %s still there: %v", envID, err)
					}
					return nil
				},
			},
		},
	})
}

// TestAccEnvironment_importByIdentity adopts an environment made through the API with an import
// block naming it by project and name, and records its identity. Resource identity needs
// Terraform 1.12 or OpenTofu 1.12; older CLIs skip it.
func TestAccEnvironment_importByIdentity(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "env-identity")
	e, err := s.Client.CreateEnvironment(context.Background(), client.CreateEnvironmentRequest{ProjectID: projectID, Name: "production", Description: "live"})
	if err != nil {
		t.Fatal(err)
	}
	identity := map[string]knownvalue.Check{
		"id":         knownvalue.StringExact(e.ID),
		"project_id": knownvalue.StringExact(projectID),
		"name":       knownvalue.StringExact("production"),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: environmentConfig(s, projectID, "production", `description = "live"`) + fmt.Sprintf(`
import {
  to       = keyservice_environment.env
  identity = {
    project_id = %q
    name       = "production"
  }
}
`, projectID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{expectImports(1)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(envAddr, tfjsonpath.New("id"), knownvalue.StringExact(e.ID)),
					statecheck.ExpectIdentity(envAddr, identity),
				},
			},
			{
				// A rename changes the identity's name: the identity is mutable.
				Config: environmentConfig(s, projectID, "prod", `description = "live"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValue(envAddr, tfjsonpath.New("name"), knownvalue.StringExact("prod")),
				},
			},
			{ResourceName: envAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// TestAccEnvironmentDataSource_byIDAndName applies keyservice_environment (data source) by id and
// by name in the provider's default project, and reports an unknown name.
func TestAccEnvironmentDataSource_byIDAndName(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "env-data-source")
	provider := acctest.RequiredProviders("keyservice") + fmt.Sprintf("provider \"keyservice\" {\n  endpoint   = %q\n  token      = %q\n  project_id = %q\n}\n", s.URL, s.AdminToken, projectID)
	config := provider + `
resource "keyservice_environment" "env" {
  name        = "staging"
  description = "pre-production"
}

data "keyservice_environment" "by_id" {
  id = keyservice_environment.env.id
}

data "keyservice_environment" "by_name" {
  name       = "staging"
  depends_on = [keyservice_environment.env]
}
`
	var checks []resource.TestCheckFunc
	for _, ds := range []string{"data.keyservice_environment.by_id", "data.keyservice_environment.by_name"} {
		for _, a := range []string{"id", "project_id", "name", "description", "created_at"} {
			checks = append(checks, resource.TestCheckResourceAttrPair(ds, a, envAddr, a))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.ComposeAggregateTestCheckFunc(append(checks, resource.TestCheckResourceAttr(envAddr, "project_id", projectID))...),
			},
			{
				Config:      provider + "data \"keyservice_environment\" \"missing\" {\n  name = \"nowhere\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)Error Reading Environment.*no environment named\s+"nowhere"`),
			},
		},
	})
}
