package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccFrameworkLogs_arriveWhenAskedForAndStayRedacted runs the provider binary as Terraform
// does (main turns the framework's logs off unless a log is asked for) with a log asked for, by
// TF_LOG or by TF_LOG_PROVIDER: the framework's lines must be in Terraform's log, with the
// provider's own request logs, while no secret made by the run nor the token is.
func TestAccFrameworkLogs_arriveWhenAskedForAndStayRedacted(t *testing.T) {
	for _, ask := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		t.Run(ask, func(t *testing.T) {
			t.Parallel()
			s := acctest.NewServer(t)
			projectID := s.CreateProject(t, "logs")
			w := s.NewWorkspace(t)
			logPath := filepath.Join(t.TempDir(), "terraform.log")
			w.Setenv(ask, "TRACE")
			w.Setenv("TF_LOG_PATH", logPath)
			config := func(trigger string) string {
				return acctest.RequiredProviders("keyservice") + fmt.Sprintf(`
provider "keyservice" {}

resource "keyservice_api_key" "logged" {
  project_id      = %q
  name            = "logged"
  rotate_triggers = { n = %q }
}
`, projectID, trigger)
			}
			var secrets []string
			for _, trigger := range []string{"1", "2"} { // create, then rotate
				w.Write(config(trigger))
				w.MustRun("apply", "-auto-approve", "-input=false")
				secrets = append(secrets, w.State(t).Attr(t, "keyservice_api_key.logged", "key"))
			}

			raw, err := os.ReadFile(logPath)
			must(t, err)
			logs := string(raw)
			framework := strings.Count(logs, "@module=sdk.framework")
			if framework == 0 {
				t.Fatalf("%s=TRACE: no line of the framework (@module=sdk.framework) in %d bytes of log", ask, len(logs))
			}
			if !strings.Contains(logs, "keyservice request") || !strings.Contains(logs, "keyservice response body") {
				t.Fatalf("%s=TRACE: the provider's request logs are missing: the test would not see a leak", ask)
			}
			if secrets[0] == "" || secrets[0] == secrets[1] {
				t.Fatalf("want two different secrets from create and rotate, got %d characters and %d", len(secrets[0]), len(secrets[1]))
			}
			for i, secret := range secrets {
				if strings.Contains(logs, secret[:len(secret)-8]) {
					t.Errorf("%s=TRACE: secret %d (or most of it) is in the log", ask, i)
				}
			}
			if strings.Contains(logs, s.AdminToken) {
				t.Errorf("%s=TRACE: the admin token is in the log", ask)
			}
			t.Logf("observed with %s=TRACE: %d framework lines in %d bytes of log; neither secret nor the token in it", ask, framework, len(logs))
		})
	}
}
