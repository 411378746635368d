package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// POST /v1/leaks takes key strings found where they should not be and revokes those that are
// keys. It needs no credential: holding a key is the right to end it. So anyone may call it,
// and it must teach them nothing: the answer is the same 202 whatever the strings were (keys,
// revoked keys, typos, junk), and nothing of them is logged. What remains to bound is the
// work: a body of at most 64 KiB and 100 strings, and a budget of reports per client address
// (the token bucket of the other per-client limits).
const (
	maxLeakReportBytes = 64 << 10
	leakReportRate     = 1.0
	leakReportBurst    = 10
)

var errLeakReportTooLarge = &httpError{
	status: http.StatusRequestEntityTooLarge, code: codeValidation,
	message: fmt.Sprintf("a leak report is at most %d bytes", maxLeakReportBytes),
}

type leakReportRequest struct {
	Keys []string `json:"keys"`
}

type leakReportJSON struct {
	Received int `json:"received"`
}

// limitLeakReports spends the client's budget of leak reports.
func (s *Server) limitLeakReports(next http.HandlerFunc) http.HandlerFunc {
	if s.limits == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limits.leaks.take(clientAddress(r), s.limits.now()); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
				message: "too many leak reports from this address; retry later"})
			return
		}
		next(w, r)
	}
}

func (s *Server) handleReportLeaks(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxLeakReportBytes {
		s.writeError(w, r, errLeakReportTooLarge)
		return
	}
	r.Body = io.NopCloser(io.LimitReader(r.Body, maxLeakReportBytes+1))
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(body) > maxLeakReportBytes {
		s.writeError(w, r, errLeakReportTooLarge)
		return
	}
	if len(body) == 0 {
		s.writeError(w, r, keyservice.Invalid("keys", "is required"))
		return
	}
	var req leakReportRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The report is handled whole even if the reporter goes away: a leaked key must not
	// survive because a connection dropped.
	ctx := context.WithoutCancel(r.Context())
	if err := s.svc.ReportLeaks(ctx, keyservice.LeakReport{Keys: req.Keys, Origin: origin(r)}); err != nil {
		s.writeError(w, r, err) // its message holds none of the strings
		return
	}
	writeJSON(w, http.StatusAccepted, leakReportJSON{Received: len(req.Keys)})
}
