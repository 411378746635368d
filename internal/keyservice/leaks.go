package keyservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// MaxLeakReportKeys bounds the strings one leak report may hold.
const MaxLeakReportKeys = 100

// LeakReport is a report of key strings found where they should not be (a public repository,
// a paste, a log). It needs no credential: holding a key's secret is the right to end it, as
// with GitHub's credential revocation API.
type LeakReport struct {
	Keys   []string
	Origin Origin
}

// ReportLeaks revokes every string of r that is a key not revoked yet, at once and in one
// write, each with an api_key.revoke audit event (actor: the leak report, with its client
// address) and an api_key.leaked lifecycle event. A disabled or expired key is revoked too:
// either could be made usable again. Strings that are no key (malformed, unknown, revoked
// already) are ignored. The caller must not tell the reporter which strings were keys: it
// answers the same whatever this finds. The strings are never logged nor stored.
func (s *Service) ReportLeaks(ctx context.Context, r LeakReport) error {
	if len(r.Keys) == 0 {
		return Invalid("keys", "must hold at least one key")
	}
	if len(r.Keys) > MaxLeakReportKeys {
		return Invalid("keys", "must hold at most %d keys", MaxLeakReportKeys)
	}
	var ids []string
	seen := map[string]bool{}
	for _, key := range r.Keys {
		if ParseKey(key) != nil {
			s.observer.LeakReport(LeakIgnored)
			continue
		}
		c, err := s.store.GetCredential(ctx, s.hasher.hash(key))
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.observer.LeakReport(LeakIgnored)
			continue
		case err != nil:
			return fmt.Errorf("leak report: %w", err)
		}
		if c.Key.RevokedAt != nil || seen[c.Key.ID] {
			s.observer.LeakReport(LeakIgnored)
			continue
		}
		seen[c.Key.ID] = true
		ids = append(ids, c.Key.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	now := s.clock()
	src := eventSource{actor: store.AuditActor{Type: ActorLeakReport}, origin: r.Origin}
	revoked := 0
	err := s.store.RevokeAPIKeys(ctx, ids, now, store.Changes{ForRevokedKey: func(k store.APIKey) store.Changes {
		revoked++
		changes := fieldChanges{"revoked_at": {Old: nil, New: FormatTime(*k.RevokedAt)}}
		return keyEvent(src, ActionAPIKeyRevoke, k, changes, lifecycle(EventAPIKeyLeaked, k, now, nil), now)
	}})
	if err != nil {
		return fmt.Errorf("leak report: revoke: %w", err)
	}
	for range revoked {
		s.observer.LeakReport(LeakRevoked)
	}
	// Revoked meanwhile by someone else: ignored as well.
	for range len(ids) - revoked {
		s.observer.LeakReport(LeakIgnored)
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "leaked keys revoked", slog.Int("keys", revoked),
		slog.String("request_id", r.Origin.RequestID), slog.String("client_address", r.Origin.ClientAddress))
	return nil
}
