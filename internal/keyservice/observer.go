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
	// EventDelivery reports one attempt at delivering a lifecycle event to an events webhook.
	EventDelivery(outcome EventOutcome)
	// LeakReport reports what a leak report did with one string it held.
	LeakReport(outcome LeakOutcome)
}

// EventOutcome is how an attempt at delivering a lifecycle event ended.
type EventOutcome string

// Lifecycle event delivery outcomes.
const (
	EventDelivered EventOutcome = "delivered"
	// EventRetried is a failed attempt with attempts left: the event is due again later.
	EventRetried EventOutcome = "retried"
	// EventFailed is the last attempt failing: the event is given up.
	EventFailed EventOutcome = "failed"
	// EventDropped is an event whose project no longer has an events webhook.
	EventDropped EventOutcome = "dropped"
)

// LeakOutcome is what a leak report did with one string.
type LeakOutcome string

// Leak report outcomes.
const (
	LeakRevoked LeakOutcome = "revoked"
	// LeakIgnored is a string that was no usable key: malformed, unknown, or revoked already.
	LeakIgnored LeakOutcome = "ignored"
)

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
	EventOutcomes    = []EventOutcome{EventDelivered, EventRetried, EventFailed, EventDropped}
	LeakOutcomes     = []LeakOutcome{LeakRevoked, LeakIgnored}
)

type noObserver struct{}

func (noObserver) WebhookDelivery(DeliveryOutcome)   {}
func (noObserver) ScheduledRotation(RotationOutcome) {}
func (noObserver) CredentialCache(CacheEvent)        {}
func (noObserver) EventDelivery(EventOutcome)        {}
func (noObserver) LeakReport(LeakOutcome)            {}
