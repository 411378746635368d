package resolve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

func TestLooksLikeID(t *testing.T) {
	for s, want := range map[string]bool{
		"key_4fQ2xY7aB1cD3eF5gH6i":  true,
		"key_4fQ2xY7aB1cD3eF5gH6":   false, // 19
		"key_4fQ2xY7aB1cD3eF5gH6ij": false, // 21
		"key_4fQ2xY7aB1cD3eF5gH6-":  false,
		"sa_4fQ2xY7aB1cD3eF5gH6i":   false, // another kind's prefix
		"ci-deployer":               false,
		"":                          false,
	} {
		if got := looksLikeID(s, "key_"); got != want {
			t.Errorf("looksLikeID(%q) = %t, want %t", s, got, want)
		}
	}
}

// The key service keeps live names unique, so two live keys of one name can only come from a
// broken or future server; the resolver then refuses to pick one and lists their ids.
func TestAPIKeyAmbiguousName(t *testing.T) {
	const key = `{"id":%q,"project_id":"prj_00000000000000000001","name":"dup","scopes":[],"active":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/projects/prj_00000000000000000001":
			_, _ = w.Write([]byte(`{"id":"prj_00000000000000000001","name":"payments","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`))
		case r.URL.Path == "/v1/api-keys" && r.URL.Query().Get("name") == "dup":
			_, _ = w.Write([]byte(`{"items":[` + strings.Replace(key, "%q", `"key_a"`, 1) + `,` + strings.Replace(key, "%q", `"key_b"`, 1) + `],"next_page_token":""}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: "t", MaxRetries: new(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(c, "prj_00000000000000000001").APIKey(context.Background(), "dup")
	var amb *AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v, want an *AmbiguousError", err)
	}
	if want := `2 API keys are named "dup": give one of their ids instead: key_a, key_b`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}
