package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// TestAccAPIKey_concurrentChangeIsNotOverwritten changes a key out of band after Terraform's
// refresh and before its update lands (the proxy runs the other writer just before it forwards
// Terraform's PATCH). The update carries If-Match with the ETag of the refresh, so the key
// service refuses it with 412 and the apply fails with a clear diagnostic instead of silently
// overwriting the other change; the next apply sees the change and converges.
func TestAccAPIKey_concurrentChangeIsNotOverwritten(t *testing.T) {
	s := acctest.NewServer(t)
	proxy := acctest.NewFaultProxy(t, s.URL, 1)
	projectID := s.CreateProject(t, "concurrent")
	config := func(description string) string {
		return fmt.Sprintf(`
provider "keyservice" {
  endpoint = %[1]q
  token    = %[2]q
}

resource "keyservice_api_key" "test" {
  project_id  = %[3]q
  name        = "contended"
  description = %[4]q
}
`, proxy.URL, s.AdminToken, projectID, description)
	}
	var id string
	otherWriter := acctest.Fault{Name: "concurrent-writer", Forward: true, Before: func(*http.Request) {
		theirs := "theirs"
		if _, err := s.Client.UpdateAPIKey(context.Background(), id, client.UpdateAPIKeyRequest{Description: &theirs}); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}}
	description := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			k, err := s.Client.GetAPIKey(context.Background(), id)
			if err != nil || k.Description != want {
				return fmt.Errorf("description on the server = %q (%v), want %q", k.Description, err, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config("ours-1"),
				Check: func(st *terraform.State) error {
					id = st.RootModule().Resources[keyAddr].Primary.ID
					return nil
				},
			},
			{
				PreConfig: func() {
					proxy.Set(&acctest.FaultRule{Pattern: "PATCH /v1/api-keys/{id}", Fault: otherWriter, Rate: 1, Limit: 1})
				},
				Config:      config("ours-2"),
				ExpectError: regexp.MustCompile(`(?s)API Key Changed Concurrently.*was changed by someone else.*412`),
			},
			{
				PreConfig: func() {
					proxy.Reset()
					if err := description("theirs")(nil); err != nil {
						t.Errorf("the refused update overwrote the other change: %v", err)
					}
				},
				Config: config("ours-2"),
				Check:  description("ours-2"),
			},
		},
	})
}
