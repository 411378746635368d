package httpapi

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// requestState travels in the request context and collects what the
// request log line reports. Fields are filled in by inner handlers.
type requestState struct {
	id        string
	route     string
	principal string // "admin", "api_key:<id>" or ""
	// authenticated is the principal once authenticated; the zero value before or without.
	authenticated keyservice.Principal
	counters      *routeMetrics
}

type requestStateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	return st
}

func requestID(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.id
	}
	return ""
}

// logRequests writes one line per request and counts it in the metrics. It
// logs the route pattern, not the URL, and never headers or bodies: those
// carry tokens and key secrets.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{id: newRequestID()}
		w.Header().Set("X-Request-Id", st.id)
		sw := &statusRecorder{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), requestStateKey{}, st)
		next.ServeHTTP(sw, r.WithContext(ctx))

		route := st.route
		if route == "" {
			route = unmatchedRoute
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.count(st.counters, r.Method, status)
		attrs := []slog.Attr{
			slog.String("request_id", st.id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if s.log.Enabled(ctx, slog.LevelDebug) {
			// The path holds only ids; the query may hold names, so it stays out.
			attrs = append(attrs,
				slog.String("path", r.URL.Path),
				slog.String("remote_addr", r.RemoteAddr),
				slog.String("principal", st.principal),
				slog.Int("response_bytes", sw.bytes))
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	})
}

// requestIDAlphabet is crypto/rand.Text's: ids look as they always have.
const requestIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newRequestID is 16 base32 characters (80 bits) from math/rand/v2's generator (ChaCha8, per
// thread, no system call): a request id correlates a log line with an answer and guards
// nothing, so it needs no cryptographic randomness, which cost a tenth of the request chain.
func newRequestID() string {
	var b [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 12 {
		b[i] = requestIDAlphabet[hi&31]
		hi >>= 5
	}
	for i := 12; i < 16; i++ {
		b[i] = requestIDAlphabet[lo&31]
		lo >>= 5
	}
	return string(b[:])
}
