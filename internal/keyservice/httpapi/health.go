package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// healthzBody is what writeJSON writes for {"status":"ok"}, encoded once: liveness probes
// come often and always get the same answer.
var healthzBody = []byte("{\"status\":\"ok\"}\n")

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(healthzBody)
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
