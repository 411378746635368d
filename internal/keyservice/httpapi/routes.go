package httpapi

import (
	"net/http"
	"strings"
)

// routeAccess says what a route needs before its handler runs.
type routeAccess int

const (
	public        routeAccess = iota // no credential
	authenticated                    // admin token or keys:admin API key (keyservice.Service.Authenticate); refusals are audited
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, access routeAccess, h http.HandlerFunc) {
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.route(pattern, access, h))
	}

	handle("GET /healthz", public, s.handleHealthz)
	handle("GET /readyz", public, s.handleReadyz)
	handle("GET /metrics", authenticated, s.handleMetrics)

	handle("POST /v1/projects", authenticated, s.handleCreateProject)
	handle("GET /v1/projects", authenticated, s.handleListProjects)
	handle("GET /v1/projects/{id}", authenticated, s.handleGetProject)
	handle("PATCH /v1/projects/{id}", authenticated, s.handleUpdateProject)
	handle("DELETE /v1/projects/{id}", authenticated, s.handleDeleteProject)
	handle("POST /v1/projects/{id}/webhook-signing-secret/rotate", authenticated, s.handleRotateWebhookSecret)
	handle("POST /v1/projects/{id}/otp", authenticated, s.handleEnableProjectOTP)
	handle("DELETE /v1/projects/{id}/otp", authenticated, s.handleDisableProjectOTP)

	handle("POST /v1/service-accounts", authenticated, s.handleCreateServiceAccount)
	handle("GET /v1/service-accounts", authenticated, s.handleListServiceAccounts)
	handle("GET /v1/service-accounts/{id_or_name}", authenticated, s.handleGetServiceAccount)
	handle("PATCH /v1/service-accounts/{id_or_name}", authenticated, s.handleUpdateServiceAccount)
	handle("DELETE /v1/service-accounts/{id_or_name}", authenticated, s.handleDeleteServiceAccount)

	handle("POST /v1/environments", authenticated, s.handleCreateEnvironment)
	handle("GET /v1/environments", authenticated, s.handleListEnvironments)
	handle("GET /v1/environments/{id}", authenticated, s.handleGetEnvironment)
	handle("PATCH /v1/environments/{id}", authenticated, s.handleUpdateEnvironment)
	handle("DELETE /v1/environments/{id}", authenticated, s.handleDeleteEnvironment)

	handle("POST /v1/api-keys", authenticated, s.handleCreateAPIKey)
	handle("GET /v1/api-keys", authenticated, s.handleListAPIKeys)
	handle("GET /v1/api-keys/{id}", authenticated, s.handleGetAPIKey)
	handle("PATCH /v1/api-keys/{id}", authenticated, s.handleUpdateAPIKey)
	handle("DELETE /v1/api-keys/{id}", authenticated, s.handleRevokeAPIKey)
	handle("POST /v1/api-keys/{id}/rotate", authenticated, s.handleRotateAPIKey)
	handle("POST /v1/api-keys/revoke", authenticated, s.handleRevokeAPIKeys)

	handle("POST /v1/verify", public, s.limitFailedCredentials(s.limitVerifications(s.timeVerify(s.handleVerify)), true).ServeHTTP)
	handle("POST /v1/leaks", public, s.limitLeakReports(s.handleReportLeaks))

	handle("GET /v1/audit-events", authenticated, s.handleListAuditEvents)

	handle("/", public, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &httpError{status: http.StatusNotFound, code: codeNotFound, message: "no such route"})
	})

	return s.logRequests(s.recoverPanics(s.rejectCredentialsInQuery(s.limitBodies(mux))))
}

// Routes lists the "METHOD /path" patterns the API serves, in registration order (not the
// catch-all). openapi.json documents each one; a test holds them equal.
func (s *Server) Routes() []string {
	var out []string
	for _, p := range s.patterns {
		if strings.Contains(p, " ") {
			out = append(out, p)
		}
	}
	return out
}

// route wraps a handler with what its pattern needs: the route name for the
// request log and metrics, authentication, and Idempotency-Key handling on POSTs.
func (s *Server) route(pattern string, access routeAccess, h http.HandlerFunc) http.Handler {
	var next http.Handler = h
	if access == authenticated {
		if len(pattern) > 5 && pattern[:5] == "POST " {
			next = s.idempotent(next)
		}
		next = s.recordRefusals(pattern, s.limitFailedCredentials(s.requireAuth(next), false))
	}
	counters := s.metrics.route(pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := stateFrom(r.Context()); st != nil {
			st.route, st.counters = pattern, counters
		}
		next.ServeHTTP(w, r)
	})
}
