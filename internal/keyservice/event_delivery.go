package keyservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Delivery of lifecycle events. Each replica's job claims due events from the outbox with a
// lease (store.ClaimOutboxEvents), sends each once, and settles it: delivered, due again after
// a backoff, or given up after its last attempt. A claim keeps an event from every other
// replica until the claimer settles it or its lease runs out, so in normal operation each
// event is sent once, whatever the number of replicas; a replica that dies mid-delivery leaves
// its events to be claimed again when their lease ends: at least once is the contract, and the
// event id (the same on every attempt) lets receivers de-duplicate.

const (
	defaultEventBackoff  = 10 * time.Second
	maxEventBackoff      = time.Hour
	defaultEventAttempts = 15
	defaultEventLease    = 2 * time.Minute
	// eventClaimBatch is how many events one claim takes; they are sent concurrently.
	eventClaimBatch = 16
	// outboxRetention is how long a settled event is kept, for inspection.
	outboxRetention = 7 * 24 * time.Hour
	// DefaultExpiringNotice is how long before its expiry a key's api_key.expiring is sent.
	DefaultExpiringNotice = 7 * 24 * time.Hour
)

// eventsConfig is EventsConfig with its defaults applied.
type eventsConfig struct {
	auditRetention   time.Duration
	expiringNotice   time.Duration // <= 0: none
	deliveryInterval time.Duration
	expiryInterval   time.Duration
}

func newEventsConfig(c EventsConfig) eventsConfig {
	e := eventsConfig{auditRetention: c.AuditRetention, expiringNotice: c.ExpiringNotice,
		deliveryInterval: c.DeliveryInterval, expiryInterval: c.ExpiryInterval}
	if e.auditRetention <= 0 {
		e.auditRetention = DefaultAuditRetention
	}
	if e.expiringNotice == 0 {
		e.expiringNotice = DefaultExpiringNotice
	}
	return e
}

// eventDelivery is the state of this service's delivery job.
type eventDelivery struct {
	owner     string // this service's name in the leases it takes
	transport WebhookTransport
	backoff   time.Duration
	attempts  int
	lease     time.Duration
	mu        sync.Mutex // one pass at a time per service
}

func newEventDelivery(c EventsConfig, transport WebhookTransport) (*eventDelivery, error) {
	owner, err := newID("dlv_")
	if err != nil {
		return nil, err
	}
	d := &eventDelivery{owner: owner, transport: transport, backoff: c.Backoff, attempts: c.Attempts, lease: c.Lease}
	if d.transport == nil {
		d.transport = noTransport{}
	}
	if d.backoff <= 0 {
		d.backoff = defaultEventBackoff
	}
	if d.attempts <= 0 {
		d.attempts = defaultEventAttempts
	}
	if d.lease <= 0 {
		d.lease = defaultEventLease
	}
	return d, nil
}

// retryWait is how long after its attempt-th failed attempt an event is due again: the
// backoff doubled per earlier failure, or the receiver's Retry-After if longer, at most an hour.
func (d *eventDelivery) retryWait(attempt int, retryAfter time.Duration) time.Duration {
	wait := d.backoff
	for i := 1; i < attempt && wait < maxEventBackoff; i++ {
		wait *= 2
	}
	return min(max(wait, retryAfter), maxEventBackoff)
}

// runEventDelivery delivers due events every EventsConfig.DeliveryInterval until ctx ends.
func (s *Service) runEventDelivery(ctx context.Context) {
	runEvery(ctx, s.events.deliveryInterval, func() {
		if _, err := s.DeliverEvents(ctx); err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelError, "lifecycle event delivery pass", slog.String("error", err.Error()))
		}
	})
}

// runEvery runs fn at once and then every interval until ctx ends; with interval 0 it returns.
func runEvery(ctx context.Context, interval time.Duration, fn func()) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverEvents runs one delivery pass: it claims the events that are due, a batch at a time,
// sends each to its project's events webhook, and settles it, until none is due. It returns how
// many were delivered, and the store errors met (a failed delivery is not one: it is retried
// later, or given up and counted in the metrics).
func (s *Service) DeliverEvents(ctx context.Context) (int, error) {
	d := s.delivery
	d.mu.Lock()
	defer d.mu.Unlock()
	var (
		delivered int
		errs      []error
	)
	targets := map[string]eventTarget{}
	for ctx.Err() == nil {
		now := s.clock()
		events, err := s.store.ClaimOutboxEvents(ctx, store.OutboxClaim{Owner: d.owner, Now: now, Until: now.Add(d.lease), Limit: eventClaimBatch})
		if err != nil {
			return delivered, errors.Join(append(errs, fmt.Errorf("claim lifecycle events: %w", err))...)
		}
		outcomes := make([]EventOutcome, len(events))
		errsOf := make([]error, len(events))
		var wg sync.WaitGroup
		for i, e := range events {
			target, ok := targets[e.ProjectID]
			if !ok {
				target = s.eventTarget(ctx, e.ProjectID)
				targets[e.ProjectID] = target
			}
			wg.Go(func() { outcomes[i], errsOf[i] = s.deliverEvent(ctx, e, target) })
		}
		wg.Wait()
		for i := range events {
			if outcomes[i] == EventDelivered {
				delivered++
			}
			if errsOf[i] != nil {
				errs = append(errs, errsOf[i])
			}
		}
		if len(events) < eventClaimBatch {
			break
		}
	}
	return delivered, errors.Join(errs...)
}

// eventTarget is where a project's events go and what signs them; err is why they cannot go
// anywhere now (the store), drop why they never will.
type eventTarget struct {
	url, secret string
	drop        string
	err         error
}

func (s *Service) eventTarget(ctx context.Context, projectID string) eventTarget {
	proj, err := s.store.GetProject(ctx, projectID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return eventTarget{drop: "the project does not exist"}
	case err != nil:
		return eventTarget{err: fmt.Errorf("load project %s: %w", projectID, err)}
	case proj.EventsWebhookURL == nil:
		return eventTarget{drop: "the project has no events webhook any more"}
	}
	secret, ok, err := s.webhookSecret(proj)
	switch {
	case err != nil:
		return eventTarget{err: err}
	case !ok:
		return eventTarget{drop: "the project has no webhook signing secret"}
	}
	return eventTarget{url: *proj.EventsWebhookURL, secret: secret}
}

// deliverEvent makes one attempt at e and settles it. An attempt cut short by ctx (the service
// stopping) is not settled: its lease runs out and it is claimed again.
func (s *Service) deliverEvent(ctx context.Context, e store.OutboxEvent, target eventTarget) (EventOutcome, error) {
	d := s.delivery
	if target.err != nil {
		return "", fmt.Errorf("deliver event %s: %w", e.ID, target.err)
	}
	attrs := []slog.Attr{slog.String("event_id", e.ID), slog.String("event", e.Type), slog.String("project_id", e.ProjectID)}
	var outcome EventOutcome
	if target.drop != "" {
		now := s.clock()
		e.FailedAt, e.LastError, outcome = &now, target.drop, EventDropped
		s.log.LogAttrs(ctx, slog.LevelWarn, "lifecycle event dropped", append(attrs, slog.String("reason", target.drop))...)
	} else {
		ts := s.now().Unix()
		retryAfter, err := d.transport.Send(ctx, WebhookRequest{
			URL: target.url, Event: e.Type, EventID: e.ID, Timestamp: ts,
			Signature: signWebhook(target.secret, ts, e.Payload), Body: e.Payload,
		})
		if ctx.Err() != nil {
			return "", nil //nolint:nilerr // the service is stopping: the attempt is not settled, its lease runs out (see above)
		}
		now := s.clock()
		e.Attempts++
		attrs = append(attrs, slog.String("webhook_host", webhookHost(target.url)), slog.Int("attempt", e.Attempts))
		switch {
		case err == nil:
			e.DeliveredAt, e.LastError, outcome = &now, "", EventDelivered
			s.log.LogAttrs(ctx, slog.LevelInfo, "lifecycle event delivered", attrs...)
		case e.Attempts >= d.attempts:
			e.FailedAt, e.LastError, outcome = &now, err.Error(), EventFailed
			s.log.LogAttrs(ctx, slog.LevelError, "lifecycle event given up", append(attrs, slog.String("error", err.Error()))...)
		default:
			e.NextAttemptAt, e.LastError, outcome = now.Add(d.retryWait(e.Attempts, retryAfter)), err.Error(), EventRetried
			s.log.LogAttrs(ctx, slog.LevelWarn, "lifecycle event attempt failed",
				append(attrs, slog.String("error", err.Error()), slog.String("next_attempt_at", FormatTime(e.NextAttemptAt)))...)
		}
	}
	s.observer.EventDelivery(outcome)
	if err := s.store.SettleOutboxAttempt(ctx, d.owner, e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// The lease ran out and another replica took the event over: it settles it.
			s.log.LogAttrs(ctx, slog.LevelWarn, "lifecycle event lease lost", attrs...)
			return outcome, nil
		}
		return outcome, fmt.Errorf("settle event %s: %w", e.ID, err)
	}
	return outcome, nil
}
