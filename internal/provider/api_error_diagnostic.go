package provider

import (
	"context"
	"errors"
	"fmt"
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
	case isAPIError && strings.EqualFold(apiErr.Field, "X-Keyservice-OTP"):
		detail += "\n\nThe project requires a one-time code to create, rotate and revoke keys: set otp in the provider " +
			"configuration, or KEYSERVICE_OTP, to the current code of its authenticator (a code is good for about a minute)."
	case errors.Is(err, client.ErrUnauthorized):
		detail += "\n\nCheck the provider's token (or KEYSERVICE_TOKEN): the key service did not accept it."
	case errors.Is(err, client.ErrForbidden):
		detail += "\n\nThe token is valid but has no right to do this; a keys:admin API key only manages its own project."
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
