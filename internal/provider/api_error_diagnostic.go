package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// addAPIError turns a client error into a diagnostic: a short summary, what was being done and
// what to do, then the server's own message. A server error naming a field becomes an error on
// the attribute of the same name.
func addAPIError(diags *diag.Diagnostics, summary, action string, err error) {
	detail := fmt.Sprintf("Could not %s: %s", action, err)
	var apiErr *client.APIError
	isAPIError := errors.As(err, &apiErr)
	switch {
	case isAPIError && apiErr.StatusCode == http.StatusTooManyRequests && strings.EqualFold(apiErr.Field, "X-Keyservice-OTP"):
		detail += "\n\nThis token sent too many wrong one-time codes for the project: its changes to the project are refused " +
			"for 15 minutes from the first wrong code. Wait, then run again with the current code."
	case isAPIError && strings.EqualFold(apiErr.Field, "X-Keyservice-OTP"):
		detail += "\n\nThe project requires a one-time code for every change: set otp in the provider configuration, or " +
			"KEYSERVICE_OTP, to the current code of its authenticator. The project takes each code once, so a run that " +
			"changes several of its objects needs a new code for each: apply them one at a time (-target), or apply again " +
			"with the next code."
	case errors.Is(err, client.ErrUnauthorized):
		detail += "\n\nCheck the provider's token (or KEYSERVICE_TOKEN): the key service did not accept it."
	case isAPIError && apiErr.StatusCode == http.StatusForbidden && apiErr.RequiredScope != "":
		detail += fmt.Sprintf("\n\nThe token lacks the %s scope. Give this workflow a credential that holds it: plan, refresh and "+
			"drift detection need keys:read; managing keys (keyservice_api_key, the ephemeral keyservice_api_key) needs keys:write; "+
			"service accounts, environments and project settings need keys:admin; creating and deleting projects needs the admin token.",
			apiErr.RequiredScope)
	case isAPIError && apiErr.StatusCode == http.StatusForbidden && apiErr.Field != "":
		detail += "\n\nAn API key only creates, changes or rotates keys that hold no scope it does not hold itself and, when it " +
			"expires, expire no later than itself. Use a token that holds what this key needs (the admin token is not bound), " +
			"or ask for less."
	case isAPIError && apiErr.StatusCode == http.StatusNotFound && apiErr.Field == "project_id":
		detail += "\n\nNo project has this id, or the token is an API key of another project: a key reaches its own " +
			"project only, and another project's objects look to it as if they did not exist."
	case errors.Is(err, client.ErrForbidden):
		detail += "\n\nThe token is valid but may not do this: creating and deleting projects needs the admin token, and an " +
			"API key reaches its own project only."
	case errors.Is(err, client.ErrConflict):
		detail += "\n\nAnother object already holds this name, or the object changed state on the server; refresh and try again."
	case errors.Is(err, client.ErrRateLimited):
		detail += "\n\nThe key service is limiting this client (too many requests, or too many failed credentials); wait a minute and retry."
	case errors.Is(err, context.DeadlineExceeded):
		detail += "\n\nThe operation did not finish in time: raise the resource's timeouts, or the provider's request_timeout " +
			"or max_retries, or check the connection to the key service."
	case errors.Is(err, client.ErrNotFound):
		// The message names what was not found; the key service did answer.
	case !isAPIError:
		detail += "\n\nThe key service did not answer: check endpoint (or KEYSERVICE_ENDPOINT), that keyserviced runs, and the network between."
	}
	if isAPIError && apiErr.Field != "" && isAttributeName(apiErr.Field) {
		diags.AddAttributeError(path.Root(apiErr.Field), summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

// isAttributeName reports whether a server field name is an argument that every resource
// sending it has under the same name (the server may also name nested fields like "scopes[2]"
// or headers like "Idempotency-Key", which stay in the message).
func isAttributeName(field string) bool {
	switch field {
	case "name", "description", "scopes", "expires_at", "project_id", "active":
		return true
	}
	return false
}
