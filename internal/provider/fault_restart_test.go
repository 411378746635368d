package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// TestFaultServerRestart kills keyserviced (SIGKILL, a real process) in the middle of an apply
// that creates 40 keys, and starts it again on the same SQLite file: once within the
// provider's retry budget (the apply rides it out), once after the apply has given up (its
// creates in flight end as pending creates in the state). Whatever the interrupted apply
// reports, no key the server had committed may be lost, the next apply must converge, a plan
// after it must be empty, and the server must then hold exactly the keys the state holds: no
// orphan from a create whose answer died with the process.
func TestFaultServerRestart(t *testing.T) {
	t.Run("within the retry budget", func(t *testing.T) { testServerRestart(t, 8, false) })
	t.Run("after the apply gave up", func(t *testing.T) { testServerRestart(t, 1, true) })
}

func testServerRestart(t *testing.T, maxRetries int, restartAfterApply bool) {
	p := acctest.StartProcess(t)
	ctx := context.Background()
	project, err := p.Client.CreateProject(ctx, client.CreateProjectRequest{Name: "restart"})
	if err != nil {
		t.Fatal(err)
	}
	const keys = 40
	ws := p.NewWorkspace(t)
	ws.Write(acctest.RequiredProviders("keyservice") + fmt.Sprintf(`
provider "keyservice" {
  max_retries = %d
}

resource "keyservice_api_key" "k" {
  count      = %d
  project_id = %q
  name       = "restart-${count.index}"
}
`, maxRetries, keys, project.ID))
	live := func() map[string]bool {
		t.Helper()
		list, err := p.Client.ListAllAPIKeys(ctx, client.ListAPIKeysOptions{ProjectID: project.ID})
		if err != nil {
			t.Fatalf("list keys: %v", err)
		}
		out := map[string]bool{}
		for _, k := range list {
			out[k.ID] = true
		}
		return out
	}

	wait := ws.Start("apply", "-auto-approve", "-parallelism=10")
	var committed map[string]bool
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if committed = live(); len(committed) >= keys/4 {
			break
		}
		if time.Now().After(deadline) {
			code, out := wait()
			t.Fatalf("the apply created only %d keys in 2 minutes (exit %d):\n%s", len(committed), code, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill()
	var (
		code int
		out  string
	)
	if restartAfterApply {
		code, out = wait()
		p.Start()
		if code == 0 {
			t.Errorf("the apply succeeded with the server down:\n%s", out)
		}
	} else {
		time.Sleep(time.Second)
		p.Start()
		code, out = wait()
	}
	pending := 0
	for _, r := range ws.State(t).Resources {
		for _, inst := range r.Instances {
			if strings.HasPrefix(fmt.Sprint(inst.Attributes["id"]), "pending-create:") {
				pending++
			}
		}
	}
	t.Logf("killed keyserviced with %d of %d keys committed; the interrupted apply exited %d, leaving %d pending creates in the state",
		len(committed), keys, code, pending)
	if code != 0 && !strings.Contains(out, "Error") {
		t.Errorf("the interrupted apply failed without an error message:\n%s", out)
	}

	after := live()
	for id := range committed {
		if !after[id] {
			t.Errorf("key %s was committed before the kill and is gone after the restart", id)
		}
	}
	ws.MustRun("apply", "-auto-approve", "-parallelism=10")
	if code, out := ws.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the converging apply exited %d:\n%s", code, out)
	}
	st := ws.State(t)
	inState := map[string]bool{}
	for _, r := range st.Resources {
		for _, inst := range r.Instances {
			if r.Type == "keyservice_api_key" {
				inState[fmt.Sprint(inst.Attributes["id"])] = true
			}
		}
	}
	final := live()
	if len(inState) != keys || len(final) != keys {
		t.Errorf("%d keys in state and %d live on the server, want %d and %d", len(inState), len(final), keys, keys)
	}
	for id := range final {
		if !inState[id] {
			t.Errorf("orphan: live key %s is not in the state", id)
		}
	}
	if strings.Contains(p.Log(), "database is locked") {
		t.Error("the server logged \"database is locked\"")
	}
}
