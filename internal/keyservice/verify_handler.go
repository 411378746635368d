package keyservice

import "net/http"

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
	k, err := s.svc.verifyKey(r.Context(), secret)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeVerifiedKey(w, toVerifiedKeyJSON(k))
}
