package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestErrorMapping(t *testing.T) {
	sentinels := []error{ErrNotFound, ErrConflict, ErrUnauthorized, ErrForbidden, ErrValidation, ErrRateLimited, ErrPreconditionFailed}
	tests := []struct {
		status int
		want   error // nil: matches no sentinel
	}{
		{http.StatusNotFound, ErrNotFound},
		{http.StatusConflict, ErrConflict},
		{http.StatusUnauthorized, ErrUnauthorized},
		{http.StatusForbidden, ErrForbidden},
		{http.StatusBadRequest, ErrValidation},
		{http.StatusRequestEntityTooLarge, ErrValidation},
		{http.StatusUnsupportedMediaType, ErrValidation},
		{http.StatusUnprocessableEntity, ErrValidation},
		{http.StatusTooManyRequests, ErrRateLimited},
		{http.StatusPreconditionFailed, ErrPreconditionFailed},
		{http.StatusNotImplemented, nil},
		{http.StatusMethodNotAllowed, nil},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := newFakeServer(t, respond(tt.status,
				`{"error":{"code":"conflict","message":"name \"x\" is already used","field":"name"}}`, "X-Request-Id", "req-7"))
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(0) })

			err := c.DeleteProject(t.Context(), "p1")
			for _, s := range sentinels {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
				}
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("errors.As(%v, *APIError) failed", err)
			}
			want := APIError{StatusCode: tt.status, Code: "conflict", Message: `name "x" is already used`, Field: "name", RequestID: "req-7"}
			if *apiErr != want {
				t.Errorf("APIError = %+v, want %+v", *apiErr, want)
			}
		})
	}
}

func TestAPIErrorMessage(t *testing.T) {
	e := &APIError{StatusCode: 409, Code: "conflict", Message: `name "x" is already used`, Field: "name"}
	if got, want := e.Error(), `keyservice API: 409 conflict: name "x" is already used (field name)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &APIError{StatusCode: 502, Message: "upstream gone", RequestID: "r1"}
	if got, want := e.Error(), `keyservice API: 502 bad gateway: upstream gone [request id r1]`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestDecodeAPIErrorNonJSON(t *testing.T) {
	html := "<html><body>" + strings.Repeat("Bad Gateway ", 200) + "</body></html>"
	e := decodeAPIError(http.StatusBadGateway, "", []byte(html))
	if e.StatusCode != http.StatusBadGateway || e.Code != "" {
		t.Errorf("got %+v", e)
	}
	if len(e.Message) > maxErrorMessageBytes || !strings.HasPrefix(e.Message, "<html><body>Bad Gateway") {
		t.Errorf("message not a short, truncated excerpt (%d bytes): %q", len(e.Message), e.Message)
	}
	if e := decodeAPIError(http.StatusServiceUnavailable, "", nil); e.Message == "" {
		t.Error("an empty body should still give a message")
	}
}

func TestDecodeAPIErrorScrubsSecrets(t *testing.T) {
	body := `{"error":{"code":"validation_failed","message":"key ks_live9f8e7d6c5b4a bad\nchecksum","field":"key"}}`
	e := decodeAPIError(http.StatusBadRequest, "", []byte(body))
	if strings.Contains(e.Error(), "ks_live9f8e7d6c5b4a") || strings.Contains(e.Error(), "\n") {
		t.Errorf("Error() = %q leaks a secret or breaks the line", e.Error())
	}
	e = decodeAPIError(http.StatusBadGateway, "", []byte("proxy saw ks_live9f8e7d6c5b4a"))
	if strings.Contains(e.Error(), "ks_live9f8e7d6c5b4a") {
		t.Errorf("Error() = %q leaks a secret", e.Error())
	}
}

func FuzzDecodeAPIError(f *testing.F) {
	seeds := []string{
		`{"error":{"code":"not_found","message":"no such key","field":"id"}}`,
		`{"error":{"code":"conflict"}}`,
		`{"error":null}`,
		`{"error":"flat string"}`,
		`{"error":{"message":"unterminated}}`,
		`<html>502</html>`,
		``,
		"\xff\xfe invalid utf8 \x00\x1b[31m",
		`{"error":{"message":"` + strings.Repeat("é", 600) + `"}}`,
		`{"error":{"message":"ks_abcdefghijklmnop"}}`,
		`[1,2,3]`,
	}
	for i, s := range seeds {
		f.Add(400+i, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(status, "req", body)
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		for name, s := range map[string]string{"code": e.Code, "message": e.Message, "field": e.Field} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\r\x00") {
				t.Fatalf("%s %q is not one clean line", name, s)
			}
		}
		if len(e.Message) > maxErrorMessageBytes {
			t.Fatalf("message of %d bytes exceeds %d", len(e.Message), maxErrorMessageBytes)
		}
		if msg := e.Error(); !strings.HasPrefix(msg, "keyservice API: ") {
			t.Fatalf("Error() = %q", msg)
		}

		// The 2xx path: decoding any body into a key is an error or a value, never a panic.
		var k APIKey
		if err := decodeResponse(body, &k); err != nil && strings.Contains(err.Error(), "ks_") && !strings.Contains(string(body), "ks_") {
			t.Fatalf("decode error %q invents text", err)
		}
		var list APIKeyList
		_ = decodeResponse(body, &list)
	})
}

func TestDecodeResponseErrorsDoNotQuoteTheBody(t *testing.T) {
	for _, body := range []string{`{"key":"ks_topsecretvalue"`, `{"key":ks_topsecretvalue}`, `{"scopes":"ks_topsecretvalue"}`} {
		var k APIKey
		err := decodeResponse([]byte(body), &k)
		if err == nil {
			t.Fatalf("decodeResponse(%s) succeeded", body)
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("decodeResponse(%s) error %q quotes the body", body, err)
		}
	}
	var k APIKey
	if err := decodeResponse([]byte(createdKeyJSON), &k); err != nil || k.ID != "k1" {
		t.Errorf("valid body: %v %+v", err, k)
	}
}
