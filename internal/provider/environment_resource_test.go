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
