package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			s.writeError(w, r, errBodyTooLarge)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

var errBodyTooLarge = &httpError{
	status: http.StatusRequestEntityTooLarge, code: codeValidation,
	message: fmt.Sprintf("request body exceeds %d bytes", maxBodyBytes),
}

// readBody reads the whole body; a non-empty one must be JSON.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge
		}
		return nil, &httpError{status: http.StatusBadRequest, code: codeValidation, message: "could not read request body"}
	}
	if len(body) > 0 && !isJSONMediaType(r.Header.Get("Content-Type")) {
		return nil, &httpError{
			status: http.StatusUnsupportedMediaType, code: codeValidation, field: "Content-Type",
			message: "request body must be application/json",
		}
	}
	return body, nil
}

func isJSONMediaType(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeStrict decodes one JSON object into dst, refusing unknown fields and
// trailing data. An empty body decodes as {}.
func decodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonDecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return keyservice.Invalid("", "request body must hold a single JSON object")
	}
	return nil
}

func jsonDecodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return keyservice.Invalid("", "request body is not valid JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return keyservice.Invalid("", "request body must be a JSON object")
		}
		return keyservice.Invalid(jsonFieldPath(typ.Field), "must be %s", describeType(typ.Type))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if uq, uerr := strconv.Unquote(name); uerr == nil {
			name = uq
		}
		return keyservice.Invalid(name, "unknown field")
	}
	return keyservice.Invalid("", "request body is not valid JSON")
}

// jsonFieldPath turns encoding/json's "scopes.2" style into "scopes[2]".
func jsonFieldPath(p string) string {
	parts := strings.Split(p, ".")
	var b strings.Builder
	for i, part := range parts {
		if _, err := strconv.Atoi(part); err == nil && i > 0 {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of type " + t.Kind().String()
}

// patchObject decodes a merge-patch body into its raw members, refusing
// members not in allowed.
func patchObject(body []byte, allowed ...string) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var m map[string]json.RawMessage
	if err := decodeStrict(body, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, keyservice.Invalid("", "request body must be a JSON object")
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, keyservice.Invalid(unknown[0], "unknown field")
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// patchField decodes one member into dst, naming field on failure.
func patchField(raw json.RawMessage, field string, dst any) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			if typ.Field != "" {
				return keyservice.Invalid(field, "must hold only values that are %s", describeType(typ.Type))
			}
			return keyservice.Invalid(field, "must be %s", describeType(typ.Type))
		}
		return keyservice.Invalid(field, "is not valid JSON")
	}
	return nil
}

// patchNonNull reads a merge-patch member that may be absent (nil) but not null.
func patchNonNull[T any](m map[string]json.RawMessage, field string) (*T, error) {
	raw, ok := m[field]
	if !ok {
		return nil, nil
	}
	if isNull(raw) {
		return nil, keyservice.Invalid(field, "must not be null")
	}
	v := new(T)
	if err := patchField(raw, field, v); err != nil {
		return nil, err
	}
	return v, nil
}

// patchDescription reads "description", where null clears to "".
func patchDescription(m map[string]json.RawMessage) (*string, error) {
	raw, ok := m["description"]
	if !ok {
		return nil, nil
	}
	d := new(string)
	if err := patchField(raw, "description", d); err != nil {
		return nil, err
	}
	return d, nil
}

func parseTimestamp(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, keyservice.Invalid(field, "must be an RFC 3339 timestamp")
	}
	return t, nil
}

// listJSON is every list's answer: a page of items and the token of the next page.
type listJSON[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

func toListJSON[R, T any](page keyservice.Page[R], convert func(R) T) listJSON[T] {
	out := listJSON[T]{Items: make([]T, 0, len(page.Items)), NextPageToken: page.NextPageToken}
	for _, item := range page.Items {
		out.Items = append(out.Items, convert(item))
	}
	return out
}

// writeJSON answers v with status.
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
