package httpapi

import "net/http"

func (s *Server) handleEnableProjectOTP(w http.ResponseWriter, r *http.Request) {
	enrollment, err := s.svc.EnableProjectOTP(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, otpEnrollmentJSON(enrollment))
}

func (s *Server) handleDisableProjectOTP(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DisableProjectOTP(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// otpEnrollmentJSON is the only representation carrying a project's TOTP secret: the answer
// that enables one-time codes.
type otpEnrollmentJSON struct {
	ProjectID  string `json:"project_id"`
	RequireOTP bool   `json:"require_otp"`
	OTPSecret  string `json:"otp_secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}
