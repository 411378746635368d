// Package httpapi is the key service's HTTP API: routes on the standard library's pattern mux,
// middleware, wire types, the mapping of domain errors to statuses, /metrics, and the OpenAPI
// document (openapi.json) that a test holds equal to the routes. Handlers decode, validate the
// wire format, call the domain (internal/keyservice), and encode; the rules live there.
package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// Config configures a Server.
type Config struct {
	// Service is the domain the API serves; required.
	Service *keyservice.Service
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// ClientLimits are the per-client-address limits; the zero value is the default.
	ClientLimits ClientLimits
	// Metrics is what GET /metrics serves; nil makes a registry of this server's own. Pass the
	// one given to keyservice.Config.Observer so the domain's counters show too.
	Metrics *Metrics
}

// Server is the key service HTTP API.
type Server struct {
	svc      *keyservice.Service
	log      *slog.Logger
	limits   *clientLimiters // nil: no per-client limits
	metrics  *Metrics
	handler  http.Handler
	patterns []string                    // every pattern given to the mux, for Routes
	access   map[string]keyservice.Right // each route's access, for Access
}

// New builds the API of cfg.Service.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil {
		return nil, errors.New("httpapi: Config.Service is required")
	}
	s := &Server{svc: cfg.Service, log: cfg.Logger, metrics: cfg.Metrics, limits: newClientLimiters(cfg.ClientLimits),
		access: map[string]keyservice.Right{}}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(nil)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the full router with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }
