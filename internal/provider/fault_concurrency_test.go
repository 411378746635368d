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

// TestFaultConcurrency applies 300 keys through the real CLI at -parallelism=50, then updates
// every one of them, then destroys them, against the SQLite store: no "database is locked",
// no 5xx (the server's own request counters), no lost update (every key on the server holds
// the value of the update), and the state and the server agree after each apply.
func TestFaultConcurrency(t *testing.T) {
	const keys = 300
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "concurrency")
	ws := s.NewWorkspace(t)
	config := func(count int, description string) string {
		return acctest.RequiredProviders("keyservice") + fmt.Sprintf(`
provider "keyservice" {}

resource "keyservice_api_key" "k" {
  count       = %d
  project_id  = %q
  name        = "parallel-${count.index}"
  description = %q
  scopes      = ["read", "write"]
}
`, count, projectID, description)
	}
	before := s.Requests()
	timed := func(what string, args ...string) {
		t.Helper()
		start := time.Now()
		ws.MustRun(args...)
		t.Logf("%s: %s", what, time.Since(start).Round(100*time.Millisecond))
	}
	agree := func(wantDescription string, want int) {
		t.Helper()
		list, err := s.Client.ListAllAPIKeys(context.Background(), client.ListAPIKeysOptions{ProjectID: projectID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != want {
			t.Fatalf("%d live keys on the server, want %d", len(list), want)
		}
		lost := 0
		for _, k := range list {
			if k.Description != wantDescription {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("%d of %d keys do not hold the applied description %q: lost updates", lost, want, wantDescription)
		}
		inState := 0
		for _, r := range ws.State(t).Resources {
			if r.Type == "keyservice_api_key" {
				inState += len(r.Instances)
			}
		}
		if inState != want {
			t.Errorf("%d keys in the state, %d on the server", inState, want)
		}
	}

	ws.Write(config(keys, "first"))
	timed("apply of 300 keys at -parallelism=50", "apply", "-auto-approve", "-parallelism=50")
	agree("first", keys)
	ws.Write(config(keys, "second"))
	timed("update of 300 keys at -parallelism=50", "apply", "-auto-approve", "-parallelism=50")
	agree("second", keys)
	if code, out := ws.Run("plan", "-detailed-exitcode", "-parallelism=50"); code != 0 {
		t.Fatalf("plan after the update exited %d:\n%.2000s", code, out)
	}
	ws.Write(config(0, "second"))
	timed("destroy of 300 keys at -parallelism=50", "apply", "-auto-approve", "-parallelism=50")
	agree("second", 0)

	counts := s.Requests().Since(before)
	var failures []string
	total := uint64(0)
	for series, n := range counts {
		total += n
		if fields := strings.Fields(series); strings.HasPrefix(fields[len(fields)-1], "5") {
			failures = append(failures, fmt.Sprintf("%s: %d", series, n))
		}
	}
	t.Logf("%d requests answered:\n%s", total, counts)
	if len(failures) > 0 {
		t.Errorf("the server answered 5xx: %v", failures)
	}
	if strings.Contains(s.ServerLog(), "database is locked") || strings.Contains(s.ServerLog(), "SQLITE_BUSY") {
		t.Error("the server logged a locked database")
	}
}
