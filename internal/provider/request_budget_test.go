package provider_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// budgetKeys is how many keys the request budget test manages.
const budgetKeys = 10

// budgetConfig is budgetKeys keys in one project; the first key's description is a parameter so
// that one key can be updated alone.
func budgetConfig(projectID, firstDescription, extra string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    keyservice = { source = "keyservice/keyservice" }
  }
}

provider "keyservice" {}

resource "keyservice_api_key" "k" {
  count       = %[3]d
  project_id  = %[1]q
  name        = "budget-${count.index}"
  description = count.index == 0 ? %[2]q : ""
}
%[4]s`, projectID, firstDescription, budgetKeys, extra)
}

// TestAccRequestBudget counts, on the server, every request the real CLI makes through the
// provider in each phase of a key set's life, and holds each count exactly: a request more is a
// regression in what every user's plan costs. Terraform refreshes every resource in state before
// it plans (plan, apply and destroy alike), so a refreshing phase costs one GET per key on top of
// its writes; the write-only figures come from the same phases run with -refresh=false.
func TestAccRequestBudget(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "budget")
	w := s.NewWorkspace(t)
	w.Write(budgetConfig(projectID, "", ""))

	n := uint64(budgetKeys)
	gets := acctest.Requests{"GET /v1/api-keys/{id} 200": n}

	// Nothing in state yet, so nothing to refresh: one create per key, and the create's answer
	// is the whole state (no read after the write).
	expectRequests(t, s, "apply of new keys", func() { w.MustRun("apply", "-auto-approve") },
		acctest.Requests{"POST /v1/api-keys 201": n})

	// A plan with nothing to change is the refresh alone: one GET per key.
	expectRequests(t, s, "plan without changes", func() {
		if code, out := w.Run("plan", "-detailed-exitcode"); code != 0 {
			t.Fatalf("plan -detailed-exitcode exited %d, want 0:\n%s", code, out)
		}
	}, gets)

	// Changing one key's description is one PATCH, whose answer is the new state; with the
	// refresh before the plan, one GET per key besides.
	w.Write(budgetConfig(projectID, "changed", ""))
	expectRequests(t, s, "apply of one update", func() { w.MustRun("apply", "-auto-approve") },
		with(gets, acctest.Requests{"PATCH /v1/api-keys/{id} 200": 1}))
	w.Write(budgetConfig(projectID, "changed again", ""))
	expectRequests(t, s, "apply of one update, -refresh=false", func() { w.MustRun("apply", "-auto-approve", "-refresh=false") },
		acctest.Requests{"PATCH /v1/api-keys/{id} 200": 1})

	// Importing reads the imported key once, and nothing else: `import` does not refresh the
	// rest of the state.
	outside, err := s.Client.CreateAPIKey(ctx(), client.CreateAPIKeyRequest{ProjectID: projectID, Name: "made-outside"})
	if err != nil {
		t.Fatal(err)
	}
	imported := `
resource "keyservice_api_key" "imported" {
  project_id = ` + fmt.Sprintf("%q", projectID) + `
  name       = "made-outside"
}
`
	w.Write(budgetConfig(projectID, "changed again", imported))
	expectRequests(t, s, "import", func() { w.MustRun("import", "keyservice_api_key.imported", outside.ID) },
		acctest.Requests{"GET /v1/api-keys/{id} 200": 1})

	// An import block costs the same one read, beside the refresh of what is in state (the
	// budget keys and the key imported above): still no write.
	outside2, err := s.Client.CreateAPIKey(ctx(), client.CreateAPIKeyRequest{ProjectID: projectID, Name: "made-outside-2"})
	if err != nil {
		t.Fatal(err)
	}
	importBlock := imported + `
import {
  to = keyservice_api_key.imported2
  id = ` + fmt.Sprintf("%q", outside2.ID) + `
}

resource "keyservice_api_key" "imported2" {
  project_id = ` + fmt.Sprintf("%q", projectID) + `
  name       = "made-outside-2"
}
`
	w.Write(budgetConfig(projectID, "changed again", importBlock))
	expectRequests(t, s, "apply with an import block", func() { w.MustRun("apply", "-auto-approve") },
		acctest.Requests{"GET /v1/api-keys/{id} 200": (n + 1) + 1})

	// Destroy refreshes every key, then revokes each once.
	expectRequests(t, s, "destroy", func() { w.MustRun("destroy", "-auto-approve") },
		acctest.Requests{"GET /v1/api-keys/{id} 200": n + 2, "DELETE /v1/api-keys/{id} 204": n + 2})
}

// TestAccRequestBudget_noRefresh holds the write-only budgets: apply and destroy with
// -refresh=false make exactly one write per key and no read.
func TestAccRequestBudget_noRefresh(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "budget")
	w := s.NewWorkspace(t)
	w.Write(budgetConfig(projectID, "", ""))
	n := uint64(budgetKeys)

	expectRequests(t, s, "apply of new keys, -refresh=false", func() { w.MustRun("apply", "-auto-approve", "-refresh=false") },
		acctest.Requests{"POST /v1/api-keys 201": n})
	expectRequests(t, s, "plan, -refresh=false", func() {
		if code, out := w.Run("plan", "-detailed-exitcode", "-refresh=false"); code != 0 {
			t.Fatalf("plan -detailed-exitcode -refresh=false exited %d, want 0:\n%s", code, out)
		}
	}, acctest.Requests{})
	expectRequests(t, s, "destroy, -refresh=false", func() { w.MustRun("destroy", "-auto-approve", "-refresh=false") },
		acctest.Requests{"DELETE /v1/api-keys/{id} 204": n})
}

// expectRequests runs phase and fails the test unless the server answered exactly want.
func expectRequests(t *testing.T, s *acctest.Server, phase string, run func(), want acctest.Requests) {
	t.Helper()
	before := s.Requests()
	run()
	got := s.Requests().Since(before)
	if !maps.Equal(got, want) {
		t.Errorf("%s: the server answered\n%swant\n%s", phase, orNone(got), orNone(want))
	}
}

func with(a, b acctest.Requests) acctest.Requests {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func orNone(r acctest.Requests) string {
	if s := r.String(); strings.TrimSpace(s) != "" {
		return s
	}
	return "  (nothing)\n"
}
