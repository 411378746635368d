package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Sentinel errors for branching with errors.Is. An *APIError matches the one
// that fits its HTTP status; the *APIError itself carries the details.
var (
	ErrNotFound           = errors.New("keyservice: not found")
	ErrConflict           = errors.New("keyservice: conflict")
	ErrUnauthorized       = errors.New("keyservice: unauthorized")
	ErrForbidden          = errors.New("keyservice: forbidden")
	ErrValidation         = errors.New("keyservice: validation failed")
	ErrRateLimited        = errors.New("keyservice: rate limited")
	ErrPreconditionFailed = errors.New("keyservice: precondition failed")
)

// maxErrorMessageBytes bounds the message kept from an error body, so a proxy's
// HTML page or a huge body never floods a diagnostic.
const maxErrorMessageBytes = 512

// APIError is a non-2xx answer from the key service.
type APIError struct {
	StatusCode int
	Code       string // the server's error code, e.g. "conflict"; empty when the body was not the API's error shape
	Message    string
	Field      string // the request field the error is about, when the server names one
	// RequiredScope is, on a 403, the management scope the token lacks (keys:read, keys:write
	// or keys:admin), when a scope would lift the refusal.
	RequiredScope string
	RequestID     string // X-Request-Id of the response, for correlating with server logs
	// AfterUncertainAttempt is set when an earlier attempt of the same call ended without a
	// definite answer (a lost connection, a 5xx): that attempt may have been applied, so this
	// answer (say, 409 because the key it created now holds the name) may be its consequence.
	AfterUncertainAttempt bool
}

// Error renders e.g. `keyservice API: 409 conflict: name "x" is already used (field name)`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keyservice API: %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	} else if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + strings.ToLower(text))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Field != "" {
		b.WriteString(" (field " + e.Field + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

// Is maps the HTTP status onto the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrValidation:
		switch e.StatusCode {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			return true
		}
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	}
	return false
}

// errorBody is the server's error envelope.
type errorBody struct {
	Error *struct {
		Code          string `json:"code"`
		Message       string `json:"message"`
		Field         string `json:"field"`
		RequiredScope string `json:"required_scope"`
	} `json:"error"`
}

// decodeAPIError turns a non-2xx response body into an *APIError. It never
// fails: a body that is not the API's error shape (a proxy's HTML page, an
// empty body) becomes a short, truncated message.
func decodeAPIError(status int, requestID string, body []byte) *APIError {
	e := &APIError{StatusCode: status, RequestID: cleanText(requestID, 128)}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil && eb.Error != nil && (eb.Error.Code != "" || eb.Error.Message != "") {
		e.Code = cleanText(eb.Error.Code, 64)
		e.Message = cleanText(eb.Error.Message, maxErrorMessageBytes)
		e.Field = cleanText(eb.Error.Field, 255)
		e.RequiredScope = cleanText(eb.Error.RequiredScope, 64)
		return e
	}
	e.Message = cleanText(string(body), maxErrorMessageBytes)
	if e.Message == "" {
		e.Message = "no error details in the response"
	}
	return e
}

// secretPattern matches anything shaped like a key service secret. A server
// should never echo one, but an error message ends up in Terraform output and
// CI logs, so the client scrubs it anyway.
var secretPattern = regexp.MustCompile(`ks_[0-9A-Za-z_-]{4,}`)

// redactCredentials replaces every occurrence of the given credentials in body.
func redactCredentials(body []byte, credentials ...string) []byte {
	for _, c := range credentials {
		if len(c) >= 4 {
			body = bytes.ReplaceAll(body, []byte(c), []byte(redacted))
		}
	}
	return body
}

// cleanText makes untrusted server text safe for one diagnostic line: valid
// UTF-8, no control characters, no secrets, at most limit bytes.
func cleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	s = secretPattern.ReplaceAllString(s, "ks_[REDACTED]")
	if len(s) <= limit {
		return s
	}
	const ellipsis = "…"
	cut := limit - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
