package keyservice

import (
	"fmt"
	"time"
)

// ErrorKind classifies an *Error; the HTTP layer maps each kind to one status and error code.
type ErrorKind int

// The kinds of failure a caller can act on.
const (
	// KindInternal is any failure that is not an *Error: a store that is down, a bug.
	KindInternal ErrorKind = iota
	// KindValidation is input that breaks a rule; Field names it.
	KindValidation
	// KindNotFound is an id or name that addresses nothing the caller may see.
	KindNotFound
	// KindConflict is a write refused by the state it would change: a taken name, a key that
	// is no longer live.
	KindConflict
	// KindUnauthorized is a missing, bad or unusable credential, or a missing or wrong
	// one-time code.
	KindUnauthorized
	// KindForbidden is a valid credential without the right to act.
	KindForbidden
	// KindPreconditionFailed is a conditional write whose condition (If-Match) does not hold.
	KindPreconditionFailed
	// KindIdempotencyMismatch is an Idempotency-Key used again with another request.
	KindIdempotencyMismatch
	// KindRateLimited is a request refused until RetryAfter has passed: a credential that
	// failed too many one-time codes on a project.
	KindRateLimited
)

// Error is a failure the caller can act on. Its message is safe to show to clients: it never
// contains a secret. Field names the member of the request at fault, in the API's own words
// (project_id, scopes[2], If-Match), or is empty.
type Error struct {
	Kind    ErrorKind
	Field   string
	Message string
	// RequiredScope is, for a KindForbidden that a management scope would lift, that scope
	// (keys:read, keys:write or keys:admin): what the credential lacks, for clients to say.
	RequiredScope string
	// RetryAfter is, for KindRateLimited, how long until the request may succeed.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Invalid is a validation error naming field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindValidation, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(field, message string) *Error {
	return &Error{Kind: KindNotFound, Field: field, Message: message}
}

// The answers for an id or name that the principal cannot see: the same whether it names
// nothing or something of a project the principal does not reach, and echoing nothing of the
// request, so that they tell nothing about what exists elsewhere.
func projectNotFound(field string) *Error { return notFound(field, "project not found") }

func apiKeyNotFound(field string) *Error { return notFound(field, "API key not found") }

func serviceAccountNotFound(field string) *Error { return notFound(field, "service account not found") }

func environmentNotFound(field string) *Error { return notFound(field, "environment not found") }

func conflict(field, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// beyondCeiling refuses a key principal a key that would hold more than itself; field names
// the member of the key that would (scopes[2], expires_at).
func beyondCeiling(field, format string, args ...any) *Error {
	return &Error{Kind: KindForbidden, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnauthorized is deliberately uniform: it must not tell a caller whether a key exists, was
// revoked or expired.
var ErrUnauthorized = &Error{Kind: KindUnauthorized, Message: "missing, invalid or unusable credential"}

// quoteForMessage echoes a client-chosen value safely: bounded and quoted.
func quoteForMessage(v string) string {
	const limit = 64
	if len(v) > limit {
		v = v[:limit] + "…"
	}
	b := []byte{'"'}
	for _, c := range []byte(v) {
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			c = '?'
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}
