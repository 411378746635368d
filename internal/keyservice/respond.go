package keyservice

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
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

// httpError is a failure decided by the HTTP layer itself (body too large,
// wrong content type, rate limit), as opposed to a domain rule.
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
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError maps err onto the error model. Anything unclassified is logged
// and answered with a bare 500, so internals never reach clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		de *domainError
		he *httpError
	)
	switch {
	case errors.As(err, &de):
		status, code := statusOf(de.kind)
		if de.kind == kindUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="keyservice"`)
		}
		writeJSON(w, status, errorBody{errorDetail{Code: code, Message: de.message, Field: de.field}})
	case errors.As(err, &he):
		writeJSON(w, he.status, errorBody{errorDetail{Code: he.code, Message: he.message, Field: he.field}})
	default:
		s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestID(r.Context())), slog.String("error", err.Error()))
		writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: codeInternal, Message: "internal error"}})
	}
}

func statusOf(k errorKind) (int, string) {
	switch k {
	case kindValidation:
		return http.StatusBadRequest, codeValidation
	case kindNotFound:
		return http.StatusNotFound, codeNotFound
	case kindConflict:
		return http.StatusConflict, codeConflict
	case kindUnauthorized:
		return http.StatusUnauthorized, codeUnauthorized
	case kindForbidden:
		return http.StatusForbidden, codeForbidden
	case kindPreconditionFailed:
		return http.StatusPreconditionFailed, codePrecondition
	}
	return http.StatusInternalServerError, codeInternal
}
