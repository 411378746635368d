package httpapi

import (
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// handleVerify needs no credential: the presented key is what is checked.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	secret, ok := plainVerifyKey(body)
	if !ok {
		if secret, err = decodeVerify(body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	k, err := s.svc.VerifyKey(r.Context(), secret)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVerifiedKey(w, toVerifiedKeyJSON(k))
}

type verifiedKeyJSON struct {
	ID               string   `json:"id"`
	ProjectID        string   `json:"project_id"`
	ServiceAccountID *string  `json:"service_account_id"`
	EnvironmentID    *string  `json:"environment_id"`
	Scopes           []string `json:"scopes"`
	ExpiresAt        *string  `json:"expires_at"`
}

func toVerifiedKeyJSON(k keyservice.APIKey) verifiedKeyJSON {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return verifiedKeyJSON{
		ID: k.ID, ProjectID: k.ProjectID,
		ServiceAccountID: k.ServiceAccountID, EnvironmentID: k.EnvironmentID,
		Scopes: scopes, ExpiresAt: keyservice.FormatTimePtr(k.ExpiresAt),
	}
}

type verifyRequest struct {
	Key string `json:"key"`
}

func decodeVerify(body []byte) (string, error) {
	var req verifyRequest
	if err := decodeStrict(body, &req); err != nil {
		return "", err
	}
	return req.Key, nil
}
