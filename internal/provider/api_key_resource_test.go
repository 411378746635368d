package provider_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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

const keyAddr = "keyservice_api_key.test"

// apiKeyConfig is one keyservice_api_key in the given project; extra is pasted into the block.
func apiKeyConfig(s *acctest.Server, projectID, name, extra string) string {
	return s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_api_key" "test" {
  project_id = %[1]q
  name       = %[2]q
  %[3]s
}
`, projectID, name, extra)
}

func TestAccAPIKey_lifecycle(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "lifecycle")
	sameKey := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy:             checkAllRevoked(s, projectID),
		Steps: []resource.TestStep{
			{
				Config: apiKeyConfig(s, projectID, "ci-deployer", `scopes = ["deploy:write", "read"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("key")),
						plancheck.ExpectSensitiveValue(keyAddr, tfjsonpath.New("key")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.StringRegexp(regexp.MustCompile(`^ks_[0-9A-Za-z]{40,}$`))),
					statecheck.ExpectSensitiveValue(keyAddr, tfjsonpath.New("key")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("deploy:write"), knownvalue.StringExact("read"),
					})),
					sameKey.AddStateValue(keyAddr, tfjsonpath.New("key")),
				},
				Check: checkKeyWorks(s, keyAddr),
			},
			{
				ResourceName:            keyAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key"},
			},
			{
				ResourceName:            keyAddr,
				ImportState:             true,
				ImportStateId:           projectID + "/ci-deployer",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key"},
			},
			{
				Config: apiKeyConfig(s, projectID, "ci-deployer-renamed", `
  description = "deploys from CI"
  scopes      = ["read"]
  active      = false
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						// An update shows what it changes and nothing "(known after apply)".
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("next_rotation_at"), knownvalue.Null()),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key_prefix"), knownvalue.NotNull()),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("ci-deployer-renamed")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("disabled")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read")})),
					sameKey.AddStateValue(keyAddr, tfjsonpath.New("key")),
				},
				Check: checkKeyRejected(s, keyAddr),
			},
			{
				Config: apiKeyConfig(s, projectID, "ci-deployer-renamed", `
  description = "deploys from CI"
  scopes      = ["read"]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameKey.AddStateValue(keyAddr, tfjsonpath.New("key"))},
				Check:             checkKeyWorks(s, keyAddr),
			},
		},
	})
}

func TestAccAPIKey_revokedOutsideTerraformIsRecreated(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "revoked")
	config := apiKeyConfig(s, projectID, "svc", "")
	var firstID string
	newKey := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{newKey.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check:             resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&firstID)),
			},
			{
				PreConfig: func() {
					if err := s.Client.RevokeAPIKey(context.Background(), firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{newKey.AddStateValue(keyAddr, tfjsonpath.New("id"))}, // not the revoked key
				Check:             checkKeyWorks(s, keyAddr),
			},
		},
	})
}

func TestAccAPIKey_disabledRenamedRescopedOutsideTerraformIsPlannedBack(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "drift")
	config := apiKeyConfig(s, projectID, "svc", `scopes = ["read"]`)
	var id string
	sameKey := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{sameKey.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check:             resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&id)),
			},
			{
				PreConfig: func() {
					name, active, scopes := "renamed-by-hand", false, []string{"write"}
					_, err := s.Client.UpdateAPIKey(context.Background(), id, client.UpdateAPIKeyRequest{Name: &name, Active: &active, Scopes: &scopes})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("active"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("svc")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				// An update, not a replacement: the same key.
				ConfigStateChecks: []statecheck.StateCheck{sameKey.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check: checkServerKey(s, keyAddr, func(k *client.APIKey) error {
					if k.Name != "svc" || !k.Active || len(k.Scopes) != 1 || k.Scopes[0] != "read" {
						return fmt.Errorf("server key not planned back to config: %+v", k)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAPIKey_usageCausesNoDiff(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "usage")
	config := apiKeyConfig(s, projectID, "svc", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config, Check: checkKeyWorks(s, keyAddr)},
			{
				// The check above verified the key, so last_used_at changed on the server.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkServerKey(s, keyAddr, func(k *client.APIKey) error {
					if k.LastUsedAt == nil {
						return errors.New("last_used_at not recorded: the test did not use the key")
					}
					return nil
				}),
			},
			{Config: config, PlanOnly: true},
		},
	})
}

func TestAccAPIKey_planTimeValidation(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "validation")
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cases := map[string]struct {
		name, extra string
		want        string
	}{
		"empty name":        {"", "", `(?s)Attribute name string length must be between 1 and 255`},
		"long name":         {strings.Repeat("n", 256), "", `(?s)Attribute name string length must be between 1 and 255`},
		"bad scope":         {"svc", `scopes = ["Read"]`, `(?s)Attribute scopes\[Value\("Read"\)\].*must start with a lowercase letter`},
		"too many scopes":   {"svc", fmt.Sprintf("scopes = [%s]", manyScopes(51)), `(?s)Attribute scopes set must contain at most 50 elements`},
		"malformed expiry":  {"svc", `expires_at = "tomorrow"`, `(?s)Invalid Time.*expires_at = "tomorrow".*"tomorrow" is not an RFC 3339 time`},
		"past expiry":       {"svc", fmt.Sprintf("expires_at = %q", past), `(?s)expires_at .* is not in the future`},
		"bad grace":         {"svc", `rotation_grace_period = "1 day"`, `(?s)Invalid Duration.*rotation_grace_period = "1 day".*"1 day" is not a duration`},
		"bad rotation_days": {"svc", `rotation_days = 0`, `(?s)Attribute rotation_days value must be between 1 and 3650`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: s.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      apiKeyConfig(s, projectID, tc.name, tc.extra),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if keys := s.LiveKeys(t, projectID); len(keys) != 0 {
		t.Errorf("plan-time errors created %d keys", len(keys))
	}
}

func manyScopes(n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += fmt.Sprintf("%q,", fmt.Sprintf("s%d", i))
	}
	return out
}

// capture stores an attribute's value for a later step.
func capture(dst *string) resource.CheckResourceAttrWithFunc {
	return func(v string) error {
		*dst = v
		return nil
	}
}

// checkKeyWorks verifies the key in state against the server.
func checkKeyWorks(s *acctest.Server, addr string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		rs, ok := st.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		res, err := s.Client.Verify(context.Background(), rs.Primary.Attributes["key"])
		if err != nil {
			return fmt.Errorf("key in state does not verify: %w", err)
		}
		if res.ID != rs.Primary.ID {
			return fmt.Errorf("key verifies as %s, state says %s", res.ID, rs.Primary.ID)
		}
		return nil
	}
}

// checkKeyRejected asserts that the key in state does not verify.
func checkKeyRejected(s *acctest.Server, addr string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		rs := st.RootModule().Resources[addr]
		_, err := s.Client.Verify(context.Background(), rs.Primary.Attributes["key"])
		if !errors.Is(err, client.ErrUnauthorized) {
			return fmt.Errorf("want 401 from verify, got %v", err)
		}
		return nil
	}
}

// checkServerKey reads the key in state from the server and hands it to check.
func checkServerKey(s *acctest.Server, addr string, check func(*client.APIKey) error) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		rs := st.RootModule().Resources[addr]
		k, err := s.Client.GetAPIKey(context.Background(), rs.Primary.ID)
		if err != nil {
			return err
		}
		return check(k)
	}
}

// checkAllRevoked asserts through the API that destroy left no live key in the project.
func checkAllRevoked(s *acctest.Server, projectID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keys, err := s.Client.ListAllAPIKeys(context.Background(), client.ListAPIKeysOptions{ProjectID: projectID, IncludeRevoked: true})
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return errors.New("no keys at all: the test created none")
		}
		for _, k := range keys {
			if k.RevokedAt == nil && k.ReplacedByKeyID == nil {
				return fmt.Errorf("key %s (%s) is still live after destroy", k.ID, k.Name)
			}
		}
		return nil
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
