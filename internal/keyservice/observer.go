package keyservice

// Observer is told what the service does, for metrics (httpapi's /metrics implements it). Its
// methods are called on the verify path and from background jobs, so they must be cheap and
// safe for concurrent use; they must not block.
type Observer interface {
	// WebhookDelivery reports the end of one delivery of an event (after its retries).
	WebhookDelivery(outcome DeliveryOutcome)
	// ScheduledRotation reports what a scheduled-rotation pass did with one due key.
	ScheduledRotation(outcome RotationOutcome)
	// CredentialCache reports a credential-cache lookup or invalidation.
	CredentialCache(event CacheEvent)
}

// DeliveryOutcome is how a webhook delivery ended.
type DeliveryOutcome string

// Webhook delivery outcomes.
const (
	DeliveryDelivered DeliveryOutcome = "delivered"
	DeliveryFailed    DeliveryOutcome = "failed"
)

// RotationOutcome is what a scheduled-rotation pass did with a due key.
type RotationOutcome string

// Scheduled rotation outcomes.
const (
	RotationRotated RotationOutcome = "rotated"
	// RotationSkipped is a key that left the schedule or the live set since it was listed, or
	// that another replica rotated first.
	RotationSkipped RotationOutcome = "skipped"
	RotationFailed  RotationOutcome = "failed"
)

// CacheEvent is what happened in the credential cache.
type CacheEvent string

// Credential cache events.
const (
	CacheHit  CacheEvent = "hit"
	CacheMiss CacheEvent = "miss"
	// CacheInvalidated is a write that dropped cached credentials (the ones it changed).
	CacheInvalidated CacheEvent = "invalidated"
)

// DeliveryOutcomes, RotationOutcomes and CacheEvents list every value, so an observer can
// resolve its series once, up front.
var (
	DeliveryOutcomes = []DeliveryOutcome{DeliveryDelivered, DeliveryFailed}
	RotationOutcomes = []RotationOutcome{RotationRotated, RotationSkipped, RotationFailed}
	CacheEvents      = []CacheEvent{CacheHit, CacheMiss, CacheInvalidated}
)

type noObserver struct{}

func (noObserver) WebhookDelivery(DeliveryOutcome)   {}
func (noObserver) ScheduledRotation(RotationOutcome) {}
func (noObserver) CredentialCache(CacheEvent)        {}
