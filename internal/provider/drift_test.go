package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// driftConfig is what a platform team's CI plans: a project, a service account, and four keys:
// one expiring, one the server rotates on a schedule (its new secrets go to webhookURL), one
// owned by the service account, and a plain one.
func driftConfig(webhookURL string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    keyservice = { source = "keyservice/keyservice" }
  }
}

provider "keyservice" {}

resource "keyservice_project" "p" {
  name = "drift"
}

resource "keyservice_service_account" "sa" {
  project_id = keyservice_project.p.id
  name       = "billing-worker"
}

resource "keyservice_api_key" "a" {
  project_id      = keyservice_project.p.id
  name            = "deployer"
  description     = "deploys"
  scopes          = ["deploy:write"]
  expires_in_days = 30
}

resource "keyservice_api_key" "b" {
  project_id             = keyservice_project.p.id
  name                   = "reader"
  scopes                 = ["read"]
  rotation_interval_days = 7
  rotation_webhook_url   = %[1]q
}

resource "keyservice_api_key" "c" {
  project_id         = keyservice_project.p.id
  service_account_id = keyservice_service_account.sa.id
  name               = "billing"
  scopes             = ["billing:read"]
}

resource "keyservice_api_key" "d" {
  project_id = keyservice_project.p.id
  name       = "plain"
  scopes     = ["read"]
}
`, webhookURL)
}

// driftIDs are the IDs the first apply created.
type driftIDs struct{ project, sa, a, b, c string }

// TestAccDrift_matrix makes each out-of-band change through the API after an apply and asserts
// what `plan -detailed-exitcode` reports, exactly as a CI job sees it, with the credential such
// a job holds: a keys:read key of the project. Exit code 2, the planned action of every
// resource, the words of the warning; that the job's key may not apply the plan (refused,
// naming the scope it lacks, and nothing changed: the next plan is the same); then that a
// credential that may, applying the plan, converges to exit code 0. Runs on whichever CLI
// TF_ACC_TERRAFORM_PATH names (make test runs each).
func TestAccDrift_matrix(t *testing.T) {
	cases := []struct {
		name    string
		change  func(t *testing.T, s *acctest.Server, ids driftIDs)
		actions map[string][]string // resource address → planned actions; others must be no-op
		says    string              // text the plan output must contain
		status  string              // what a refresh-only plan must say of the key's status, if anything
		needs   string              // the scope the job's apply is refused for lacking
		// endsJobKey is set when the change revokes the job's own key too (deleting the project
		// revokes all of its keys): the job's plan then fails, saying the token was refused.
		endsJobKey bool
	}{
		{
			name:    "revoke → create",
			change:  func(t *testing.T, s *acctest.Server, ids driftIDs) { must(t, s.Client.RevokeAPIKey(ctx(), ids.a)) },
			actions: map[string][]string{"keyservice_api_key.a": {"create"}},
			says:    "API Key Revoked Outside Terraform",
			needs:   "keys:write",
		},
		{
			name: "project deleted → project and its keys created",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				must(t, s.Client.DeleteProject(ctx(), ids.project))
			},
			actions: map[string][]string{
				"keyservice_project.p": {"create"}, "keyservice_service_account.sa": {"create"},
				"keyservice_api_key.a": {"create"}, "keyservice_api_key.b": {"create"}, "keyservice_api_key.c": {"create"},
				"keyservice_api_key.d": {"create"},
			},
			says:       "Project Deleted Outside Terraform",
			endsJobKey: true,
		},
		{
			name: "service account deleted → it and its keys created",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				must(t, s.Client.DeleteServiceAccount(ctx(), ids.sa))
			},
			actions: map[string][]string{"keyservice_service_account.sa": {"create"}, "keyservice_api_key.c": {"create"}},
			says:    "Service Account Deleted Outside Terraform",
			needs:   "keys:admin",
		},
		{
			name: "scheduled rotation by the server → followed, no replace",
			change: func(t *testing.T, s *acctest.Server, _ driftIDs) {
				s.Clock.Advance(8 * 24 * time.Hour)
				if n := s.RotateDueKeys(t); n != 1 {
					t.Fatalf("the server rotated %d keys, want 1", n)
				}
			},
			actions: map[string][]string{},
			says:    "it sent the new secret to rotation_webhook_url",
		},
		{
			name: "disable → update active back to true",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				active := false
				patch(t, s, ids.b, client.UpdateAPIKeyRequest{Active: &active})
			},
			actions: map[string][]string{"keyservice_api_key.b": {"update"}},
			says:    "~ active",
			status:  `"active" -> "disabled"`,
			needs:   "keys:write",
		},
		{
			name: "rename → update",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				name := "renamed-by-hand"
				patch(t, s, ids.b, client.UpdateAPIKeyRequest{Name: &name})
			},
			actions: map[string][]string{"keyservice_api_key.b": {"update"}},
			says:    `"renamed-by-hand" -> "reader"`,
			needs:   "keys:write",
		},
		{
			name: "re-describe → update",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				d := "changed in the console"
				patch(t, s, ids.a, client.UpdateAPIKeyRequest{Description: &d})
			},
			actions: map[string][]string{"keyservice_api_key.a": {"update"}},
			says:    `"changed in the console" -> "deploys"`,
			needs:   "keys:write",
		},
		{
			name: "rescope → update",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				scopes := []string{"read", "admin:all"}
				patch(t, s, ids.b, client.UpdateAPIKeyRequest{Scopes: &scopes})
			},
			actions: map[string][]string{"keyservice_api_key.b": {"update"}},
			says:    `- "admin:all"`,
			needs:   "keys:write",
		},
		{
			name: "expiry set → update back to never",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				soon := time.Now().Add(time.Hour)
				patch(t, s, ids.b, client.UpdateAPIKeyRequest{ExpiresAt: &soon})
			},
			actions: map[string][]string{"keyservice_api_key.b": {"update"}},
			says:    "- expires_at",
			needs:   "keys:write",
		},
		{
			name: "expiry passed → replace, and the plan says the key expired",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				soon := time.Now().Add(1500 * time.Millisecond)
				patch(t, s, ids.a, client.UpdateAPIKeyRequest{ExpiresAt: &soon})
				time.Sleep(2 * time.Second)
			},
			actions: map[string][]string{"keyservice_api_key.a": {"delete", "create"}},
			says:    "API Key Expired",
			status:  `"active" -> "expired"`,
			needs:   "keys:write",
		},
		{
			name: "rotated by another Terraform run or the server → followed, no replace",
			change: func(t *testing.T, s *acctest.Server, ids driftIDs) {
				if _, err := s.Client.RotateAPIKey(ctx(), ids.b, client.RotateAPIKeyRequest{}); err != nil {
					t.Fatal(err)
				}
			},
			actions: map[string][]string{},
			says:    "API Key Rotated Outside Terraform",
		},
	}
	webhook := newWebhookRecorder(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := acctest.NewServer(t)
			w := s.NewWorkspace(t)
			w.Write(driftConfig(webhook.URL))
			w.MustRun("apply", "-auto-approve", "-input=false")
			ids := driftIDs{
				project: w.StateID(t, "keyservice_project.p"), sa: w.StateID(t, "keyservice_service_account.sa"),
				a: w.StateID(t, "keyservice_api_key.a"), b: w.StateID(t, "keyservice_api_key.b"), c: w.StateID(t, "keyservice_api_key.c"),
			}

			// The drift job's credential: a keys:read key of the project, made out of band.
			w.Setenv("KEYSERVICE_TOKEN", s.CreateKey(t, ids.project, "drift-job", "keys:read"))

			tc.change(t, s, ids)

			if tc.endsJobKey {
				code, out := w.Run("plan", "-detailed-exitcode", "-input=false")
				if code != 1 || !saysWrapped(out, "the key service did not accept it") {
					t.Fatalf("the job's plan with its key revoked: exit %d, want 1 and the token refused:\n%s", code, out)
				}
				w.Setenv("KEYSERVICE_TOKEN", s.AdminToken) // what the operator does: a new credential
			}

			if tc.status != "" {
				code, out := w.Run("plan", "-refresh-only", "-detailed-exitcode", "-input=false")
				if code != 2 || !strings.Contains(out, tc.status) {
					t.Errorf("refresh-only plan exit %d, want 2 and %q in:\n%s", code, tc.status, out)
				}
			}

			code, out := w.Run("plan", "-detailed-exitcode", "-input=false", "-out=drift.tfplan")
			wantCode := 2
			if len(tc.actions) == 0 {
				wantCode = 0 // a followed rotation changes no argument: nothing to apply
			}
			if code != wantCode {
				t.Fatalf("plan exit code %d, want %d:\n%s", code, wantCode, out)
			}
			if !strings.Contains(out, tc.says) {
				t.Errorf("the plan does not say %q:\n%s", tc.says, out)
			}
			got := plannedActions(t, w, "drift.tfplan")
			for addr, actions := range got {
				want, ok := tc.actions[addr]
				if !ok {
					want = []string{"no-op"}
				}
				if !slices.Equal(actions, want) {
					t.Errorf("%s: planned %v, want %v", addr, actions, want)
				}
			}
			t.Logf("observed for %q: plan exit %d, actions %v", tc.name, code, got)

			if tc.needs != "" {
				// The job found the drift; its key may not put it right.
				code, out := w.Run("apply", "-input=false", "drift.tfplan")
				if code != 1 || !saysWrapped(out, "The token lacks the "+tc.needs+" scope") || !saysWrapped(out, "drift detection need keys:read") {
					t.Fatalf("apply with the job's keys:read key: exit %d, want 1 and a diagnostic naming %s:\n%s", code, tc.needs, out)
				}
				if code, out := w.Run("plan", "-detailed-exitcode", "-input=false", "-out=drift.tfplan"); code != 2 {
					t.Fatalf("plan after the refused apply: exit %d, want 2:\n%s", code, out)
				}
				if again := plannedActions(t, w, "drift.tfplan"); !maps.EqualFunc(again, got, slices.Equal) {
					t.Fatalf("the refused apply changed something: planned %v, before %v", again, got)
				}
				w.Setenv("KEYSERVICE_TOKEN", s.AdminToken)
			}
			w.MustRun("apply", "-input=false", "drift.tfplan")
			if code, out := w.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
				t.Fatalf("after applying the drift plan, plan exit code %d, want 0:\n%s", code, out)
			}
		})
	}
}

// TestAccDrift_noFalsePositives asserts that nothing that is not a change makes CI fail: keys
// being used between plans, a server restart, and refresh-only plans. Everything after the first
// apply runs as a drift job does, with a keys:read key of the project: plans and refreshes.
func TestAccDrift_noFalsePositives(t *testing.T) {
	t.Parallel()
	s := acctest.NewServer(t)
	w := s.NewWorkspace(t)
	w.Write(driftConfig(newWebhookRecorder(t).URL))
	w.MustRun("apply", "-auto-approve", "-input=false")
	w.Setenv("KEYSERVICE_TOKEN", s.CreateKey(t, w.StateID(t, "keyservice_project.p"), "drift-job", "keys:read"))

	clean := func(what string, args ...string) {
		t.Helper()
		code, out := w.Run(append([]string{"plan", "-detailed-exitcode", "-input=false"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: plan %v exit code %d, want 0:\n%s", what, args, code, out)
		}
	}
	useKeys := func() {
		t.Helper()
		state := w.State(t)
		for _, addr := range []string{"keyservice_api_key.a", "keyservice_api_key.b", "keyservice_api_key.c", "keyservice_api_key.d"} {
			if _, err := s.Client.Verify(ctx(), state.Attr(t, addr, "key")); err != nil {
				t.Fatalf("verify %s: %v", addr, err)
			}
		}
	}

	clean("refresh-only right after the apply", "-refresh-only")
	for i := range 3 {
		useKeys()
		clean(fmt.Sprintf("after using the keys (round %d)", i+1))
		clean(fmt.Sprintf("refresh-only after using the keys (round %d)", i+1), "-refresh-only")
	}
	w.MustRun("refresh", "-input=false")
	clean("after a refresh")

	s.Restart(t)
	clean("after a server restart")

	useKeys()
	clean("after the restart and use")
}

// plannedActions reads a saved plan's resource changes: address → actions.
func plannedActions(t *testing.T, w *acctest.Workspace, planFile string) map[string][]string {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	must(t, json.Unmarshal([]byte(w.MustRun("show", "-json", planFile)), &plan))
	got := map[string][]string{}
	for _, rc := range plan.ResourceChanges {
		got[rc.Address] = rc.Change.Actions
	}
	return got
}

func patch(t *testing.T, s *acctest.Server, id string, req client.UpdateAPIKeyRequest) {
	t.Helper()
	if _, err := s.Client.UpdateAPIKey(ctx(), id, req); err != nil {
		t.Fatal(err)
	}
}

// saysWrapped reports whether a CLI's output holds text, whatever line breaks the CLI put into
// it where it wraps a diagnostic.
func saysWrapped(out, text string) bool {
	return strings.Contains(strings.Join(strings.Fields(out), " "), text)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ctx() context.Context { return context.Background() }
