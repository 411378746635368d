package provider_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// faultRates are the shares of matching requests a fault hits: a one-off, then 10% and 30% of
// requests drawn from a seeded RNG.
var faultRates = []struct {
	name  string
	rate  float64
	limit int
}{{"once", 1, 1}, {"10pct", 0.10, 0}, {"30pct", 0.30, 0}}

// faultMatrixKeys is how many keys each case manages, so that a rate hits some and not others.
const faultMatrixKeys = 5

// matrixTally counts the outcome of every (fault, rate, operation) cell.
type matrixTally struct {
	mu                                                             sync.Mutex
	cases, converged, failedClearly, duplicates, orphans, leaks    int
	injected, retriedPOSTs, idempotencyKeysChecked, ifMatchRetries int
}

func (m *matrixTally) add(f func(m *matrixTally)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m)
}

// TestFaultMatrix injects each fault of the fault proxy into each operation the key resource
// performs (create, read, update, rotate, revoke), at each rate, through real plan/apply
// cycles. After every apply the server must hold exactly the keys the state says: no
// duplicate (counted with revoked and replaced keys too), no orphan (a live key the state does
// not hold), every secret in state genuine (it verifies) and none in the server's log. A lost
// create or rotate answer must be recovered through the Idempotency-Key the client reuses on
// retries, not by a second key.
func TestFaultMatrix(t *testing.T) {
	tally := &matrixTally{}
	t.Run("cells", func(t *testing.T) {
		for _, fault := range acctest.AllFaults {
			for _, rate := range faultRates {
				rule := func(pattern string) *acctest.FaultRule {
					return &acctest.FaultRule{Pattern: pattern, Fault: fault, Rate: rate.rate, Limit: rate.limit}
				}
				t.Run(fault.Name+"/"+rate.name, func(t *testing.T) {
					t.Parallel()
					runFaultCase(t, fault.Name+"/"+rate.name, rule, tally)
				})
			}
		}
	})
	tally.mu.Lock()
	defer tally.mu.Unlock()
	t.Logf("fault matrix: %d cells (%d faults x %d rates x 5 operations), %d converged, %d failed with a clear error, "+
		"%d duplicates, %d orphans, %d leaks; %d faults injected, %d retried POSTs checked for one Idempotency-Key per call "+
		"(%d logical calls), %d PATCH retries answered 412 and reconciled",
		tally.cases, len(acctest.AllFaults), len(faultRates), tally.converged, tally.failedClearly,
		tally.duplicates, tally.orphans, tally.leaks, tally.injected, tally.retriedPOSTs, tally.idempotencyKeysChecked, tally.ifMatchRetries)
	if tally.duplicates+tally.orphans+tally.leaks != 0 {
		t.Errorf("the matrix found %d duplicates, %d orphans and %d leaks", tally.duplicates, tally.orphans, tally.leaks)
	}
}

func runFaultCase(t *testing.T, name string, rule func(pattern string) *acctest.FaultRule, tally *matrixTally) {
	s := acctest.NewServer(t)
	seed := fnv.New64a()
	seed.Write([]byte(name))
	proxy := acctest.NewFaultProxy(t, s.URL, seed.Sum64())
	projectID := s.CreateProject(t, "faults")

	config := func(count int, description, trigger string) string {
		return fmt.Sprintf(`
provider "keyservice" {
  endpoint        = %[1]q
  token           = %[2]q
  max_retries     = 10
  request_timeout = "1s"
}

resource "keyservice_api_key" "k" {
  count           = %[3]d
  project_id      = %[4]q
  name            = "key-${count.index}"
  description     = %[5]q
  rotate_triggers = { t = %[6]q }
}
`, proxy.URL, s.AdminToken, count, projectID, description, trigger)
	}

	var (
		current *acctest.FaultRule
		created = map[string]bool{} // every key id Terraform ever held, to count duplicates
	)
	arm := func(pattern string) func() {
		return func() {
			proxy.Reset()
			current = rule(pattern)
			proxy.Set(current)
		}
	}
	// cell checks one operation's outcome against the server and records it in the tally.
	cell := func(op string, wantTotal, wantPOSTKeys int, postPattern string, check func(live map[string]client.APIKey) error) resource.TestCheckFunc {
		return func(st *terraform.State) error {
			inState := stateKeys(st)
			for id := range inState {
				created[id] = true
			}
			live, all := serverKeys(t, s, projectID)
			var problems []string
			dup, orphans, leaks := 0, 0, 0
			if len(all) > wantTotal {
				dup = len(all) - wantTotal
				problems = append(problems, fmt.Sprintf("%d keys on the server (revoked and replaced included), want %d", len(all), wantTotal))
			}
			for id := range live {
				if _, ok := inState[id]; !ok {
					orphans++
					problems = append(problems, "live key "+id+" is not in the state")
				}
			}
			for id, secret := range inState {
				if _, ok := live[id]; !ok {
					problems = append(problems, "key "+id+" in the state is not live on the server")
				}
				if secret == "" {
					problems = append(problems, "key "+id+" has no secret in the state")
					continue
				}
				if v, err := s.Client.Verify(context.Background(), secret); err != nil || v.ID != id {
					problems = append(problems, fmt.Sprintf("the secret in the state for %s does not verify as it: %v", id, err))
				}
				if strings.Contains(s.ServerLog(), secret) {
					leaks++
					problems = append(problems, "the secret of "+id+" is in the server log")
				}
			}
			if check != nil {
				if err := check(live); err != nil {
					problems = append(problems, err.Error())
				}
			}
			reqs := proxy.Requests()
			retried, calls, ifMatch412 := 0, 0, 0
			if postPattern != "" {
				retried, calls, problems = checkIdempotencyKeys(reqs, postPattern, wantPOSTKeys, problems)
			}
			for _, r := range reqs {
				if r.Method == "PATCH" && r.Status == 412 {
					ifMatch412++
				}
			}
			tally.add(func(m *matrixTally) {
				m.cases++
				if len(problems) == 0 {
					m.converged++
				}
				m.duplicates += dup
				m.orphans += orphans
				m.leaks += leaks
				m.injected += current.Injected()
				m.retriedPOSTs += retried
				m.idempotencyKeysChecked += calls
				m.ifMatchRetries += ifMatch412
			})
			if len(problems) > 0 {
				return fmt.Errorf("%s under %s: %s", op, current, strings.Join(problems, "; "))
			}
			return nil
		}
	}

	n := faultMatrixKeys
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(provider.WithRetryWaits(5*time.Millisecond, 50*time.Millisecond)),
		Steps: []resource.TestStep{
			{
				PreConfig: arm("POST /v1/api-keys"),
				Config:    config(n, "a", "1"),
				Check:     cell("create", n, n, "POST /v1/api-keys", nil),
			},
			{
				PreConfig: arm("GET /v1/api-keys/{id}"),
				Config:    config(n, "a", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: cell("read", n, 0, "", nil),
			},
			{
				PreConfig: arm("PATCH /v1/api-keys/{id}"),
				Config:    config(n, "b", "1"),
				Check: cell("update", n, 0, "", func(live map[string]client.APIKey) error {
					for id, k := range live {
						if k.Description != "b" {
							return fmt.Errorf("key %s has description %q after the update, want \"b\"", id, k.Description)
						}
					}
					return nil
				}),
			},
			{
				PreConfig: arm("POST /v1/api-keys/{id}/rotate"),
				Config:    config(n, "b", "2"),
				Check: cell("rotate", 2*n, n, "POST /v1/api-keys/{id}/rotate", func(live map[string]client.APIKey) error {
					if len(live) != n {
						return fmt.Errorf("%d live keys after rotating %d", len(live), n)
					}
					return nil
				}),
			},
			{
				PreConfig: arm("DELETE /v1/api-keys/{id}"),
				Config:    config(0, "b", "2"),
				Check: cell("revoke", 2*n, 0, "", func(live map[string]client.APIKey) error {
					if len(live) != 0 {
						return fmt.Errorf("%d keys still live after destroying all", len(live))
					}
					return nil
				}),
			},
		},
	})
	if len(created) != 2*n {
		t.Errorf("Terraform held %d distinct keys over the case, want %d (n created + n rotated)", len(created), 2*n)
	}
}

// stateKeys maps each key id in the state to its secret.
func stateKeys(st *terraform.State) map[string]string {
	out := map[string]string{}
	for addr, r := range st.RootModule().Resources {
		if r.Type == "keyservice_api_key" && strings.HasPrefix(addr, "keyservice_api_key.") {
			out[r.Primary.ID] = r.Primary.Attributes["key"]
		}
	}
	return out
}

// serverKeys returns the project's live keys and all of its keys, revoked and replaced too,
// read straight from the server (not through the proxy).
func serverKeys(t *testing.T, s *acctest.Server, projectID string) (map[string]client.APIKey, []client.APIKey) {
	t.Helper()
	all, err := s.Client.ListAllAPIKeys(context.Background(), client.ListAPIKeysOptions{ProjectID: projectID, IncludeRevoked: true})
	if err != nil {
		t.Fatalf("list keys: %v", err)
	}
	live := map[string]client.APIKey{}
	for _, k := range all {
		if k.RevokedAt == nil && k.ReplacedByKeyID == nil {
			live[k.ID] = k
		}
	}
	return live, all
}

// checkIdempotencyKeys holds the client to one Idempotency-Key per logical POST, reused by
// every retry: as many distinct keys as logical calls, none missing, and every request the
// proxy faulted retried under the same key.
func checkIdempotencyKeys(reqs []acctest.ProxiedRequest, pattern string, wantCalls int, problems []string) (retried, calls int, _ []string) {
	_, pathPattern, _ := strings.Cut(pattern, " ")
	segments := strings.Split(pathPattern, "/")
	matches := func(r acctest.ProxiedRequest) bool {
		got := strings.Split(r.Path, "/")
		if r.Method != "POST" || len(got) != len(segments) {
			return false
		}
		for i, s := range segments {
			if !strings.HasPrefix(s, "{") && s != got[i] {
				return false
			}
		}
		return true
	}
	perKey := map[string][]acctest.ProxiedRequest{}
	for _, r := range reqs {
		if !matches(r) {
			continue
		}
		if r.IdempotencyKey == "" {
			problems = append(problems, "a POST "+r.Path+" went out without an Idempotency-Key")
			continue
		}
		perKey[r.IdempotencyKey] = append(perKey[r.IdempotencyKey], r)
	}
	keys := make([]string, 0, len(perKey))
	for k := range perKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attempts := perKey[k]
		paths := map[string]bool{}
		for _, a := range attempts {
			paths[a.Path] = true
		}
		if len(paths) != 1 {
			problems = append(problems, fmt.Sprintf("Idempotency-Key %s was used for %d different paths", k, len(paths)))
		}
		if len(attempts) > 1 {
			retried++
		}
		if i := slices.IndexFunc(attempts, func(a acctest.ProxiedRequest) bool { return a.Fault != "" }); i == len(attempts)-1 {
			problems = append(problems, fmt.Sprintf("the last attempt under Idempotency-Key %s was faulted (%s) and never retried", k, attempts[i].Fault))
		}
	}
	if len(perKey) != wantCalls {
		problems = append(problems, fmt.Sprintf("%d distinct Idempotency-Keys on %s, want one per logical call: %d", len(perKey), pattern, wantCalls))
	}
	return retried, len(perKey), problems
}
