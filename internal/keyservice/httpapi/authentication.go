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
// and puts the principal, with the one-time code the request carries, in the request context.
func (s *Server) requireAuth(right keyservice.Right, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.svc.Authenticate(r.Context(), bearerToken(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if st := stateFrom(r.Context()); st != nil {
			st.principal = p.String()
		}
		if err := p.Require(right); err != nil {
			s.writeError(w, r, err)
			return
		}
		p = p.WithOTP(strings.TrimSpace(r.Header.Get(keyservice.FieldOTP)))
		next.ServeHTTP(w, withPrincipal(r, p))
	})
}

// bearerToken is the token of an "Authorization: Bearer …" header; "" for anything else.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
