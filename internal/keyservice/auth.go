package keyservice

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

type principalKey struct{}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// requireAuth authenticates the bearer token and puts the principal in the
// request context.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p.otp = strings.TrimSpace(r.Header.Get(headerOTP))
		if st := stateFrom(r.Context()); st != nil {
			st.principal = p.kind()
			if !p.admin {
				st.principal += ":" + p.keyID
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

func (s *Server) authenticate(r *http.Request) (principal, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return principal{}, errUnauthorized
	}
	// Comparing fixed-size digests keeps the comparison constant-time even
	// in the token's length.
	digest := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(digest[:], s.adminDigest[:]) == 1 {
		return principal{admin: true}, nil
	}
	if strings.HasPrefix(token, keyScheme) {
		return s.svc.authenticateKey(r.Context(), token)
	}
	return principal{}, errUnauthorized
}
