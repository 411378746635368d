package httpapi

import (
	"net/http"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// credentialQueryParameters are query parameters that would carry a credential. URLs end up
// in proxy logs, browser history and Referer headers, so a credential is accepted only in the
// Authorization header (and a key to check only in the body of POST /v1/verify); a request
// that puts one in its URL is refused, whatever it is, and its query is logged nowhere.
var credentialQueryParameters = map[string]bool{
	"key": true, "api_key": true, "apikey": true, "api-key": true,
	"token": true, "access_token": true, "auth": true, "authorization": true,
	"secret": true, "password": true, "otp": true,
}

func (s *Server) rejectCredentialsInQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			for name := range r.URL.Query() {
				if credentialQueryParameters[strings.ToLower(name)] {
					s.writeError(w, r, keyservice.Invalid(strings.ToLower(name),
						"credentials are accepted only in the Authorization header, never in the URL; "+
							"treat the one just sent as leaked and rotate it"))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
