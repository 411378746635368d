// Package keyservice is the key service: domain rules for projects and API
// keys, the key format and hashing, and the HTTP API in front of them.
package keyservice

import (
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Config configures a Server.
type Config struct {
	Store store.Store
	// AdminToken authenticates the operator; required.
	AdminToken string
	// ServerSecret (>= 32 bytes) is the root of the key-hash pepper and of
	// the idempotency replay encryption key. Changing it invalidates every key.
	ServerSecret []byte
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Now is the clock for every time decision; nil means time.Now.
	Now func() time.Time
	// UsageFlushInterval is how often the key uses seen by verifications are
	// written to the store as last_used_at, in one batch (see FlushUsage):
	// the most last_used_at lags behind on other replicas. Zero means
	// DefaultUsageFlushInterval (1s).
	UsageFlushInterval time.Duration
	// RotationInterval is how often RunRotationLoop looks for keys due for
	// scheduled rotation. Zero turns the loop off; RotateDueKeys still runs
	// one pass on demand (tests use that).
	RotationInterval time.Duration
	// RotationGracePeriod keeps a key rotated on schedule valid this long
	// after its successor is issued; zero means one hour.
	RotationGracePeriod time.Duration
	// Webhook tunes the delivery of rotated keys to rotation_webhook_url.
	Webhook WebhookConfig
	// VerifyRateLimit is each client address's budget of POST /v1/verify, in requests per
	// second, with a burst of four seconds' worth. Zero means the default (50/s); a negative
	// value turns the limit off, for load tests or behind a proxy that limits per client.
	VerifyRateLimit float64
}

// Server is the key service HTTP API.
type Server struct {
	svc         *service
	log         *slog.Logger
	now         func() time.Time
	adminDigest [sha256.Size]byte
	replay      replayCipher
	idemLocks   *keyedMutex
	lastSweep   atomic.Int64 // unix seconds of the last expired-record sweep
	verifyLimit *rateLimiter // nil: no limit
	metrics     *metrics
	handler     http.Handler
	patterns    []string // every pattern given to the mux, for Routes
	rotation    *scheduledRotation

	// credentialFailures throttles clients that present bad credentials; nil: no limit.
	credentialFailures *failureLimiter
}

// NewServer validates cfg and builds the server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("keyservice: Config.Store is required")
	}
	if cfg.AdminToken == "" {
		return nil, errors.New("keyservice: Config.AdminToken is required")
	}
	secrets, err := deriveSecrets(cfg.ServerSecret)
	if err != nil {
		return nil, errors.New("keyservice: " + err.Error())
	}
	replay, err := newReplayCipher(secrets.replayAEAD)
	if err != nil {
		return nil, err
	}
	webhookSecrets, err := newReplayCipher(secrets.webhookAEAD)
	if err != nil {
		return nil, err
	}
	otpSecrets, err := newReplayCipher(secrets.otpAEAD)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		svc:         &service{store: cfg.Store, hasher: newKeyHasher(secrets.pepper), now: now, webhookSecrets: webhookSecrets},
		log:         logger,
		now:         now,
		adminDigest: sha256.Sum256([]byte(cfg.AdminToken)),
		replay:      replay,
		idemLocks:   newKeyedMutex(),
		verifyLimit: newVerifyLimiter(cfg.VerifyRateLimit),
		metrics:     newMetrics(),
	}
	s.svc.usage = newUsageRecorder(cfg.Store, cfg.UsageFlushInterval, logger)
	s.svc.credentials = newCredentialCache(cfg.Store)
	s.svc.otpSecrets = otpSecrets
	s.credentialFailures = newFailureLimiter(cfg.VerifyRateLimit)
	s.rotation = newScheduledRotation(cfg, logger)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the full router with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }
