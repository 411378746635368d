package provider_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccSecrets_neverLoggedAtTrace applies and rotates a key with TRACE logging of the CLI and
// the provider captured to files, and asserts that neither the created secrets nor the admin
// token appear anywhere in them, while the request logs themselves are there.
// Not parallel: it sets process environment variables.
func TestAccSecrets_neverLoggedAtTrace(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "redaction")
	logDir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logDir, "cli.log"))
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logDir, "provider-%s.log"))
	// The token comes from the environment, as in CI, so it is in no configuration file.
	t.Setenv("KEYSERVICE_ENDPOINT", s.URL)
	t.Setenv("KEYSERVICE_TOKEN", s.AdminToken)

	config := func(trigger string) string {
		return `
provider "keyservice" {}

resource "keyservice_api_key" "test" {
  project_id      = "` + projectID + `"
  name            = "logged"
  rotate_triggers = { n = "` + trigger + `" }
}
`
	}
	var secrets []string
	collect := func(st *terraform.State) error {
		secrets = append(secrets, st.RootModule().Resources[keyAddr].Primary.Attributes["key"])
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: collect},
			{Config: config("2"), Check: collect},
		},
	})

	var all strings.Builder
	files, _ := filepath.Glob(filepath.Join(logDir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	logs := all.String() + s.ServerLog()
	for _, want := range []string{"keyservice request", "keyservice response", "POST"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("the captured logs (%d bytes in %d files) lack %q: the test would not see a leak", len(logs), len(files), want)
		}
	}
	if len(secrets) != 2 || secrets[0] == "" || secrets[0] == secrets[1] {
		t.Fatalf("expected two different secrets from create and rotate, got %d", len(secrets))
	}
	for i, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %d appears in the TRACE logs", i)
		}
		if strings.Contains(logs, secret[:len(secret)-8]) {
			t.Errorf("most of secret %d appears in the TRACE logs", i)
		}
	}
	if strings.Contains(logs, s.AdminToken) {
		t.Error("the admin token appears in the TRACE logs")
	}
}
