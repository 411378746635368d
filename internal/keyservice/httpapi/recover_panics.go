package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// recoverPanics turns a panicking handler into a 500 with the standard error
// body. The panic value is not logged: it could echo request data. Its type
// and the stack are enough to find the bug.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusRecorder)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic in handler",
				slog.String("request_id", requestID(r.Context())),
				slog.String("panic_type", fmt.Sprintf("%T", v)),
				slog.String("stack", string(debug.Stack())))
			if ok && sw.status != 0 {
				return // too late for a clean error response
			}
			writeJSON(w, http.StatusInternalServerError,
				errorBody{errorDetail{Code: codeInternal, Message: "internal error"}})
		}()
		next.ServeHTTP(w, r)
	})
}
