package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccProvider_configurationErrors asserts that each bad provider configuration fails the
// plan with an error that names what is wrong and how to fix it (the env var, for a missing
// or unknown value), and never with a panic.
func TestAccProvider_configurationErrors(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "config")
	key := fmt.Sprintf(`
resource "keyservice_api_key" "k" {
  project_id = %q
  name       = "k"
}
`, projectID)
	cases := map[string]struct {
		provider string
		want     string
	}{
		"missing endpoint": {
			provider: fmt.Sprintf(`provider "keyservice" { token = %q }`, s.AdminToken),
			want:     `(?s)Missing keyservice endpoint.*KEYSERVICE_ENDPOINT`,
		},
		"missing token": {
			provider: fmt.Sprintf(`provider "keyservice" { endpoint = %q }`, s.URL),
			want:     `(?s)Missing keyservice token.*KEYSERVICE_TOKEN`,
		},
		"unknown token": {
			provider: fmt.Sprintf(`
resource "terraform_data" "later" {
  input = "x"
}
provider "keyservice" {
  endpoint = %q
  token    = terraform_data.later.output
}`, s.URL),
			want: `(?s)Unknown keyservice token.*KEYSERVICE_TOKEN`,
		},
		"endpoint not a URL": {
			provider: fmt.Sprintf(`provider "keyservice" {
  endpoint = "127.0.0.1 port 8080"
  token    = %q
}`, s.AdminToken),
			want: `(?s)Invalid keyservice endpoint`,
		},
		"wrong token": {
			provider: fmt.Sprintf(`provider "keyservice" {
  endpoint = %q
  token    = "not-the-admin-token"
}`, s.URL),
			want: `(?s)Error Creating API Key.*401.*Check the provider's token`,
		},
		"request_timeout not a duration": {
			provider: fmt.Sprintf(`provider "keyservice" {
  endpoint        = %q
  token           = %q
  request_timeout = "soon"
}`, s.URL, s.AdminToken),
			want: `(?s)Invalid Duration.*"soon" is not a duration`,
		},
		"max_retries negative": {
			provider: fmt.Sprintf(`provider "keyservice" {
  endpoint    = %q
  token       = %q
  max_retries = -1
}`, s.URL, s.AdminToken),
			want: `(?s)max_retries value must be between 0 and 20`,
		},
		"missing project_id": {
			provider: fmt.Sprintf(`provider "keyservice" {
  endpoint = %q
  token    = %q
}
resource "keyservice_api_key" "no_project" {
  name = "orphan"
}`, s.URL, s.AdminToken),
			want: `(?s)Missing project_id.*KEYSERVICE_PROJECT_ID`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: s.ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      tc.provider + key,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if n := len(s.LiveKeys(t, projectID)); n != 0 {
		t.Errorf("bad configurations created %d keys", n)
	}
}
