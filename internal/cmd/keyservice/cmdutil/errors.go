package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// ExitCode is the exit code for the error a command returned.
func ExitCode(err error) int {
	var (
		usage     *UsageError
		ambiguous *resolve.AmbiguousError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage), errors.As(err, &ambiguous), errors.Is(err, resolve.ErrNoProject):
		return ExitUsage
	case errors.Is(err, client.ErrNotFound):
		return ExitNotFound
	}
	return ExitError
}

// PrintError writes err to w, with a line that says what to do about it when that is known.
// Neither line ever holds a secret: the client scrubs what the server says, and no command puts
// the token or a key in an error.
func PrintError(w io.Writer, err error, commandPath string) {
	fmt.Fprintf(w, "Error: %v\n", err)
	if hint := hint(err, commandPath); hint != "" {
		fmt.Fprintf(w, "Hint: %s\n", hint)
	}
}

func hint(err error, commandPath string) string {
	var (
		usage  *UsageError
		apiErr *client.APIError
		netErr net.Error
		urlErr *url.Error
	)
	switch {
	case errors.As(err, &usage):
		return fmt.Sprintf("run '%s --help' for usage", commandPath)
	case errors.Is(err, client.ErrNotFound), errors.Is(err, resolve.ErrNoProject):
		return "" // the message says what exists and how to list it
	case errors.As(err, &apiErr):
		return apiHint(apiErr)
	case errors.As(err, &netErr), errors.As(err, &urlErr):
		return "is keyserviced running there? Check " + EnvEndpoint + " or --endpoint"
	}
	return ""
}

func apiHint(e *client.APIError) string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		if e.Field == "X-Keyservice-OTP" {
			return "this project requires a one-time code for every change, and takes each code once: pass the current code from your authenticator with --otp CODE, or set " + EnvOTP
		}
		return "the key service refused the token: check " + EnvToken + " (a wrong admin token, or an API key that is unknown, revoked, expired or disabled)"
	case http.StatusForbidden:
		if e.RequiredScope != "" {
			return "the token lacks the " + e.RequiredScope + " scope: reading needs keys:read, managing keys keys:write, service accounts, environments and project settings keys:admin"
		}
		if e.Field != "" {
			return "an API key only creates, changes or rotates keys that hold no scope it does not hold itself and expire no later than itself"
		}
		return "the token may not do this: creating, listing all and deleting projects, and one-time code enrolment, need the admin token"
	case http.StatusConflict:
		return "names are unique among a project's live objects: choose another name, or rename or remove the other one"
	case http.StatusTooManyRequests:
		if e.Field == "X-Keyservice-OTP" {
			return "too many wrong one-time codes from this token on this project: its changes there are refused for 15 minutes from the first"
		}
		return "the key service is rate limiting this client: wait a moment and try again"
	}
	if e.StatusCode >= 500 {
		return "the key service failed; its log has the details under the request id"
	}
	return ""
}
