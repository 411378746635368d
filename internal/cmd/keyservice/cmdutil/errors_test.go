package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

func TestExitCode(t *testing.T) {
	notFound := &resolve.NotFoundError{Kind: "API key", Ref: "x"}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, ExitOK},
		{"usage", UsageErrorf("bad"), ExitUsage},
		{"wrapped usage", fmt.Errorf("ctx: %w", UsageErrorf("bad")), ExitUsage},
		{"no project", fmt.Errorf("ctx: %w", resolve.ErrNoProject), ExitUsage},
		{"ambiguous name", &resolve.AmbiguousError{Kind: "API key", Ref: "x", IDs: []string{"a", "b"}}, ExitUsage},
		{"not found by the resolver", notFound, ExitNotFound},
		{"several not found", errors.Join(notFound, notFound), ExitNotFound},
		{"404 from the API", fmt.Errorf("ctx: %w", &client.APIError{StatusCode: http.StatusNotFound}), ExitNotFound},
		{"409 from the API", &client.APIError{StatusCode: http.StatusConflict}, ExitError},
		{"cancelled", ErrCancelled, ExitError},
		{"anything else", errors.New("boom"), ExitError},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestPrintErrorHints(t *testing.T) {
	tests := []struct {
		err  error
		hint string // "" for none
	}{
		{UsageErrorf("bad"), "Hint: run 'keyservice api-key ls --help' for usage"},
		{&client.APIError{StatusCode: 401, Field: "X-Keyservice-OTP"}, "--otp CODE, or set KEYSERVICE_OTP"},
		{&client.APIError{StatusCode: 401}, "check KEYSERVICE_TOKEN"},
		{&client.APIError{StatusCode: 403}, "need the admin token"},
		{&client.APIError{StatusCode: 403, RequiredScope: "keys:write"}, "the token lacks the keys:write scope"},
		{&client.APIError{StatusCode: 403, Field: "scopes[1]"}, "hold no scope it does not hold itself"},
		{&client.APIError{StatusCode: 429, Field: "X-Keyservice-OTP"}, "too many wrong one-time codes"},
		{&client.APIError{StatusCode: 409}, "names are unique"},
		{&client.APIError{StatusCode: 429}, "wait a moment"},
		{&client.APIError{StatusCode: 503}, "under the request id"},
		{&client.APIError{StatusCode: 404}, ""},
		{&resolve.NotFoundError{Kind: "API key", Ref: "x"}, ""},
		{errors.New("boom"), ""},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		PrintError(&b, tt.err, "keyservice api-key ls")
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if lines[0] != "Error: "+tt.err.Error() {
			t.Errorf("%v: first line %q", tt.err, lines[0])
		}
		switch {
		case tt.hint == "" && len(lines) != 1:
			t.Errorf("%v: want no hint, got %q", tt.err, lines[1:])
		case tt.hint != "" && (len(lines) != 2 || !strings.Contains(lines[1], tt.hint)):
			t.Errorf("%v: want a hint with %q, got %q", tt.err, tt.hint, lines[1:])
		}
	}
}
