package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// auditConfig is a project with two keys, the audit events of the first (read after it is
// written), and the project's key creations, limited to one.
func auditConfig(s *acctest.Server, description string) string {
	return s.ProviderBlock() + fmt.Sprintf(`
resource "keyservice_project" "p" {
  name = "audited"
}

resource "keyservice_api_key" "watched" {
  project_id  = keyservice_project.p.id
  name        = "watched"
  description = %[1]q
  scopes      = ["read"]
}

resource "keyservice_api_key" "other" {
  project_id = keyservice_project.p.id
  name       = "other"
}

data "keyservice_audit_events" "watched" {
  project_id = keyservice_project.p.id
  target_id  = keyservice_api_key.watched.id
  depends_on = [keyservice_api_key.watched]
}

data "keyservice_audit_events" "creations" {
  project_id = keyservice_project.p.id
  action     = "api_key.create"
  limit      = 1
  depends_on = [keyservice_api_key.watched, keyservice_api_key.other]
}
`, description)
}

const watchedAddr = "data.keyservice_audit_events.watched"

// TestAccAuditEventsDataSource reads the events this test's own changes wrote: a key created,
// then updated, newest first, with the changed fields, the actor and the request's origin;
// a limit that leaves events out says so.
func TestAccAuditEventsDataSource(t *testing.T) {
	s := acctest.NewServer(t)
	event := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("events").AtSliceIndex(i).AtMapKey(attr)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: s.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: auditConfig(s, "v1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(watchedAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "action"), knownvalue.StringExact("api_key.create")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "actor_type"), knownvalue.StringExact("admin")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "target_name"), knownvalue.StringExact("watched")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "changes").AtMapKey("scopes").AtMapKey("added"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("read")})),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "changes").AtMapKey("description").AtMapKey("new"), knownvalue.StringExact("v1")),
					statecheck.ExpectKnownValue(watchedAddr, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.keyservice_audit_events.creations", tfjsonpath.New("events"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.keyservice_audit_events.creations", tfjsonpath.New("truncated"), knownvalue.Bool(true)),
				},
			},
			{
				Config: auditConfig(s, "v2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(watchedAddr, tfjsonpath.New("events"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "action"), knownvalue.StringExact("api_key.update")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "changes"), knownvalue.MapExact(map[string]knownvalue.Check{
						"description": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"old": knownvalue.StringExact("v1"), "new": knownvalue.StringExact("v2"),
							"added": knownvalue.Null(), "removed": knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "outcome"), knownvalue.StringExact("success")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "status"), knownvalue.Null()),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "client_address"), knownvalue.StringExact("127.0.0.1")),
					statecheck.ExpectKnownValue(watchedAddr, event(0, "request_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Z2-7]{16}$`))),
					statecheck.ExpectKnownValue(watchedAddr, event(1, "action"), knownvalue.StringExact("api_key.create")),
				},
			},
		},
	})
}

// TestAccAuditEventsDataSource_planTimeValidation: bad arguments fail the plan, naming them.
func TestAccAuditEventsDataSource_planTimeValidation(t *testing.T) {
	s := acctest.NewServer(t)
	projectID := s.CreateProject(t, "validated")
	for _, c := range []struct{ args, want string }{
		{`limit = 0`, `limit`},
		{`limit = 10001`, `limit`},
		{`target_type = "key"`, `target_type`},
		{`since = "yesterday"`, `RFC 3339`},
		{`actor = ""`, `actor`},
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: s.ProviderFactories(),
			Steps: []resource.TestStep{{
				Config: s.ProviderBlock() + fmt.Sprintf(`
data "keyservice_audit_events" "bad" {
  project_id = %q
  %s
}
`, projectID, c.args),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(c.want),
			}},
		})
	}
}
