package keyservice

import "net/http"

func (s *Server) handleEnableProjectOTP(w http.ResponseWriter, r *http.Request) {
	enrollment, err := s.svc.enableProjectOTP(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, enrollment)
}

func (s *Server) handleDisableProjectOTP(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.disableProjectOTP(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
