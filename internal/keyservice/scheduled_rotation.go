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

const (
	defaultRotationGracePeriod = time.Hour
	// dueKeysBatch is how many due keys one store read returns.
	dueKeysBatch = 100
	// maxDeliveriesInFlight bounds concurrent webhook deliveries of one pass.
	maxDeliveriesInFlight = 8
)

// scheduledRotation is the state of the background rotation of keys whose
// next_rotation_at has passed. A rotated key's secret goes to its
// rotation_webhook_url and nowhere else: it is held in memory only while
// it is being delivered (with retries), never written to the store or logs.
//
// Several replicas may run passes at once over a shared store: each rotates
// through store.RotateAPIKey, which refuses an old key that is no longer live
// with ErrConflict, so exactly one replica rotates (and delivers) a given key
// and the others skip it.
type scheduledRotation struct {
	interval time.Duration
	grace    time.Duration
	webhook  webhookSender
	mu       sync.Mutex // one pass at a time per service
}

func newScheduledRotation(cfg Config, log *slog.Logger, observer Observer) *scheduledRotation {
	grace := cfg.RotationGracePeriod
	if grace <= 0 {
		grace = defaultRotationGracePeriod
	}
	return &scheduledRotation{interval: cfg.RotationInterval, grace: min(grace, MaxGracePeriod), webhook: newWebhookSender(cfg.Webhook, log, observer)}
}

// runRotationLoop runs a rotation pass at once and then every Config.RotationInterval until
// ctx ends; with a zero interval it returns at once. Ending ctx also cancels deliveries still
// retrying.
func (s *Service) runRotationLoop(ctx context.Context) {
	if s.rotation.interval <= 0 {
		return
	}
	t := time.NewTicker(s.rotation.interval)
	defer t.Stop()
	for {
		n, err := s.RotateDueKeys(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.LogAttrs(ctx, slog.LevelError, "scheduled rotation pass", slog.Int("rotated", n), slog.String("error", err.Error()))
		case n > 0:
			s.log.LogAttrs(ctx, slog.LevelInfo, "scheduled rotation pass", slog.Int("rotated", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RotateDueKeys runs one pass of scheduled rotation: every live key with a
// rotation webhook whose next_rotation_at is not after now is rotated, with
// the configured grace period for the old key, and its successor (secret
// included) is POSTed to the webhook, signed with the project's signing
// secret and retried with backoff. It returns when every delivery of the pass
// has succeeded or given up, with the number of keys rotated and the
// failures (store errors, projects without a signing secret, deliveries that
// gave up), joined.
func (s *Service) RotateDueKeys(ctx context.Context) (int, error) {
	r := s.rotation
	r.mu.Lock()
	defer r.mu.Unlock()

	var (
		rotated int
		errsMu  sync.Mutex
		errs    []error
		wg      sync.WaitGroup
		slots   = make(chan struct{}, maxDeliveriesInFlight)
		secrets = map[string]signingSecret{}
		after   *store.Cursor
	)
	fail := func(err error) {
		errsMu.Lock()
		defer errsMu.Unlock()
		errs = append(errs, err)
	}
	now := s.clock()
	for {
		keys, err := s.store.ListDueAPIKeys(ctx, store.DueAPIKeyFilter{Now: now, After: after, Limit: dueKeysBatch})
		if err != nil {
			fail(fmt.Errorf("scheduled rotation: list due keys: %w", err))
			break
		}
		for _, k := range keys {
			d, err := s.rotateDue(ctx, k, now, secrets)
			if err != nil {
				s.observer.ScheduledRotation(RotationFailed)
				fail(err)
				s.recordRotationFailed(ctx, k, nil, "the key could not be rotated")
				continue
			}
			if d == nil {
				s.observer.ScheduledRotation(RotationSkipped)
				continue
			}
			s.observer.ScheduledRotation(RotationRotated)
			rotated++
			wg.Add(1)
			slots <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				if err := r.webhook.deliver(ctx, s.now, *d); err != nil {
					fail(err)
					rot := d.rotation
					s.recordRotationFailed(ctx, rot.Next.APIKey, &rot.Previous.ID,
						"the new key could not be delivered to its rotation webhook: "+err.Error())
				}
			}()
		}
		if len(keys) < dueKeysBatch || ctx.Err() != nil {
			break
		}
		last := keys[len(keys)-1]
		after = &store.Cursor{Time: *last.NextRotationAt, ID: last.ID}
	}
	wg.Wait()
	return rotated, errors.Join(errs...)
}

// signingSecret caches a project's opened webhook signing secret for one pass.
type signingSecret struct {
	secret string
	err    error // why keys of this project are not rotated
}

// rotateDue rotates one due key and returns its delivery; nil without error
// when the key needs no rotation after all (changed since it was listed, or
// rotated by another replica).
func (s *Service) rotateDue(ctx context.Context, listed store.APIKey, now time.Time, secrets map[string]signingSecret) (*webhookDelivery, error) {
	sec, ok := secrets[listed.ProjectID]
	if !ok {
		sec = s.projectSigningSecret(ctx, listed.ProjectID)
		secrets[listed.ProjectID] = sec
	}
	if sec.err != nil {
		return nil, fmt.Errorf("scheduled rotation of key %s: %w", listed.ID, sec.err)
	}
	var (
		cur store.APIKey
		rot Rotation
		err error
	)
	for attempt := 1; ; attempt++ {
		// Read again: the list may be stale, and the new key copies these settings. The
		// rotation is conditioned on this read's version, so a concurrent update makes it
		// start over from a fresh read rather than copy stale settings.
		if cur, err = s.store.GetAPIKey(ctx, listed.ID); err != nil {
			return nil, fmt.Errorf("scheduled rotation of key %s: %w", listed.ID, err)
		}
		if requireLive(cur) != nil || cur.NextRotationAt == nil || cur.NextRotationAt.After(now) || cur.RotationWebhookURL == nil {
			return nil, nil //nolint:nilerr // a key that left the live set or the schedule since it was listed is skipped, not a failure
		}
		rot, err = s.rotate(ctx, scheduledRotationSource, ActionAPIKeyScheduledRotate, cur, s.rotation.grace)
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			break
		}
		backoffVersionRace(attempt)
	}
	var de *Error
	if errors.As(err, &de) && de.Kind == KindConflict {
		s.log.LogAttrs(ctx, slog.LevelDebug, "scheduled rotation skipped",
			slog.String("key_id", cur.ID), slog.String("reason", de.Message))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scheduled rotation of key %s: %w", cur.ID, err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "key rotated on schedule",
		slog.String("key_id", rot.Next.ID), slog.String("previous_key_id", cur.ID), slog.String("project_id", cur.ProjectID))
	return newRotatedKeyDelivery(rot, *cur.RotationWebhookURL, sec.secret)
}

// recordRotationFailed writes the api_key.rotation_failed event of key k (with the key it was
// to replace, if the rotation happened). A failure to write it is logged: the rotation's own
// failure is what the pass reports.
func (s *Service) recordRotationFailed(ctx context.Context, k store.APIKey, previousKeyID *string, reason string) {
	if ctx.Err() != nil {
		return
	}
	e := lifecycle(EventAPIKeyRotationFailed, k, s.clock(), func(e *lifecycleEvent) {
		e.PreviousKeyID, e.Reason = previousKeyID, reason
	})
	if err := s.store.RecordChanges(ctx, store.Changes{Outbox: []store.OutboxEvent{e}}); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "recording api_key.rotation_failed", slog.String("key_id", k.ID), slog.String("error", err.Error()))
	}
}

func (s *Service) projectSigningSecret(ctx context.Context, projectID string) signingSecret {
	proj, err := s.store.GetProject(ctx, projectID)
	if err != nil {
		return signingSecret{err: fmt.Errorf("load project %s: %w", projectID, err)}
	}
	secret, ok, err := s.webhookSecret(proj)
	if err != nil {
		return signingSecret{err: err}
	}
	if !ok {
		return signingSecret{err: fmt.Errorf("project %s has no webhook signing secret, so its keys are not rotated on schedule; "+
			"create one with POST /v1/projects/%s/webhook-signing-secret/rotate", projectID, projectID)}
	}
	return signingSecret{secret: secret}
}
