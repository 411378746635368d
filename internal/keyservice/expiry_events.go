package keyservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// expiryBatch is how many keys one store read returns.
const expiryBatch = 100

// runExpiryEvents records expiry events every EventsConfig.ExpiryInterval until ctx ends.
func (s *Service) runExpiryEvents(ctx context.Context) {
	runEvery(ctx, s.events.expiryInterval, func() {
		n, err := s.RecordExpiryEvents(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.LogAttrs(ctx, slog.LevelError, "expiry events pass", slog.Int("recorded", n), slog.String("error", err.Error()))
		case n > 0:
			s.log.LogAttrs(ctx, slog.LevelInfo, "expiry events pass", slog.Int("recorded", n))
		}
	})
}

// RecordExpiryEvents runs one pass over the live keys whose expiry owes an event: each key
// that expired gets an api_key.expire audit event and an api_key.expired lifecycle event, and
// each key that expires within the configured notice an api_key.expiring lifecycle event, once
// per key and expiry (a key given a new expires_at owes them again). Replicas running passes at
// once record each event once: the store marks a key's expiry in the transaction that writes
// its events, and refuses a second mark. It returns how many events it recorded.
func (s *Service) RecordExpiryEvents(ctx context.Context) (int, error) {
	now := s.clock()
	recorded := 0
	type pass struct {
		event  store.ExpiryEvent
		record func(k store.APIKey) store.Changes
	}
	passes := []pass{{store.ExpiryEventExpired, func(k store.APIKey) store.Changes {
		changes := fieldChanges{"expired": {Old: false, New: true}}
		return keyEvent(expirySource, ActionAPIKeyExpire, k, changes, lifecycle(EventAPIKeyExpired, k, now, nil), now)
	}}}
	if s.events.expiringNotice > 0 {
		// A notice, not a change: a lifecycle event without an audit event.
		passes = append(passes, pass{store.ExpiryEventExpiring, func(k store.APIKey) store.Changes {
			return store.Changes{Outbox: []store.OutboxEvent{lifecycle(EventAPIKeyExpiring, k, now, nil)}}
		}})
	}
	for _, pass := range passes {
		var after *store.Cursor
		for {
			keys, err := s.store.ListExpiryEventKeys(ctx, store.ExpiryEventFilter{
				Event: pass.event, Now: now, Through: now.Add(s.events.expiringNotice), After: after, Limit: expiryBatch})
			if err != nil {
				return recorded, fmt.Errorf("list keys owing %s events: %w", pass.event, err)
			}
			for _, k := range keys {
				err := s.store.MarkExpiryEvent(ctx, pass.event, k, pass.record(k))
				switch {
				case err == nil:
					recorded++
				case errors.Is(err, store.ErrConflict):
					// Another replica recorded it, or the key changed since it was listed.
				default:
					return recorded, fmt.Errorf("record %s event of key %s: %w", pass.event, k.ID, err)
				}
			}
			if len(keys) < expiryBatch {
				break
			}
			last := keys[len(keys)-1]
			after = &store.Cursor{Time: *last.ExpiresAt, ID: last.ID}
		}
	}
	return recorded, nil
}
