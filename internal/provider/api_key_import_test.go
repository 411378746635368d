package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// seedKeys creates n keys through the API, as a team's scripts did before Terraform.
func seedKeys(t *testing.T, s *acctest.Server, projectID string, n int) []*client.APIKey {
	t.Helper()
	keys := make([]*client.APIKey, 0, n)
	for i := range n {
		active := i%5 != 4
		req := client.CreateAPIKeyRequest{
			ProjectID:   projectID,
			Name:        fmt.Sprintf("legacy-%02d", i),
			Description: fmt.Sprintf("made by hand #%d", i),
			Scopes:      []string{"read", fmt.Sprintf("team:%d", i%3)},
			Active:      &active,
		}
		if i%4 == 0 {
			exp := time.Now().Add(time.Duration(90+i) * 24 * time.Hour).UTC().Truncate(time.Second)
			req.ExpiresAt = &exp
		}
		k, err := s.Client.CreateAPIKey(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return keys
}

// expectImports asserts that the plan imports exactly n resources and changes nothing else.
type expectImports int

func (n expectImports) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	imported := 0
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change.Importing != nil {
			imported++
		}
		if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			resp.Error = fmt.Errorf("%s: planned %v, want only imports", rc.Address, rc.Change.Actions)
			return
		}
	}
	if imported != int(n) {
		resp.Error = fmt.Errorf("the plan imports %d resources, want %d", imported, int(n))
	}
}

// TestAccAPIKey_importByIdentity imports a key with `import { identity = {...} }`, by project
// and name. Resource identity needs OpenTofu 1.12 (or Terraform 1.12); Terraform 1.8.5 skips it.
func TestAccAPIKey_importByIdentity(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "identity")
	keys := seedKeys(t, s, projectID, 1)

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: s.ProviderBlock() + fmt.Sprintf(`
import {
  to       = keyservice_api_key.k
  identity = {
    project_id = %[1]q
    name       = "legacy-00"
  }
}

resource "keyservice_api_key" "k" {
  project_id  = %[1]q
  name        = "legacy-00"
  description = "made by hand #0"
  scopes      = ["read", "team:0"]
  expires_at  = %[2]q
}
`, projectID, keys[0].ExpiresAt.Format(time.RFC3339)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{expectImports(1)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("keyservice_api_key.k", tfjsonpath.New("id"), knownvalue.StringExact(keys[0].ID)),
					statecheck.ExpectIdentity("keyservice_api_key.k", map[string]knownvalue.Check{
						"id":         knownvalue.StringExact(keys[0].ID),
						"project_id": knownvalue.StringExact(projectID),
						"name":       knownvalue.StringExact("legacy-00"),
					}),
				},
			},
		},
	})
}

// TestAccAPIKey_generatedConfigRoundTrip lets the CLI write the configuration of imported keys
// (`plan -generate-config-out`) and asserts that it is valid as written: the apply imports,
// the next plan is empty, and the secret is reported as not recoverable.
func TestAccAPIKey_generatedConfigRoundTrip(t *testing.T) {
	t.Parallel()
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "generated")
	keys := seedKeys(t, s, projectID, 5)
	w := s.NewWorkspace(t)
	var imports strings.Builder
	imports.WriteString(acctest.RequiredProviders("keyservice") + "provider \"keyservice\" {}\n")
	for i, k := range keys {
		fmt.Fprintf(&imports, "\nimport {\n  to = keyservice_api_key.k%d\n  id = %q\n}\n", i, k.ID)
	}
	w.Write(imports.String())

	out := w.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	if !strings.Contains(out, "API Key Secret Not Recoverable") {
		t.Errorf("the import plan does not warn that the secret is not recoverable:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(w.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, computedOnly := range []string{"key ", "key_prefix", "status", "created_at", "next_rotation_at", "previous_key_id"} {
		if strings.Contains(string(generated), "\n  "+computedOnly) {
			t.Errorf("the generated configuration sets the computed-only attribute %q:\n%s", computedOnly, generated)
		}
	}
	w.MustRun("apply", "-auto-approve", "-input=false")
	if code, out := w.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after adopting with generated configuration: exit %d, want 0:\n%s\ngenerated:\n%s", code, out, generated)
	}
	if got := len(w.State(t).Resources); got != len(keys) {
		t.Errorf("state holds %d resources, want %d", got, len(keys))
	}
}

// TestAccAPIKey_importErrorsNameTheAcceptedForms asserts that an import ID that is neither an
// ID nor "project_id/name", or names no live key, fails with an error that says what works.
func TestAccAPIKey_importErrorsNameTheAcceptedForms(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "import-errors")
	config := apiKeyConfig(s, projectID, "svc", "")
	for id, want := range map[string]string{
		projectID + "/":           `(?s)Invalid Import ID.*by its ID, or by "project_id/name"`,
		"/svc":                    `(?s)Invalid Import ID`,
		projectID + "/no-such":    `(?s)Error Importing API key.*find API key "no-such" in project`,
		"key_doesnotexist0000000": `(?s)Cannot import non-existent remote object|API Key Deleted Outside Terraform`,
	} {
		t.Run(id, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: s.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:        config,
					ResourceName:  keyAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(want),
				}},
			})
		})
	}
}
