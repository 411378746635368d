package provider_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// adoptedKey is a key made outside Terraform before adoption, with its secret as its maker got it.
type adoptedKey struct {
	kind   string
	key    *client.APIKey
	secret string
}

// seedAdoptableKeys makes, through the API, one key of every kind a team has before it adopts
// Terraform: plain, owned by a service account, bound to an environment, expiring, disabled, and
// rotated by the server on a schedule; two of each, so that for_each has more than one of a kind.
func seedAdoptableKeys(t *testing.T, s *acctest.Server, projectID, webhookURL string) []adoptedKey {
	t.Helper()
	bg := context.Background()
	sa, err := s.Client.CreateServiceAccount(bg, client.CreateServiceAccountRequest{ProjectID: projectID, Name: "billing-worker"})
	must(t, err)
	env, err := s.Client.CreateEnvironment(bg, client.CreateEnvironmentRequest{ProjectID: projectID, Name: "production"})
	must(t, err)
	inactive := false
	interval := int64(30)
	kinds := map[string]func(*client.CreateAPIKeyRequest){
		"plain":           func(*client.CreateAPIKeyRequest) {},
		"service-account": func(r *client.CreateAPIKeyRequest) { r.ServiceAccountID = &sa.ID },
		"environment":     func(r *client.CreateAPIKeyRequest) { r.EnvironmentID = &env.ID },
		"expiring": func(r *client.CreateAPIKeyRequest) {
			exp := s.Clock.Now().Add(90 * 24 * time.Hour).Truncate(time.Second)
			r.ExpiresAt = &exp
		},
		"disabled": func(r *client.CreateAPIKeyRequest) { r.Active = &inactive },
		"rotation": func(r *client.CreateAPIKeyRequest) {
			r.RotationIntervalDays, r.RotationWebhookURL = &interval, &webhookURL
		},
	}
	var keys []adoptedKey
	for kind, set := range kinds {
		for i := range 2 {
			req := client.CreateAPIKeyRequest{
				ProjectID:   projectID,
				Name:        fmt.Sprintf("%s-%d", kind, i),
				Description: "made by a script: " + kind,
				Scopes:      []string{"read", "team:" + kind},
			}
			set(&req)
			k, err := s.Client.CreateAPIKey(bg, req)
			if err != nil {
				t.Fatalf("seed %s key: %v", kind, err)
			}
			keys = append(keys, adoptedKey{kind: kind, key: k, secret: k.Key})
		}
	}
	return keys
}

// TestAccGuide_adoptingExistingKeys runs the configuration of the "Adopting existing keys" guide
// (examples/guides/adopting-existing-keys, as the guide shows it) against keys of every kind, and
// asserts what adopting production keys must guarantee: the plan imports every key and replaces
// and deletes none, the apply leaves every key as it was (same id, and every secret answers
// /v1/verify as before), and the next plan is empty.
func TestAccGuide_adoptingExistingKeys(t *testing.T) {
	t.Parallel()
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "adopt")
	keys := seedAdoptableKeys(t, s, projectID, newWebhookRecorder(t).URL+"/rotated")
	before := verifyAll(t, s, keys)

	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "guides", "adopting-existing-keys", "main.tf"))
	must(t, err)
	w := s.NewWorkspace(t)
	w.Write(string(example))
	vars := "-var=project_id=" + projectID

	w.MustRun("plan", "-input=false", vars, "-out=adopt.tfplan")
	imported, changes := 0, []string{}
	for addr, actions := range plannedActions(t, w, "adopt.tfplan") {
		if strings.HasPrefix(addr, "keyservice_api_key.adopted[") {
			imported++
		}
		if len(actions) != 1 || (actions[0] != "no-op" && actions[0] != "read") {
			changes = append(changes, fmt.Sprintf("%s: %v", addr, actions))
		}
	}
	if len(changes) > 0 {
		t.Fatalf("adopting must only import; the plan also changes:\n  %s\n%s", strings.Join(changes, "\n  "),
			w.MustRun("show", "-no-color", "adopt.tfplan"))
	}
	if imported != len(keys) {
		t.Fatalf("the plan imports %d keys, want %d", imported, len(keys))
	}

	out := w.MustRun("apply", "-input=false", "adopt.tfplan")
	if want := fmt.Sprintf("%d imported, 0 added, 0 changed, 0 destroyed", len(keys)); !strings.Contains(out, want) {
		t.Errorf("apply does not report %q:\n%s", want, out)
	}
	if after := verifyAll(t, s, keys); after != before {
		t.Errorf("after adoption the keys answer /v1/verify as\n%s\nbefore:\n%s", after, before)
	}
	for _, k := range keys {
		got, err := s.Client.GetAPIKey(context.Background(), k.key.ID)
		must(t, err)
		if got.RevokedAt != nil || got.ReplacedByKeyID != nil || got.Active != k.key.Active {
			t.Errorf("%s key %s after adoption: revoked_at %v, replaced_by %v, active %t (was %t)",
				k.kind, k.key.ID, got.RevokedAt, got.ReplacedByKeyID, got.Active, k.key.Active)
		}
	}
	if code, out := w.Run("plan", "-detailed-exitcode", "-input=false", vars); code != 0 {
		t.Fatalf("plan after adoption: exit %d, want 0:\n%s", code, out)
	}
	t.Logf("observed: %d keys of %d kinds imported with 0 changes; the next plan is empty; /v1/verify:\n%s", imported, len(keys)/2, before)
}

// verifyAll answers, one line per key, what /v1/verify says of each secret: the key id it verifies
// as, or that it is refused.
func verifyAll(t *testing.T, s *acctest.Server, keys []adoptedKey) string {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		res, err := s.Client.Verify(context.Background(), k.secret)
		switch {
		case err == nil:
			fmt.Fprintf(&b, "  %-17s %s verifies as %s\n", k.kind, k.key.Name, res.ID)
		case errors.Is(err, client.ErrUnauthorized):
			fmt.Fprintf(&b, "  %-17s %s refused (401)\n", k.kind, k.key.Name)
		default:
			t.Fatalf("verify %s: %v", k.key.Name, err)
		}
	}
	return b.String()
}
