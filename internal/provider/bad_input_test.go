package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// TestAccBadInput feeds the provider bad configuration and bad resource arguments, each on top
// of the plan-time cases of TestAccAPIKey_planTimeValidation and
// TestAccProvider_configurationErrors: every one must fail with an error that names the
// attribute or the setting and says what is expected (at plan time where the value is known
// then; otherwise at apply, with the key service's 4xx explained), never with a panic or a 500,
// and none may leave a key behind.
func TestAccBadInput(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "bad-input")
	other := s.CreateProject(t, "other")
	manager, err := s.Client.CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{ProjectID: other, Name: "manager", Scopes: []string{"keys:admin"}})
	if err != nil {
		t.Fatal(err)
	}
	provider := func(lines string) string {
		return fmt.Sprintf("provider \"keyservice\" {\n  endpoint = %q\n  token    = %q\n  %s\n}\n", s.URL, s.AdminToken, lines)
	}
	providerAt := func(endpoint, token, lines string) string {
		return fmt.Sprintf("provider \"keyservice\" {\n  endpoint = %q\n  token    = %q\n  %s\n}\n", endpoint, token, lines)
	}
	// A key service that takes connections and drops them; healed by the case's second step.
	dead := acctest.NewFaultProxy(t, s.URL, 1)
	dead.Set(&acctest.FaultRule{Pattern: "/", Fault: acctest.DropBeforeServer, Rate: 1})
	key := func(args string) string {
		return fmt.Sprintf("resource \"keyservice_api_key\" \"k\" {\n  project_id = %q\n  name       = \"k\"\n  %s\n}\n", projectID, args)
	}
	cases := []struct {
		name     string
		config   string
		planOnly bool // the error must come at plan time
		want     string
	}{
		// Provider configuration.
		{"endpoint with another scheme", providerAt("ftp://127.0.0.1:21", s.AdminToken, "") + key(""), true,
			`Invalid keyservice endpoint.*must be an absolute http\(s\) URL`},
		{"endpoint with a query", providerAt(s.URL+"/?tenant=a", s.AdminToken, "") + key(""), true,
			`Invalid keyservice endpoint.*must be an absolute http\(s\) URL`},
		{"endpoint that drops every connection", providerAt(dead.URL, s.AdminToken, "max_retries = 0") + key(""), false,
			`Error Creating API Key.*did not answer.*check endpoint`},
		{"request_timeout below a second", provider(`request_timeout = "10ms"`) + key(""), true,
			`Duration Out Of Range.*request_timeout.*between 1s and 10m0s`},
		{"request_timeout above ten minutes", provider(`request_timeout = "11m"`) + key(""), true,
			`Duration Out Of Range.*between 1s and 10m0s`},
		{"max_retries above 20", provider(`max_retries = 21`) + key(""), true,
			`max_retries value must be between 0 and 20`},
		{"otp of five digits", provider(`otp = "12345"`) + key(""), true,
			`otp.*must be the six digits of the current one-time code`},
		{"otp not digits", provider(`otp = "abcdef"`) + key(""), true,
			`otp.*must be the six digits of the current one-time code`},
		{"tls_ca_certificate not PEM", provider(`tls_ca_certificate = "not a certificate"`) + key(""), true,
			`Invalid tls_ca_certificate.*No PEM-encoded certificate`},
		{"token of another project's manager", providerAt(s.URL, manager.Key, "") + key(""), false,
			`Error Creating API Key.*404.*project not found.*or the token is an API key of another project`},

		// Resource arguments known at plan time.
		{"expires_at and expires_in_days", provider("") + key(`
  expires_at      = "2099-01-01T00:00:00Z"
  expires_in_days = 30`), true, `Invalid Attribute Combination.*expires_in_days`},
		{"expires_in_days zero", provider("") + key(`expires_in_days = 0`), true, `expires_in_days value must be between 1 and 3650`},
		{"expires_in_days too large", provider("") + key(`expires_in_days = 3651`), true, `expires_in_days value must be between 1 and 3650`},
		{"expires_at without zone", provider("") + key(`expires_at = "2099-01-01 00:00:00"`), true, `Invalid Time.*not an RFC 3339 time`},
		{"rotation_interval_days without a webhook", provider("") + key(`rotation_interval_days = 30`), true,
			`Invalid Attribute Combination.*rotation_webhook_url`},
		{"rotation_webhook_url not http", provider("") + key(`
  rotation_interval_days = 30
  rotation_webhook_url   = "ftp://hooks.example.com/rotated"`), true, `rotation_webhook_url.*must be an http:// or https:// URL`},
		{"deletion_policy unknown", provider("") + key(`deletion_policy = "DELETE"`), true,
			`deletion_policy value must be one of.*REVOKE.*DISABLE.*ABANDON`},
		{"rotation_grace_period negative", provider("") + key(`rotation_grace_period = "-1h"`), true,
			`Duration Out Of Range.*rotation_grace_period`},
		{"rotation_grace_period above 30 days", provider("") + key(`rotation_grace_period = "721h"`), true,
			`Duration Out Of Range.*between 0s and 720h0m0s`},
		{"description too long", provider("") + key(fmt.Sprintf("description = %q", strings.Repeat("d", 65536))), true,
			`description string length must be at most 65535`},
		{"scope too long", provider("") + key(fmt.Sprintf("scopes = [%q]", "a"+strings.Repeat("b", 64))), true,
			`scopes.*must start with a lowercase letter.*at most 64 characters`},
		{"scope with a space", provider("") + key(`scopes = ["read write"]`), true,
			`scopes.*must start with a lowercase letter`},

		// Resource arguments only the key service can judge: a 4xx at apply, explained.
		{"unknown project", provider("") + strings.Replace(key(""), projectID, "prj_00000000000000000000", 1), false,
			`Error Creating API Key.*404 not_found.*project`},
		{"unknown service account", provider("") + key(`service_account_id = "sa_00000000000000000000"`), false,
			`Error Creating API Key.*(404|400).*service_account_id`},
		{"unknown environment", provider("") + key(`environment_id = "env_00000000000000000000"`), false,
			`Error Creating API Key.*(404|400).*environment_id`},
		{"two keys with one name", provider("") + key("") + strings.Replace(key(""), `"k" {`, `"twin" {`, 1), false,
			`409 conflict.*already exists.*Another object already holds this name`},
	}
	// Cases whose fault is healed in a second step, which then destroys what the first left.
	heals := map[string]func(){"endpoint that drops every connection": dead.Reset}
	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				steps := []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    tc.planOnly,
					ExpectError: regexp.MustCompile(`(?s)` + spaced(tc.want)),
				}}
				if heal, ok := heals[tc.name]; ok {
					provider, _, _ := strings.Cut(tc.config, "resource ")
					steps = append(steps, resource.TestStep{PreConfig: heal, Config: provider})
				}
				resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: s.ProviderFactories(), Steps: steps})
			})
		}
	})
	t.Logf("%d bad inputs, each refused with a named error", len(cases))
	// The twins: one of them may have been created before the other failed; the destroy at the
	// end of its case revokes it. Nothing else may have been made.
	if n := len(s.LiveKeys(t, projectID)); n != 0 {
		t.Errorf("bad input left %d live keys", n)
	}
	if strings.Contains(s.ServerLog(), `"status":500`) {
		t.Error("a bad input made the key service answer 500")
	}
}

// spaced lets a pattern's spaces match the line breaks Terraform puts into long diagnostics.
func spaced(pattern string) string {
	return strings.ReplaceAll(pattern, " ", `\s+`)
}
