package keyservice

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const (
	idempotencyHeader    = "Idempotency-Key"
	maxIdempotencyKeyLen = 255
	idempotencyTTL       = time.Hour
	idempotencySweepGap  = time.Minute
)

// idempotent records the response to a POST carrying an Idempotency-Key and
// replays it for a retry with the same key and request. Recorded bodies are
// encrypted: a create response holds the new key's secret.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idemKey := r.Header.Get(idempotencyHeader)
		if idemKey == "" {
			if _, present := r.Header[idempotencyHeader]; present {
				s.writeError(w, r, invalid(idempotencyHeader, "must not be empty"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if len(idemKey) > maxIdempotencyKeyLen {
			s.writeError(w, r, invalid(idempotencyHeader, "must be at most %d characters long", maxIdempotencyKeyLen))
			return
		}
		body, err := readBody(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		ctx := r.Context()
		scope := principalFrom(ctx).idempotencyScope()
		unlock, err := s.idemLocks.lock(ctx, scope+"\x00"+idemKey)
		if err != nil {
			return // client went away while waiting
		}
		defer unlock()

		reqHash := requestHash(r, body)
		aad := []byte(scope + "\x00" + idemKey)
		now := s.now().UTC()

		rec, err := s.svc.store.GetIdempotencyRecord(ctx, scope, idemKey)
		switch {
		case err == nil && !now.Before(rec.ExpiresAt):
			if err := s.svc.store.DeleteIdempotencyRecord(ctx, scope, idemKey); err != nil {
				s.writeError(w, r, err)
				return
			}
		case err == nil:
			if !hmac.Equal(rec.RequestHash, reqHash) {
				writeJSON(w, http.StatusUnprocessableEntity, errorBody{errorDetail{
					Code:    codeConflict,
					Message: "Idempotency-Key " + quoteForMessage(idemKey) + " was used with a different request",
					Field:   idempotencyHeader,
				}})
				return
			}
			plain, err := s.replay.open(rec.Body, aad)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			if len(plain) > 0 {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(rec.Status)
			_, _ = w.Write(plain)
			return
		case !errors.Is(err, store.ErrNotFound):
			s.writeError(w, r, err)
			return
		}

		rw := &recordingWriter{header: w.Header()}
		next.ServeHTTP(rw, r)
		if rw.status == 0 {
			rw.status = http.StatusOK
		}
		// 5xx is not final: a retry should run the request again.
		if rw.status < 500 {
			s.storeIdempotencyRecord(r, scope, idemKey, reqHash, aad, rw, now)
		}
		w.WriteHeader(rw.status)
		_, _ = w.Write(rw.body.Bytes())
	})
}

func (s *Server) storeIdempotencyRecord(r *http.Request, scope, idemKey string, reqHash, aad []byte, rw *recordingWriter, now time.Time) {
	ctx := r.Context()
	sealed, err := s.replay.seal(rw.body.Bytes(), aad)
	if err == nil {
		err = s.svc.store.PutIdempotencyRecord(ctx, store.IdempotencyRecord{
			Principal: scope, Key: idemKey, RequestHash: reqHash,
			Status: rw.status, Body: sealed,
			CreatedAt: now, ExpiresAt: now.Add(idempotencyTTL),
		})
	}
	if err != nil {
		// The request itself succeeded; only a later replay is lost.
		s.log.LogAttrs(ctx, slog.LevelWarn, "idempotency record not stored",
			slog.String("request_id", requestID(ctx)), slog.String("error", err.Error()))
	}
	if last := s.lastSweep.Load(); now.Unix()-last >= int64(idempotencySweepGap/time.Second) &&
		s.lastSweep.CompareAndSwap(last, now.Unix()) {
		if _, err := s.svc.store.DeleteExpiredIdempotencyRecords(ctx, now); err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "idempotency sweep failed", slog.String("error", err.Error()))
		}
	}
}

// requestHash fingerprints what makes two requests "the same".
func requestHash(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.Path + "?" + r.URL.RawQuery + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

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
