package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// TestAccLeastPrivilege_keysWriteKey runs Terraform with a keys:write key of a project as its
// token, as a team that manages its keys but not its project would: it creates, updates,
// rotates and destroys keys, and reads the project's service accounts; it may not create a
// service account (the diagnostic names keys:admin and says what each workflow needs), nor
// grant a scope it does not hold (the diagnostic names the scope), and a refused apply leaves
// the project as it was.
func TestAccLeastPrivilege_keysWriteKey(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "team")
	ctx := context.Background()
	robot, err := s.Client.CreateServiceAccount(ctx, client.CreateServiceAccountRequest{ProjectID: projectID, Name: "robot"})
	if err != nil {
		t.Fatal(err)
	}
	writer := s.CreateKey(t, projectID, "team-terraform", "keys:write", "deploy:read")
	config := func(scopes, extra string) string {
		return fmt.Sprintf(`
provider "keyservice" {
  endpoint   = %[1]q
  token      = %[2]q
  project_id = %[3]q
}

data "keyservice_service_account" "robot" {
  name = "robot"
}

resource "keyservice_api_key" "deployer" {
  service_account_id = data.keyservice_service_account.robot.id
  name               = "deployer"
  scopes             = %[4]s
}
%[5]s`, s.URL, writer, projectID, scopes, extra)
	}
	serviceAccount := `
resource "keyservice_service_account" "new" {
  name = "another-robot"
}
`
	rotated := func(n string) string {
		return fmt.Sprintf(`
resource "keyservice_api_key" "rotated" {
  name            = "rotated"
  scopes          = ["keys:read"]
  rotate_triggers = { n = %q }
}
`, n)
	}
	liveKeys := func() int { return len(s.LiveKeys(t, projectID)) }
	var keysBefore int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := liveKeys(); n != 1 { // the team's own key
				return fmt.Errorf("%d live keys after destroy, want 1", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(`["deploy:read"]`, ""),
				Check: func(st *terraform.State) error {
					if got := st.RootModule().Resources[keyAddr2].Primary.Attributes["service_account_id"]; got != robot.ID {
						return fmt.Errorf("service_account_id = %q, want %q", got, robot.ID)
					}
					return nil
				},
			},
			{
				Config: config(`["deploy:read", "keys:read"]`, rotated("1")),
			},
			{
				PreConfig: func() { keysBefore = liveKeys() },
				Config:    config(`["deploy:read", "keys:read"]`, rotated("2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("keyservice_api_key.rotated", plancheck.ResourceActionUpdate)},
				},
			},
			{
				PreConfig:   func() { keysBefore = liveKeys() },
				Config:      config(`["deploy:read", "keys:read"]`, rotated("2")+serviceAccount),
				ExpectError: regexp.MustCompile(`(?s)Error Creating Service Account.*lacks\s+the\s+keys:admin\s+scope.*plan,\s+refresh\s+and\s+drift\s+detection\s+need\s+keys:read`),
			},
			{
				Config:      config(`["deploy:read", "deploy:write"]`, rotated("2")),
				ExpectError: regexp.MustCompile(`(?s)Error Updating API Key.*does\s+not\s+hold\s+the\s+scope\s+deploy:write`),
			},
			{
				PreConfig: func() {
					if n := liveKeys(); n != keysBefore {
						t.Errorf("%d live keys after the refused applies, want %d", n, keysBefore)
					}
					page, err := s.Client.ListServiceAccounts(ctx, client.ListServiceAccountsOptions{ProjectID: projectID})
					if err != nil || len(page.Items) != 1 {
						t.Errorf("service accounts after the refused apply: %+v, %v", page, err)
					}
					k, err := s.Client.FindAPIKeyByName(ctx, projectID, "deployer")
					if err != nil || slices.Contains(k.Scopes, "deploy:write") {
						t.Errorf("the deployer key after the refused widening: %+v, %v", k, err)
					}
				},
				Config: config(`["deploy:read"]`, ""),
			},
		},
	})
}

const keyAddr2 = "keyservice_api_key.deployer"
