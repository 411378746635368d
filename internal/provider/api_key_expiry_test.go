package provider_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

func TestAccAPIKey_expiresInDaysReplacesExpiredKey(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "expiry")
	config := apiKeyConfig(s, projectID, "svc", `expires_in_days = 30`)
	idsDiffer := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("expires_at"), knownvalue.NotNull()),
					idsDiffer.AddStateValue(keyAddr, tfjsonpath.New("id")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { s.Clock.Advance(31 * 24 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					idsDiffer.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: checkKeyWorks(s, keyAddr),
			},
		},
	})
}

func TestAccAPIKey_pastFixedExpiryIsAPlanError(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "fixed-expiry")
	config := apiKeyConfig(s, projectID, "svc", `expires_at = "`+time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)+`"`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { s.Clock.Advance(72 * time.Hour) },
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)API Key Expired.*Set a new,\s+future expires_at`),
			},
		},
	})
}

func TestAccAPIKey_expiryChangedOutsideTerraformIsPlannedBack(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "expiry-drift")
	config := apiKeyConfig(s, projectID, "svc", "")
	var id string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&id))},
			{
				PreConfig: func() {
					soon := time.Now().Add(time.Hour)
					if _, err := s.Client.UpdateAPIKey(context.Background(), id, client.UpdateAPIKeyRequest{ExpiresAt: &soon}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkServerKey(s, keyAddr, func(k *client.APIKey) error {
					if k.ExpiresAt != nil {
						return errorf("expiry not cleared on the server: %v", k.ExpiresAt)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAPIKey_deletionPolicy(t *testing.T) {
	for policy, check := range map[string]func(*client.APIKey) error{
		"DISABLE": func(k *client.APIKey) error {
			if k.RevokedAt != nil || k.Active {
				return errorf("DISABLE left revoked_at=%v active=%v, want a disabled live key", k.RevokedAt, k.Active)
			}
			return nil
		},
		"ABANDON": func(k *client.APIKey) error {
			if k.RevokedAt != nil || !k.Active {
				return errorf("ABANDON changed the key: revoked_at=%v active=%v", k.RevokedAt, k.Active)
			}
			return nil
		},
		"REVOKE": func(k *client.APIKey) error {
			if k.RevokedAt == nil {
				return errorf("REVOKE left the key live")
			}
			return nil
		},
	} {
		t.Run(policy, func(t *testing.T) {
			s := acctest.NewServer(t)
			projectID := s.CreateProject(t, "deletion-"+policy)
			var id string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: s.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: apiKeyConfig(s, projectID, "svc", `deletion_policy = "`+policy+`"`),
					Check:  resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&id)),
				}},
			})
			k, err := s.Client.GetAPIKey(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if err := check(k); err != nil {
				t.Error(err)
			}
		})
	}
}
