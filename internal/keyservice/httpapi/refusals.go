package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// Refused management requests go to the audit trail: a 401 (no usable credential, or a
// missing or wrong one-time code), a 403 (a credential without the right), a 429 (a client
// whose budget of failed credential checks is spent). The event names the route pattern, the
// status, the principal when one was authenticated, the request id and the client address;
// never the credential, nor any part of it: a bad token may be a real secret pasted in the
// wrong place, and the URL's path may hold one too.
//
// Each is a write of its own, which a client could provoke at will: recorded refusals are
// budgeted per client address (the same token bucket as the failed credential checks, a
// separate budget twice as deep, so that a guesser's 401s and then its first 429s are
// recorded), and those over the budget are counted in the metrics instead
// (keyservice_audit_refusals_unrecorded_total).
const (
	refusalRecordRate  = 1.0
	refusalRecordBurst = 2 * failedCredentialBurst
)

// recordRefusals wraps an authenticated route.
func (s *Server) recordRefusals(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		switch sw.status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests:
		default:
			return
		}
		if s.limits != nil {
			if ok, _ := s.limits.refusals.take(clientAddress(r), s.limits.now()); !ok {
				s.metrics.refusalsUnrecorded.Inc()
				return
			}
		}
		refusal := keyservice.Refusal{Origin: origin(r), Route: route, Status: sw.status}
		if st := stateFrom(r.Context()); st != nil {
			refusal.Principal = st.authenticated
		}
		// The answer is written: the client does not wait for this, nor can it cancel it.
		ctx := context.WithoutCancel(r.Context())
		if err := s.svc.RecordRefusal(ctx, refusal); err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "recording a refused request", slog.String("request_id", requestID(ctx)),
				slog.String("error", err.Error()))
		}
	})
}
