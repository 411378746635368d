package keyservice

import "fmt"

// errorKind classifies a domain error; the HTTP layer maps each kind to one
// status and error code.
type errorKind int

const (
	kindValidation errorKind = iota + 1
	kindNotFound
	kindConflict
	kindUnauthorized
	kindForbidden
	kindPreconditionFailed
)

// domainError is a failure the caller can act on. Its message is safe to
// show to clients: it never contains a secret.
type domainError struct {
	kind    errorKind
	message string
	field   string
}

func (e *domainError) Error() string {
	if e.field != "" {
		return e.field + ": " + e.message
	}
	return e.message
}

func invalid(field, format string, args ...any) *domainError {
	return &domainError{kind: kindValidation, field: field, message: fmt.Sprintf(format, args...)}
}

func notFound(field, format string, args ...any) *domainError {
	return &domainError{kind: kindNotFound, field: field, message: fmt.Sprintf(format, args...)}
}

func conflict(field, format string, args ...any) *domainError {
	return &domainError{kind: kindConflict, field: field, message: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *domainError {
	return &domainError{kind: kindForbidden, message: fmt.Sprintf(format, args...)}
}

// errUnauthorized is deliberately uniform: it must not tell a caller whether
// a key exists, was revoked or expired.
var errUnauthorized = &domainError{kind: kindUnauthorized, message: "missing, invalid or unusable credential"}
