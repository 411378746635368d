package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccSecrets_neverInDiagnostics makes applies fail in the ways that put the most into an
// error message, through the real CLI, and holds its whole output (what a CI log keeps) free of
// the admin token, the one-time code, the project's TOTP secret and every key secret:
//   - error bodies that echo the request, Authorization and X-Keyservice-OTP headers included,
//     on create, update, rotate and revoke;
//   - a create and a rotation whose 201 answer, secret inside, arrives cut off (invalid JSON);
//   - a 5xx that echoes the request until the retries run out.
func TestAccSecrets_neverInDiagnostics(t *testing.T) {
	s := acctest.NewServer(t)
	proxy := acctest.NewFaultProxy(t, s.URL, 1)
	projectID := s.CreateProject(t, "diagnostics")
	enrollment, err := s.Client.EnableProjectOTP(context.Background(), projectID)
	if err != nil {
		t.Fatal(err)
	}
	ws := s.NewWorkspace(t)
	ws.Setenv("KEYSERVICE_ENDPOINT", proxy.URL)
	// The project takes each code once: every run gets the code of the next time step.
	var codes []string
	nextCode := func() {
		s.Clock.Advance(30 * time.Second)
		codes = append(codes, acctest.TOTP(t, enrollment.OTPSecret, s.Clock.Now()))
		ws.Setenv("KEYSERVICE_OTP", codes[len(codes)-1])
	}
	config := func(description, trigger string) string {
		return acctest.RequiredProviders("keyservice") + fmt.Sprintf(`
provider "keyservice" {
  max_retries = 1
}

resource "keyservice_api_key" "k" {
  project_id      = %q
  name            = "diagnosed"
  description     = %q
  rotate_triggers = { t = %q }
}

output "prefix" {
  value = keyservice_api_key.k.key_prefix
}
`, projectID, description, trigger)
	}
	// An error page that echoes the request; a 4xx comes before the server, a 5xx after it.
	echo := func(status int) acctest.Fault {
		return acctest.Fault{Name: fmt.Sprintf("echo-%d", status), Forward: status >= 500,
			Rewrite: func(r *http.Request, reqBody []byte, _ int, _ []byte) (int, []byte) {
				var b strings.Builder
				fmt.Fprintf(&b, "saw %s %s with", r.Method, r.URL)
				for name, values := range r.Header {
					fmt.Fprintf(&b, " %s=%s", name, strings.Join(values, ","))
				}
				fmt.Fprintf(&b, " and body %s", reqBody)
				return status, fmt.Appendf(nil, `{"error":{"code":"validation_failed","message":%q}}`, b.String())
			}}
	}
	cutOff := acctest.Fault{Name: "cut-off", Forward: true, Rewrite: func(_ *http.Request, _ []byte, status int, body []byte) (int, []byte) {
		return status, body[:len(body)*2/3]
	}}
	fail := func(pattern string, fault acctest.Fault, description, trigger string) string {
		t.Helper()
		proxy.Set(&acctest.FaultRule{Pattern: pattern, Fault: fault, Rate: 1})
		ws.Write(config(description, trigger))
		nextCode()
		c, out := ws.Run("apply", "-auto-approve")
		proxy.Reset()
		if c == 0 || !strings.Contains(out, "Error") {
			t.Fatalf("%s under %s: want a failed apply, got exit %d:\n%s", pattern, fault.Name, c, out)
		}
		return out
	}
	var outputs []string
	heal := func(description, trigger string) {
		t.Helper()
		ws.Write(config(description, trigger))
		// Settling a cut-off create revokes what it made and creates the key again: two
		// changes, so two runs with a code each, as the diagnostic of the first says.
		for run := 1; ; run++ {
			nextCode()
			c, out := ws.Run("apply", "-auto-approve")
			outputs = append(outputs, out)
			if c == 0 {
				return
			}
			if run == 2 || !saysWrapped(out, "was already used") {
				t.Fatalf("apply %d to heal: exit %d:\n%s", run, c, out)
			}
		}
	}

	outputs = append(outputs, fail("POST /v1/api-keys", echo(http.StatusBadRequest), "a", "1"))
	outputs = append(outputs, fail("POST /v1/api-keys", cutOff, "a", "1"))
	heal("a", "1") // settles the cut-off create, whose key had been made
	outputs = append(outputs, fail("PATCH /v1/api-keys/{id}", echo(http.StatusBadRequest), "b", "1"))
	outputs = append(outputs, fail("PATCH /v1/api-keys/{id}", echo(http.StatusBadGateway), "b", "1"))
	outputs = append(outputs, fail("POST /v1/api-keys/{id}/rotate", echo(http.StatusBadRequest), "a", "2"))
	outputs = append(outputs, fail("POST /v1/api-keys/{id}/rotate", cutOff, "a", "2"))
	heal("a", "3")
	ws.Write(config("a", "3"))
	proxy.Set(&acctest.FaultRule{Pattern: "DELETE /v1/api-keys/{id}", Fault: echo(http.StatusBadRequest), Rate: 1})
	nextCode()
	c, out := ws.Run("destroy", "-auto-approve")
	proxy.Reset()
	if c == 0 {
		t.Fatalf("destroy under an echoing 400 succeeded:\n%s", out)
	}
	outputs = append(outputs, out)

	all := strings.Join(outputs, "\n")
	for _, want := range []string{"Error Creating API Key", "Error Updating API Key", "Error Rotating API Key", "Error Revoking API Key", "could not be decoded", "saw POST"} {
		if !strings.Contains(all, want) {
			t.Errorf("the outputs lack %q: the test would not see a leak there", want)
		}
	}
	secrets := map[string]string{"the admin token": s.AdminToken, "the TOTP secret": enrollment.OTPSecret}
	for i, code := range codes {
		secrets[fmt.Sprintf("one-time code %d", i+1)] = code
	}
	for _, r := range ws.State(t).Resources {
		for _, inst := range r.Instances {
			if k, _ := inst.Attributes["key"].(string); k != "" {
				secrets["the key secret"] = k
			}
		}
	}
	for what, secret := range secrets {
		if strings.Contains(all, secret) {
			t.Errorf("the CLI output holds %s", what)
		}
	}
	if !strings.Contains(all, "[REDACTED]") {
		t.Error("no redaction marker in the echoed errors: did the echo reach the diagnostics?")
	}
}
