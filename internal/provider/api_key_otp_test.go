package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccAPIKey_projectRequiringOTP: in a project that requires one-time codes, creating a key
// without a code, or with a wrong one, fails with a diagnostic that says what to set; the
// current code, given in the provider's otp or in KEYSERVICE_OTP, creates, rotates and (at
// destroy) revokes it, a fresh code each time: the project takes each code once, and a used one
// is refused with a diagnostic that says so. Not parallel: it sets KEYSERVICE_OTP.
func TestAccAPIKey_projectRequiringOTP(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "otp")
	enrollment, err := s.Client.EnableProjectOTP(context.Background(), projectID)
	if err != nil {
		t.Fatalf("enable OTP: %v", err)
	}
	code := func() string { return acctest.TOTP(t, enrollment.OTPSecret, s.Clock.Now()) }
	// fresh moves the clocks on to the next time step: the code of the last one was taken.
	fresh := func() string {
		s.Clock.Advance(30 * time.Second)
		return code()
	}
	wrong := "000000"
	if wrong == code() {
		wrong = "999999"
	}
	config := func(otp, trigger string) string {
		line := ""
		if otp != "" {
			line = fmt.Sprintf("otp      = %q", otp)
		}
		return fmt.Sprintf(`
provider "keyservice" {
  endpoint = %[1]q
  token    = %[2]q
  %[3]s
}

resource "keyservice_api_key" "test" {
  project_id      = %[4]q
  name            = "guarded"
  rotate_triggers = { n = %[5]q }
}
`, s.URL, s.AdminToken, line, projectID, trigger)
	}
	// The code of the next time step, for the step that moves the clocks there: a step's
	// configuration is written before any step runs.
	next := acctest.TOTP(t, enrollment.OTPSecret, s.Clock.Now().Add(30*time.Second))
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := len(s.LiveKeys(t, projectID)); n != 0 {
				return fmt.Errorf("%d live keys after destroy", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      config("", "1"),
				ExpectError: regexp.MustCompile(`(?s)requires\s+a\s+one-time\s+code.*set\s+otp\s+in\s+the\s+provider.*KEYSERVICE_OTP`),
			},
			{
				Config:      config(wrong, "1"),
				ExpectError: regexp.MustCompile(`(?s)one-time\s+code\s+in\s+X-Keyservice-OTP\s+is\s+wrong\s+or\s+expired`),
			},
			{
				PreConfig: func() { s.Clock.Advance(30 * time.Second) },
				Config:    config(next, "1"),
				Check: func(st *terraform.State) error {
					first = st.RootModule().Resources[keyAddr].Primary.ID
					return nil
				},
			},
			{
				// The code that created the key is spent: rotating with it is refused, and the
				// diagnostic says why and what to do.
				Config:      config(next, "2"),
				ExpectError: regexp.MustCompile(`(?s)was\s+already\s+used.*takes\s+each\s+code\s+once`),
			},
			{
				// The next code, from the environment, rotates it.
				PreConfig: func() { t.Setenv("KEYSERVICE_OTP", fresh()) },
				Config:    config("", "2"),
				Check: func(st *terraform.State) error {
					if id := st.RootModule().Resources[keyAddr].Primary.ID; id == first {
						return fmt.Errorf("the key was not rotated")
					}
					return nil
				},
			},
			{
				// Revoking at destroy takes another.
				PreConfig: func() { t.Setenv("KEYSERVICE_OTP", fresh()) },
				Config:    config("", "2"),
				Destroy:   true,
			},
		},
	})
}
