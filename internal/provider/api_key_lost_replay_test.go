package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// TestAccAPIKey_createRetriedWithoutReplayRecord covers the one window the Idempotency-Key
// does not: a create committed, its answer lost, and its replay record never written (the
// server died between the two writes). The retry then meets the new key's own name: 409. That
// 409 answers a retry whose first attempt may have been applied, so the create is recorded as
// pending, not forgotten; the next apply, finding no replay record either, finds the key by
// name (made after the attempt began), revokes it and creates the key anew: no orphan.
// The proxy stands in for the lost record by giving every create attempt a key the server has
// not seen.
func TestAccAPIKey_createRetriedWithoutReplayRecord(t *testing.T) {
	s := acctest.NewServer(t)
	proxy := acctest.NewFaultProxy(t, s.URL, 1)
	projectID := s.CreateProject(t, "lost-record")
	var n atomic.Int64
	forgetRecords := acctest.Fault{Name: "replay-record-lost", Forward: true, Before: func(r *http.Request) {
		r.Header.Set("Idempotency-Key", fmt.Sprintf("%s-unseen-%d", r.Header.Get("Idempotency-Key"), n.Add(1)))
	}}
	config := fmt.Sprintf(`
provider "keyservice" {
  endpoint    = %[1]q
  token       = %[2]q
  max_retries = 2
}

resource "keyservice_api_key" "test" {
  project_id = %[3]q
  name       = "lost-record"
}
`, proxy.URL, s.AdminToken, projectID)
	rules := func(first bool) func() {
		return func() {
			var set []*acctest.FaultRule
			if first {
				set = append(set, &acctest.FaultRule{Pattern: "POST /v1/api-keys", Fault: acctest.DropAfterCommit, Rate: 1, Limit: 1})
			}
			proxy.Set(append(set, &acctest.FaultRule{Pattern: "POST /v1/api-keys", Fault: forgetRecords, Rate: 1})...)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(provider.WithRetryWaits(time.Millisecond, 5*time.Millisecond)),
		Steps: []resource.TestStep{
			{
				PreConfig:   rules(true),
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)409 conflict.*already\s+exists`),
			},
			{
				PreConfig: rules(false),
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionReplace)},
				},
				Check: func(st *terraform.State) error {
					live, all := serverKeys(t, s, projectID)
					id := st.RootModule().Resources[keyAddr].Primary.ID
					if len(live) != 1 || !live[id].Active || len(all) != 2 {
						return fmt.Errorf("%d live keys (want 1, the one in state, %s), %d in all (want 2: the first, revoked)", len(live), id, len(all))
					}
					return nil
				},
			},
		},
	})
}
