package keyservice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// usable reports whether a key may authenticate at now. Each failure reason
// is collapsed into one answer for callers; see ErrUnauthorized.
func usable(k store.APIKey, now time.Time) bool {
	switch {
	case k.RevokedAt != nil, !k.Active:
		return false
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return false
	case k.ReplacedByKeyID != nil && (k.GraceExpiresAt == nil || !now.Before(*k.GraceExpiresAt)):
		return false
	}
	return true
}

// VerifyKey returns the stored key for a presented secret if it is usable, and records the
// use; any unusable key is ErrUnauthorized. Format errors fail before the store is touched. The
// key's project and service account are read in the same query: disabling a
// service account stops its keys here, without writing any of them.
func (s *Service) VerifyKey(ctx context.Context, secret string) (store.APIKey, error) {
	if ParseKey(secret) != nil {
		return store.APIKey{}, ErrUnauthorized
	}
	hash := s.hasher.hash(secret)
	c, ok := s.credentials.get(hash)
	if !ok || !credentialUsable(c, s.clock()) {
		gen := s.credentials.current()
		var err error
		c, err = s.store.GetCredential(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return store.APIKey{}, ErrUnauthorized
		}
		if err != nil {
			return store.APIKey{}, fmt.Errorf("verify key: %w", err)
		}
		if credentialUsable(c, s.clock()) {
			s.credentials.put(hash, c, gen)
		}
	}
	k, now := c.Key, s.clock()
	if !credentialUsable(c, now) {
		return store.APIKey{}, ErrUnauthorized
	}
	// Recorded in memory and written in batches: see usageRecorder.
	s.usage.record(k.ID, now)
	k.LastUsedAt = &now
	return k, nil
}

// credentialUsable is usable, and the key's project and service account allow it too.
func credentialUsable(c store.Credential, now time.Time) bool {
	return usable(c.Key, now) && c.ProjectLive && c.ServiceAccountUsable
}
