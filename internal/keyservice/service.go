package keyservice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// service holds the domain rules of the key service. It knows nothing of
// HTTP: it takes typed inputs and returns records or *domainError values.
type service struct {
	store  store.Store
	hasher keyHasher
	now    func() time.Time
	// webhookSecrets seals the projects' webhook signing secrets at rest.
	webhookSecrets replayCipher
	// otpSecrets seals the projects' TOTP secrets at rest.
	otpSecrets replayCipher
	// usage batches the last_used_at writes of verifications.
	usage *usageRecorder
	// credentials keeps successful verifications while the store has no new write; nil for a
	// store that does not count its writes.
	credentials *credentialCache
}

// clock returns the current time at the precision every store keeps, so a
// value returned from a write equals the value read back later.
func (s *service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// loadProject returns a live project or a not-found error naming field.
func (s *service) loadProject(ctx context.Context, id, field string) (store.Project, error) {
	p, err := s.store.GetProject(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.DeletedAt != nil) {
		return store.Project{}, notFound(field, "project %q not found", id)
	}
	if err != nil {
		return store.Project{}, fmt.Errorf("load project: %w", err)
	}
	return p, nil
}

func (s *service) loadAPIKey(ctx context.Context, id, field string) (store.APIKey, error) {
	k, err := s.store.GetAPIKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, notFound(field, "API key %q not found", id)
	}
	if err != nil {
		return store.APIKey{}, fmt.Errorf("load api key: %w", err)
	}
	s.usage.overlay(&k)
	return k, nil
}
