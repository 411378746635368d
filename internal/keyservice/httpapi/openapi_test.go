package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// openAPIDocument is the API's published contract; make generate copies it to docs/.
const openAPIDocument = "openapi.json"

var openAPIMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) (map[string]any, map[string]openAPIOperation) {
	t.Helper()
	raw, err := os.ReadFile(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not valid JSON: %v", openAPIDocument, err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("%s: openapi = %q, want 3.x", openAPIDocument, v)
	}
	var typed struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &typed); err != nil {
		t.Fatal(err)
	}
	ops := map[string]openAPIOperation{}
	for path, item := range typed.Paths {
		for method, rawOp := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue // path-level parameters, summary, …
			}
			var op openAPIOperation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return doc, ops
}

// TestOpenAPIMatchesRoutes holds the document and the router equal: every route the server
// registers is documented, and every documented operation is one the server serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, ops := loadOpenAPI(t)
	e := newTestEnv(t)
	served := e.api.Routes()
	if len(served) == 0 {
		t.Fatal("the server reports no routes")
	}
	for _, route := range served {
		if _, ok := ops[route]; !ok {
			t.Errorf("route %q is served but not documented in internal/keyservice/%s", route, openAPIDocument)
		}
	}
	for route := range ops {
		if !slices.Contains(served, route) {
			t.Errorf("%q is documented in internal/keyservice/%s but the server does not register it", route, openAPIDocument)
		}
	}
	// Each operation's security requirement names what the route needs: its scope, or
	// admin-token; public routes have none.
	for _, route := range served {
		op, ok := ops[route]
		if !ok {
			continue
		}
		want := documentedAccess(e.api.Access(route))
		var got []string
		if op.Security != nil {
			for _, req := range *op.Security {
				got = append(got, req["bearerAuth"]...)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: documented security roles %v, but the route needs %v", route, got, want)
		}
	}
}

// documentedAccess is how openapi.json names a route's access in its security requirement.
func documentedAccess(r keyservice.Right) []string {
	switch r {
	case 0:
		return nil
	case keyservice.RightOperator:
		return []string{"admin-token"}
	}
	return []string{r.Scope()}
}

// TestOpenAPIOperationsAnswer sends each documented operation, without a credential, to the
// real handler: none may fall through to the catch-all or a 405, and every operation the
// document does not mark public (security: []) must refuse with 401.
func TestOpenAPIOperationsAnswer(t *testing.T) {
	_, ops := loadOpenAPI(t)
	e := newTestEnv(t)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for route, op := range ops {
		method, path, _ := strings.Cut(route, " ")
		r := e.do(method, param.ReplaceAllString(path, "probe"), "", nil)
		if r.status == http.StatusMethodNotAllowed || r.status == http.StatusNotFound && strings.Contains(string(r.raw), "no such route") {
			t.Errorf("%s: answered %d %s: not routed", route, r.status, r.raw)
			continue
		}
		public := op.Security != nil && len(*op.Security) == 0
		if !public && r.status != http.StatusUnauthorized {
			t.Errorf("%s: without a credential answered %d, want 401 (or mark it public with security: [])", route, r.status)
		}
	}
}

// TestOpenAPIDocumentIsComplete checks what a client generator relies on: unique operation
// ids, resolvable references, and the one error model on every error response.
func TestOpenAPIDocumentIsComplete(t *testing.T) {
	doc, ops := loadOpenAPI(t)

	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if resolveRef(doc, ref) == nil {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, child := range v {
				walk(child, at+"/"+k)
			}
		case []any:
			for _, child := range v {
				walk(child, at+"[]")
			}
		}
	}
	walk(doc, "#")

	ids := map[string]string{}
	for route, op := range ops {
		if op.OperationID == "" {
			t.Errorf("%s: no operationId", route)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", route, other, op.OperationID)
		}
		ids[op.OperationID] = route
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses", route)
		}
		for status, raw := range op.Responses {
			if status[0] != '4' && status[0] != '5' {
				continue
			}
			var resp any
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatal(err)
			}
			if ref := errorSchemaRef(doc, resp); ref != "#/components/schemas/Error" {
				t.Errorf("%s: response %s has schema %q, want the Error model", route, status, ref)
			}
		}
	}
}

// errorSchemaRef returns the $ref of a response's application/json schema, following a
// $ref to a shared response first.
func errorSchemaRef(doc map[string]any, resp any) string {
	m, _ := resp.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		m, _ = resolveRef(doc, ref).(map[string]any)
	}
	content, _ := m["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	ref, _ := schema["$ref"].(string)
	return ref
}

// resolveRef follows a local JSON pointer ("#/components/schemas/X"); nil if it leads nowhere.
func resolveRef(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}
