package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

type principalKey struct{}

func principalFrom(ctx context.Context) keyservice.Principal {
	p, _ := ctx.Value(principalKey{}).(keyservice.Principal)
	return p
}

func withPrincipal(r *http.Request, p keyservice.Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// requireAuth authenticates the bearer token, refuses a principal without the route's right,
// and puts the principal, with the one-time code the request carries and where it comes from
// (for the audit trail), in the request context. A principal refused for the right is named in
// the refusal's audit event.
func (s *Server) requireAuth(right keyservice.Right, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.svc.Authenticate(r.Context(), bearerToken(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p = p.WithOTP(strings.TrimSpace(r.Header.Get(keyservice.FieldOTP))).WithOrigin(origin(r))
		if st := stateFrom(r.Context()); st != nil {
			st.principal, st.authenticated = p.String(), p
		}
		if err := p.Require(right); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, withPrincipal(r, p))
	})
}

// origin is where r comes from, as the audit trail records it.
func origin(r *http.Request) keyservice.Origin {
	return keyservice.Origin{RequestID: requestID(r.Context()), ClientAddress: clientAddress(r)}
}

// bearerToken is the token of an "Authorization: Bearer …" header; "" for anything else.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
