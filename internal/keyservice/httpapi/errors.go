package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// Error codes of the API contract.
const (
	codeValidation   = "validation_failed"
	codeNotFound     = "not_found"
	codeConflict     = "conflict"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codePrecondition = "precondition_failed"
	codeRateLimited  = "rate_limited"
	codeInternal     = "internal"
)

// httpError is a failure decided by the HTTP layer itself (body too large, wrong content type,
// rate limit), as opposed to a domain rule.
type httpError struct {
	status  int
	code    string
	message string
	field   string
}

func (e *httpError) Error() string { return e.message }

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RequiredScope is the management scope a 403 says the credential lacks.
	RequiredScope string `json:"required_scope,omitempty"`
}

// writeError maps err onto the error model. Anything unclassified is logged and answered with
// a bare 500, so internals never reach clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		de *keyservice.Error
		he *httpError
	)
	switch {
	case errors.As(err, &de):
		status, code := statusOf(de.Kind)
		switch de.Kind {
		case keyservice.KindUnauthorized:
			w.Header().Set("WWW-Authenticate", `Bearer realm="keyservice"`)
		case keyservice.KindRateLimited:
			w.Header().Set("Retry-After", retryAfter(de.RetryAfter))
		}
		writeJSON(w, status, errorBody{errorDetail{Code: code, Message: de.Message, Field: de.Field, RequiredScope: de.RequiredScope}})
	case errors.As(err, &he):
		writeJSON(w, he.status, errorBody{errorDetail{Code: he.code, Message: he.message, Field: he.field}})
	default:
		s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestID(r.Context())), slog.String("error", err.Error()))
		writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: codeInternal, Message: "internal error"}})
	}
}

// statusOf is the status and error code of each kind of domain error.
func statusOf(k keyservice.ErrorKind) (int, string) {
	switch k {
	case keyservice.KindValidation:
		return http.StatusBadRequest, codeValidation
	case keyservice.KindNotFound:
		return http.StatusNotFound, codeNotFound
	case keyservice.KindConflict:
		return http.StatusConflict, codeConflict
	case keyservice.KindUnauthorized:
		return http.StatusUnauthorized, codeUnauthorized
	case keyservice.KindForbidden:
		return http.StatusForbidden, codeForbidden
	case keyservice.KindPreconditionFailed:
		return http.StatusPreconditionFailed, codePrecondition
	case keyservice.KindIdempotencyMismatch:
		return http.StatusUnprocessableEntity, codeConflict
	case keyservice.KindRateLimited:
		return http.StatusTooManyRequests, codeRateLimited
	}
	return http.StatusInternalServerError, codeInternal
}
