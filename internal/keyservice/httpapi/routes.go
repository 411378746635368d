package httpapi

import (
	"net/http"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// A route's access is the right its caller needs (keyservice.Right: keys:read, keys:write,
// keys:admin, or the admin token), checked before the handler runs and before an idempotent
// replay, its refusals recorded in the audit trail; or public, for routes that take no
// credential. The domain checks the same right again in each operation; TestAccessMatrix holds
// both to this table, and TestOpenAPIMatchesRoutes holds openapi.json to it.
const public keyservice.Right = 0

const (
	read     = keyservice.RightRead
	write    = keyservice.RightWrite
	admin    = keyservice.RightAdmin
	operator = keyservice.RightOperator
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, access keyservice.Right, h http.HandlerFunc) {
		s.patterns = append(s.patterns, pattern)
		s.access[pattern] = access
		mux.Handle(pattern, s.route(pattern, access, h))
	}

	handle("GET /healthz", public, s.handleHealthz)
	handle("GET /readyz", public, s.handleReadyz)
	handle("GET /metrics", operator, s.handleMetrics)

	handle("POST /v1/projects", operator, s.handleCreateProject)
	handle("GET /v1/projects", read, s.handleListProjects)
	handle("GET /v1/projects/{id}", read, s.handleGetProject)
	handle("PATCH /v1/projects/{id}", admin, s.handleUpdateProject)
	handle("DELETE /v1/projects/{id}", operator, s.handleDeleteProject)
	handle("POST /v1/projects/{id}/webhook-signing-secret/rotate", admin, s.handleRotateWebhookSecret)
	handle("POST /v1/projects/{id}/otp", operator, s.handleEnableProjectOTP)
	handle("DELETE /v1/projects/{id}/otp", operator, s.handleDisableProjectOTP)

	handle("POST /v1/service-accounts", admin, s.handleCreateServiceAccount)
	handle("GET /v1/service-accounts", read, s.handleListServiceAccounts)
	handle("GET /v1/service-accounts/{id_or_name}", read, s.handleGetServiceAccount)
	handle("PATCH /v1/service-accounts/{id_or_name}", admin, s.handleUpdateServiceAccount)
	handle("DELETE /v1/service-accounts/{id_or_name}", admin, s.handleDeleteServiceAccount)

	handle("POST /v1/environments", admin, s.handleCreateEnvironment)
	handle("GET /v1/environments", read, s.handleListEnvironments)
	handle("GET /v1/environments/{id}", read, s.handleGetEnvironment)
	handle("PATCH /v1/environments/{id}", admin, s.handleUpdateEnvironment)
	handle("DELETE /v1/environments/{id}", admin, s.handleDeleteEnvironment)

	handle("POST /v1/api-keys", write, s.handleCreateAPIKey)
	handle("GET /v1/api-keys", read, s.handleListAPIKeys)
	handle("GET /v1/api-keys/{id}", read, s.handleGetAPIKey)
	handle("PATCH /v1/api-keys/{id}", write, s.handleUpdateAPIKey)
	handle("DELETE /v1/api-keys/{id}", write, s.handleRevokeAPIKey)
	handle("POST /v1/api-keys/{id}/rotate", write, s.handleRotateAPIKey)
	handle("POST /v1/api-keys/revoke", write, s.handleRevokeAPIKeys)

	handle("POST /v1/verify", public, s.limitFailedCredentials(s.limitVerifications(s.timeVerify(s.handleVerify)), true).ServeHTTP)
	handle("POST /v1/leaks", public, s.limitLeakReports(s.handleReportLeaks))

	handle("GET /v1/audit-events", read, s.handleListAuditEvents)

	handle("/", public, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &httpError{status: http.StatusNotFound, code: codeNotFound, message: "no such route"})
	})

	return s.logRequests(s.recoverPanics(s.rejectCredentialsInQuery(s.limitBodies(mux))))
}

// Access is the right a route ("METHOD /path", as Routes lists it) needs; public (0) for a
// route that takes no credential, or one not served.
func (s *Server) Access(route string) keyservice.Right { return s.access[route] }

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
// request log and metrics, authentication and the right, and Idempotency-Key handling on POSTs.
func (s *Server) route(pattern string, access keyservice.Right, h http.HandlerFunc) http.Handler {
	var next http.Handler = h
	if access != public {
		if len(pattern) > 5 && pattern[:5] == "POST " {
			next = s.idempotent(next)
		}
		next = s.recordRefusals(pattern, s.limitFailedCredentials(s.requireAuth(access, next), false))
	}
	counters := s.metrics.route(pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := stateFrom(r.Context()); st != nil {
			st.route, st.counters = pattern, counters
		}
		next.ServeHTTP(w, r)
	})
}
