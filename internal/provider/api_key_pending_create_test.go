package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// TestAccAPIKey_interruptedCreateLeavesNoOrphan makes a create fail for good (every attempt's
// answer lost), with the key created on the server (drop-after-commit) or not (drop before the
// server): the apply fails with a clear error, and the next apply, with the network healed,
// neither fails on the taken name nor leaves the first key live and unmanaged.
func TestAccAPIKey_interruptedCreateLeavesNoOrphan(t *testing.T) {
	for _, fault := range []acctest.Fault{acctest.DropAfterCommit, acctest.DropBeforeServer, acctest.Status502} {
		for _, then := range []string{"apply", "destroy"} {
			t.Run(fault.Name+"/"+then, func(t *testing.T) {
				t.Parallel()
				testInterruptedCreate(t, fault, then)
			})
		}
	}
}

func testInterruptedCreate(t *testing.T, fault acctest.Fault, then string) {
	s := acctest.NewServer(t)
	proxy := acctest.NewFaultProxy(t, s.URL, 1)
	projectID := s.CreateProject(t, "interrupted")
	config := func(count int) string {
		return fmt.Sprintf(`
provider "keyservice" {
  endpoint    = %[1]q
  token       = %[2]q
  max_retries = 2
}

resource "keyservice_api_key" "test" {
  count      = %[3]d
  project_id = %[4]q
  name       = "interrupted"
}
`, proxy.URL, s.AdminToken, count, projectID)
	}
	committed := func(want int) func() {
		return func() {
			proxy.Reset()
			if _, all := serverKeys(t, s, projectID); len(all) != want {
				t.Errorf("%d keys on the server after the failed create and a plan, want %d", len(all), want)
			}
		}
	}
	firstCommitted := 0
	if fault.Forward {
		firstCommitted = 1
	}
	final := resource.TestStep{
		PreConfig: committed(firstCommitted),
		Config:    config(1),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("keyservice_api_key.test[0]", plancheck.ResourceActionReplace)},
		},
		Check: func(st *terraform.State) error {
			live, all := serverKeys(t, s, projectID)
			inState := stateKeys(st)
			if len(live) != 1 || len(inState) != 1 {
				return fmt.Errorf("%d live keys, %d in state; want 1 and 1", len(live), len(inState))
			}
			for id, secret := range inState {
				if _, ok := live[id]; !ok {
					return fmt.Errorf("the key in state, %s, is not the live one", id)
				}
				if v, err := s.Client.Verify(context.Background(), secret); err != nil || v.ID != id {
					return fmt.Errorf("the secret in state does not verify: %v", err)
				}
			}
			// The settled key (the first attempt's, or one made while settling) is revoked.
			if len(all) != 2 {
				return fmt.Errorf("%d keys on the server in all, want 2: the settled one (revoked) and the new one", len(all))
			}
			return nil
		},
	}
	if then == "destroy" {
		final = resource.TestStep{
			PreConfig: committed(firstCommitted),
			Config:    config(0),
			Check: func(*terraform.State) error {
				if live, _ := serverKeys(t, s, projectID); len(live) != 0 {
					return fmt.Errorf("%d live keys after removing the resource, want 0", len(live))
				}
				return nil
			},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(provider.WithRetryWaits(time.Millisecond, 5*time.Millisecond)),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { proxy.Set(&acctest.FaultRule{Pattern: "POST /v1/api-keys", Fault: fault, Rate: 1}) },
				Config:      config(1),
				ExpectError: regexp.MustCompile(`(?s)Error Creating API Key.*Could not create API key "interrupted"`),
			},
			{
				PreConfig: proxy.Reset,
				Config:    config(1),
				PlanOnly:  true,
				// The pending create is tainted: the plan replaces it, and making that plan
				// sends nothing that could create a key.
				ExpectNonEmptyPlan: true,
			},
			final,
		},
	})
	if _, all := serverKeys(t, s, projectID); then == "destroy" {
		for _, k := range all {
			if k.RevokedAt == nil {
				t.Errorf("key %s is still live", k.ID)
			}
		}
	}
}
