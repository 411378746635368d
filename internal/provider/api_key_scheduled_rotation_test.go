package provider_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// webhookDelivery is one request the server made to a test's rotation webhook.
type webhookDelivery struct {
	timestamp, signature string
	body                 []byte
}

// webhookRecorder is a rotation webhook receiver that records every delivery and answers 204.
type webhookRecorder struct {
	*httptest.Server
	mu  sync.Mutex
	got []webhookDelivery
}

func newWebhookRecorder(t *testing.T) *webhookRecorder {
	w := &webhookRecorder{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.got = append(w.got, webhookDelivery{r.Header.Get("X-Keyservice-Timestamp"), r.Header.Get("X-Keyservice-Signature"), body})
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhookRecorder) deliveries() []webhookDelivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]webhookDelivery(nil), w.got...)
}

// verifySignature checks a delivery as a receiver holding the project's signing secret would.
func (d webhookDelivery) verifySignature(secret string) error {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(d.timestamp + "." + string(d.body)))
	if want := "v1=" + hex.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(d.signature), []byte(want)) {
		return fmt.Errorf("X-Keyservice-Signature %q does not verify with the project's webhook_signing_secret", d.signature)
	}
	return nil
}

// TestAccAPIKey_scheduledRotationIsFollowed: the server rotates a key whose rotation_interval_days
// passed and POSTs the new key, signed with the project's secret, to the webhook; Terraform then
// follows the rotation to the new key id (its secret is not in state) and plans nothing.
func TestAccAPIKey_scheduledRotationIsFollowed(t *testing.T) {
	s := acctest.NewServer(t)
	hook := newWebhookRecorder(t)
	config := s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_project" "p" {
  name = "scheduled-rotation"
}

resource "keyservice_api_key" "test" {
  project_id             = keyservice_project.p.id
  name                   = "svc"
  scopes                 = ["read"]
  rotation_interval_days = 1
  rotation_webhook_url   = %q
}
`, hook.URL+"/rotated")
	var projectID, signingSecret, oldID, oldSecret string
	previousIsOld := statecheck.CompareValue(compare.ValuesSame()) // the old id, then previous_key_id
	var event struct {
		Event         string `json:"event"`
		KeyID         string `json:"key_id"`
		PreviousKeyID string `json:"previous_key_id"`
		Key           string `json:"key"`
		ProjectID     string `json:"project_id"`
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{previousIsOld.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(projectAddr, "id", capture(&projectID)),
					resource.TestCheckResourceAttrWith(projectAddr, "webhook_signing_secret", capture(&signingSecret)),
					resource.TestCheckResourceAttrWith(keyAddr, "id", capture(&oldID)),
					resource.TestCheckResourceAttrWith(keyAddr, "key", capture(&oldSecret)),
					resource.TestCheckResourceAttrSet(keyAddr, "next_rotation_at"),
				),
			},
			{
				// A day later the server's rotation pass rotates the key and delivers the new one.
				PreConfig: func() {
					if n := s.RotateDueKeys(t); n != 0 {
						t.Fatalf("a pass before the interval rotated %d keys", n)
					}
					s.Clock.Advance(24*time.Hour + time.Minute)
					if n := s.RotateDueKeys(t); n != 1 {
						t.Fatalf("the rotation pass rotated %d keys, want 1", n)
					}
					got := hook.deliveries()
					if len(got) != 1 {
						t.Fatalf("the webhook got %d deliveries, want exactly 1", len(got))
					}
					if err := got[0].verifySignature(signingSecret); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(got[0].body, &event); err != nil {
						t.Fatal(err)
					}
					if event.Event != "api_key.rotated" || event.PreviousKeyID != oldID || event.ProjectID != projectID || event.Key == oldSecret {
						t.Fatalf("webhook event: event %q key_id %q previous_key_id %q (want %q) project_id %q", event.Event, event.KeyID, event.PreviousKeyID, oldID, event.ProjectID)
					}
					res, err := s.Client.Verify(context.Background(), event.Key)
					if err != nil {
						t.Fatalf("the delivered key does not verify: %v", err)
					}
					if res.ID != event.KeyID {
						t.Fatalf("the delivered key verifies as %s, the event says %s", res.ID, event.KeyID)
					}
				},
				// The refresh follows the rotation to the new key: nothing to apply.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					previousIsOld.AddStateValue(keyAddr, tfjsonpath.New("previous_key_id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(keyAddr, "id", func(v string) error {
						if v != event.KeyID {
							return fmt.Errorf("state id %s, want the key the server rotated to, %s", v, event.KeyID)
						}
						return nil
					}),
					func(*terraform.State) error {
						if n := len(hook.deliveries()); n != 1 {
							return fmt.Errorf("%d webhook deliveries, want still 1", n)
						}
						return nil
					},
				),
			},
		},
	})
}
