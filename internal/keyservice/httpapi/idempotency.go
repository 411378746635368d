package httpapi

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

const idempotencyHeader = "Idempotency-Key"

// idempotent answers a POST carrying an Idempotency-Key through keyservice.Service.Idempotent:
// the first request runs, a retry with the same key and request gets the first answer again
// (marked Idempotent-Replayed), and the same key with another request is a 422. Only final
// answers are kept: not a 5xx (a retry should run the request again), and not a 401, 403 or 429,
// which say the request was not allowed to run (a missing or wrong one-time code, a grant beyond
// the caller): a retry that brings what was missing must run it, and a refusal must never be
// what a later retry gets back.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values, present := r.Header[idempotencyHeader]
		if !present {
			next.ServeHTTP(w, r)
			return
		}
		body, err := readBody(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := keyservice.IdempotentRequest{Key: values[0], Fingerprint: requestHash(r, body)}
		resp, replayed, err := s.svc.Idempotent(r.Context(), principalFrom(r.Context()), req, func(p keyservice.Principal) (keyservice.RecordedResponse, bool) {
			rw := &recordingWriter{header: w.Header()}
			next.ServeHTTP(rw, withPrincipal(r, p))
			if rw.status == 0 {
				rw.status = http.StatusOK
			}
			return keyservice.RecordedResponse{Status: rw.status, Body: rw.body.Bytes()}, finalStatus(rw.status)
		})
		switch {
		case err != nil && r.Context().Err() != nil:
			return // the client went away while waiting for a duplicate
		case err != nil:
			s.writeError(w, r, err)
			return
		case replayed:
			w.Header().Set("Idempotent-Replayed", "true")
			if len(resp.Body) > 0 {
				w.Header().Set("Content-Type", "application/json")
			}
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	})
}

// finalStatus reports whether an answer is kept for the retries of its request.
func finalStatus(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		return false
	}
	return status < 500
}

// requestHash fingerprints what makes two requests "the same".
func requestHash(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.Path + "?" + r.URL.RawQuery + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

// recordingWriter buffers a response so it can be recorded before it is sent.
type recordingWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) Header() http.Header { return w.header }

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
