// Package keyservice is the key service's domain: the rules for projects, service accounts,
// environments and API keys (issue, verify, rotate, revoke), the key format and hashing, the
// secrets derived from the server secret, idempotency records, and the background jobs
// (scheduled rotation, usage flush, expired-record sweep). It knows nothing of HTTP: every
// operation takes the principal that acts and a typed input, and returns records or an *Error.
// Its HTTP API is internal/keyservice/httpapi; its storage, internal/keyservice/store.
package keyservice

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Config configures a Service.
type Config struct {
	Store store.Store
	// AdminToken authenticates the operator; required.
	AdminToken string
	// ServerSecret (>= MinServerSecretLen bytes) is the root of the key-hash pepper and of the
	// keys that seal idempotency replays, webhook signing secrets and one-time-code secrets.
	// Changing it invalidates every key.
	ServerSecret []byte
	// Logger receives what the background jobs do; nil discards.
	Logger *slog.Logger
	// Now is the clock for every time decision; nil means time.Now.
	Now func() time.Time
	// UsageFlushInterval is how often the key uses seen by verifications are written to the
	// store as last_used_at, in one batch (see FlushUsage): the most last_used_at lags behind
	// on other replicas. Zero means DefaultUsageFlushInterval (1s).
	UsageFlushInterval time.Duration
	// RotationInterval is how often Run looks for keys due for scheduled rotation. Zero turns
	// the scheduled rotation loop off; RotateDueKeys still runs one pass on demand (tests use
	// that).
	RotationInterval time.Duration
	// RotationGracePeriod keeps a key rotated on schedule valid this long after its successor
	// is issued; zero means one hour.
	RotationGracePeriod time.Duration
	// Webhook sends rotated keys to their rotation_webhook_url; required for scheduled
	// rotation to deliver anything (internal/keyservice/webhook implements it).
	Webhook WebhookConfig
	// Observer is told what the service does, for metrics; nil tells nobody.
	Observer Observer
	// Events configures the audit trail's retention and the delivery of lifecycle events to
	// the projects' events webhooks (through Webhook.Transport).
	Events EventsConfig
}

// EventsConfig configures the audit trail and the lifecycle events. Zero values take the
// defaults.
type EventsConfig struct {
	// AuditRetention is how long audit events are kept; 0 means DefaultAuditRetention.
	AuditRetention time.Duration
	// ExpiringNotice is how long before its expiry a key's api_key.expiring event is sent; 0
	// means DefaultExpiringNotice, a negative value sends none.
	ExpiringNotice time.Duration
	// DeliveryInterval is how often Run delivers the lifecycle events that are due; 0 turns
	// the loop off (DeliverEvents still runs a pass on demand: tests use that).
	DeliveryInterval time.Duration
	// ExpiryInterval is how often Run looks for keys that expired or are about to; 0 turns the
	// loop off (RecordExpiryEvents runs a pass on demand).
	ExpiryInterval time.Duration
	// Backoff is the wait before an event's second attempt, doubling after each failure up to
	// an hour; 0 means 10 s.
	Backoff time.Duration
	// Attempts is how many times an event is sent before it is given up; 0 means 15 (about
	// five hours with the default backoff).
	Attempts int
	// Lease is how long a delivery job's claim keeps an event from every other replica: longer
	// than one attempt can take. 0 means two minutes.
	Lease time.Duration
}

// Service holds the rules of the key service. Every exported method is safe for concurrent use.
type Service struct {
	store       store.Store
	log         *slog.Logger
	now         func() time.Time
	adminDigest [sha256.Size]byte
	hasher      keyHasher
	observer    Observer
	// replays seals recorded idempotent responses; webhookSecrets and otpSecrets seal the
	// projects' webhook signing and TOTP secrets at rest.
	replays, webhookSecrets, otpSecrets sealer
	// usage batches the last_used_at writes of verifications.
	usage *usageRecorder
	// credentials keeps successful verifications while the store has no new write; nil for a
	// store that does not count its writes.
	credentials *credentialCache
	idempotency *keyedMutex
	rotation    *scheduledRotation
	events      eventsConfig
	delivery    *eventDelivery
}

// New validates cfg and builds the service. It starts nothing: Run runs the background jobs.
func New(cfg Config) (*Service, error) {
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
	s := &Service{
		store:       cfg.Store,
		log:         cfg.Logger,
		now:         cfg.Now,
		adminDigest: sha256.Sum256([]byte(cfg.AdminToken)),
		hasher:      newKeyHasher(secrets.pepper),
		observer:    cfg.Observer,
		idempotency: newKeyedMutex(),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.observer == nil {
		s.observer = noObserver{}
	}
	for _, c := range []struct {
		dst *sealer
		key []byte
	}{{&s.replays, secrets.replayAEAD}, {&s.webhookSecrets, secrets.webhookAEAD}, {&s.otpSecrets, secrets.otpAEAD}} {
		if *c.dst, err = newSealer(c.key); err != nil {
			return nil, err
		}
	}
	s.usage = newUsageRecorder(cfg.Store, cfg.UsageFlushInterval, s.log)
	s.credentials = newCredentialCache(cfg.Store, s.observer)
	s.rotation = newScheduledRotation(cfg, s.log, s.observer)
	s.events = newEventsConfig(cfg.Events)
	if s.delivery, err = newEventDelivery(cfg.Events, cfg.Webhook.Transport); err != nil {
		return nil, err
	}
	return s, nil
}

// Run runs the background jobs until ctx ends: scheduled rotation every
// Config.RotationInterval (when not zero), the delivery of lifecycle events and the search for
// expiring keys (when their intervals are not zero), the prune of audit events past their
// retention, and the sweep of expired idempotency records. Ending ctx also cancels webhook
// deliveries still retrying. The usage flush runs on its own timer; call FlushUsage after the
// last verification, before closing the store.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, job := range []func(context.Context){s.runRotationLoop, s.runEventDelivery, s.runExpiryEvents, s.runAuditPrune} {
		wg.Go(func() { job(ctx) })
	}
	s.runIdempotencySweep(ctx)
	wg.Wait()
}

// Ready reports whether the store is reachable.
func (s *Service) Ready(ctx context.Context) error {
	return s.store.Ping(ctx)
}

// clock returns the current time at the precision every store keeps, so a value returned from
// a write equals the value read back later.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// loadProject returns a live project or a not-found error naming field.
func (s *Service) loadProject(ctx context.Context, id, field string) (store.Project, error) {
	p, err := s.store.GetProject(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.DeletedAt != nil) {
		return store.Project{}, projectNotFound(field)
	}
	if err != nil {
		return store.Project{}, fmt.Errorf("load project: %w", err)
	}
	return p, nil
}

// accessProject returns a live project the principal reaches; one it does not reach is not
// found, exactly as one that does not exist.
func (s *Service) accessProject(ctx context.Context, p Principal, id, field string) (store.Project, error) {
	if !p.reaches(id) {
		return store.Project{}, projectNotFound(field)
	}
	return s.loadProject(ctx, id, field)
}

func (s *Service) loadAPIKey(ctx context.Context, id, field string) (store.APIKey, error) {
	k, err := s.store.GetAPIKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, apiKeyNotFound(field)
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("load api key: %w", err)
	}
	s.usage.overlay(&k)
	return k, nil
}
