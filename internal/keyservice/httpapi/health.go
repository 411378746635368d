package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ready(ctx); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "readiness check failed", slog.String("error", err.Error()))
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{errorDetail{Code: codeInternal, Message: "store unreachable"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
