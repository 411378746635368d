package provider_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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

func TestAccAPIKey_rotateTriggersRotateInPlaceWithGrace(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "rotation")
	config := func(generation string) string {
		return apiKeyConfig(s, projectID, "svc", fmt.Sprintf(`
  scopes                = ["read"]
  rotation_grace_period = "1h"
  rotate_triggers       = { generation = %q }
`, generation))
	}
	keysDiffer := statecheck.CompareValue(compare.ValuesDiffer())
	idsDiffer := statecheck.CompareValue(compare.ValuesDiffer())
	previousIsOld := statecheck.CompareValue(compare.ValuesSame()) // the old id, then previous_key_id
	var oldKey string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					keysDiffer.AddStateValue(keyAddr, tfjsonpath.New("key")),
					idsDiffer.AddStateValue(keyAddr, tfjsonpath.New("id")),
					previousIsOld.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("previous_key_id"), knownvalue.Null()),
				},
				Check: resource.TestCheckResourceAttrWith(keyAddr, "key", capture(&oldKey)),
			},
			{
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("key")),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("id")),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("key_prefix")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					keysDiffer.AddStateValue(keyAddr, tfjsonpath.New("key")),
					idsDiffer.AddStateValue(keyAddr, tfjsonpath.New("id")),
					previousIsOld.AddStateValue(keyAddr, tfjsonpath.New("previous_key_id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("previous_key_grace_expires_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("svc")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkKeyWorks(s, keyAddr),
					func(*terraform.State) error { return verifies(s, oldKey, "old key during the grace period") },
				),
			},
			{
				// Past the grace period only the new key works.
				PreConfig: func() { s.Clock.Advance(61 * time.Minute) },
				Config:    config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					checkKeyWorks(s, keyAddr),
					func(*terraform.State) error {
						if err := verifies(s, oldKey, "old key after the grace period"); err == nil {
							return errors.New("the old key still verifies after its grace period")
						}
						return nil
					},
				),
			},
		},
	})
	if len(s.LiveKeys(t, projectID)) != 0 {
		t.Error("destroy left live keys")
	}
}

func TestAccAPIKey_rotationDaysRotatesWhenDue(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "rotation-days")
	config := apiKeyConfig(s, projectID, "svc", `rotation_days = 30`)
	keysDiffer := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{keysDiffer.AddStateValue(keyAddr, tfjsonpath.New("key"))},
			},
			{
				PreConfig: func() { s.Clock.Advance(29 * 24 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { s.Clock.Advance(2 * 24 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{keysDiffer.AddStateValue(keyAddr, tfjsonpath.New("key"))},
				Check:             checkKeyWorks(s, keyAddr),
			},
		},
	})
}

func TestAccAPIKey_rotatedOutsideTerraformIsFollowed(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "followed")
	config := apiKeyConfig(s, projectID, "svc", "")
	var firstID string
	var rotated *client.APIKey
	previousIsFirst := statecheck.CompareValue(compare.ValuesSame()) // the first id, then previous_key_id

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{previousIsFirst.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check:             resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&firstID)),
			},
			{
				// The refresh follows the rotation to the successor; nothing to apply.
				PreConfig: func() {
					var err error
					rotated, err = s.Client.RotateAPIKey(context.Background(), firstID, client.RotateAPIKeyRequest{})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					previousIsFirst.AddStateValue(keyAddr, tfjsonpath.New("previous_key_id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: resource.TestCheckResourceAttrWith(keyAddr, "id", func(v string) error {
					if v != rotated.ID {
						return fmt.Errorf("state id %s, want the successor %s", v, rotated.ID)
					}
					return nil
				}),
			},
		},
	})
}

// verifies checks a secret against the server.
func verifies(s *acctest.Server, key, what string) error {
	if _, err := s.Client.Verify(context.Background(), key); err != nil {
		return fmt.Errorf("%s does not verify: %w", what, err)
	}
	return nil
}
