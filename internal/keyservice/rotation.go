package keyservice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Rotation is the outcome of rotating a key: the new key with its secret and
// the old key as it now stands (replaced, valid until its grace expiry).
type Rotation struct {
	Next     IssuedKey
	Previous store.APIKey
}

// requireRotatable refuses to rotate a key that is not live or has expired at now.
func requireRotatable(k store.APIKey, now time.Time) error {
	if err := requireLive(k); err != nil {
		return err
	}
	if k.ExpiresAt != nil && !k.ExpiresAt.After(now) {
		return conflict("id", "API key %s has expired and cannot be rotated", k.ID)
	}
	return nil
}

// rotate replaces old, as just read from the store, by a new key with the same settings. The
// store refuses the write if old stopped being live meanwhile (revoked, or rotated by another
// request or replica), so a key is rotated at most once. src and action name who rotates, for
// the audit trail.
func (s *Service) rotate(ctx context.Context, src eventSource, action string, old store.APIKey, grace time.Duration) (Rotation, error) {
	now := s.clock()
	if err := requireRotatable(old, now); err != nil {
		return Rotation{}, err
	}

	next := store.APIKey{
		ProjectID:            old.ProjectID,
		ServiceAccountID:     old.ServiceAccountID,
		EnvironmentID:        old.EnvironmentID,
		Name:                 old.Name,
		Description:          old.Description,
		Scopes:               old.Scopes,
		Active:               old.Active,
		ExpiresAt:            old.ExpiresAt,
		CreatedAt:            now,
		UpdatedAt:            now,
		RotationIntervalDays: old.RotationIntervalDays,
		RotationWebhookURL:   old.RotationWebhookURL,
	}
	if old.RotationIntervalDays != nil {
		t := now.AddDate(0, 0, *old.RotationIntervalDays)
		next.NextRotationAt = &t
	}
	environment := ""
	if old.EnvironmentID != nil {
		// The environment cannot be deleted while old is live, but it may have been renamed. A
		// key bound before environments were stored has an id that names none: no segment then.
		e, err := s.store.GetEnvironment(ctx, *old.EnvironmentID)
		switch {
		case err == nil:
			environment = e.Name
		case !errors.Is(err, store.ErrNotFound):
			return Rotation{}, fmt.Errorf("rotate api key: load environment: %w", err)
		}
	}
	issued, err := s.issue(next, environment)
	if err != nil {
		return Rotation{}, err
	}

	// The old key never outlives its own expiry because of a grace period.
	graceEnd := now.Add(grace)
	if old.ExpiresAt != nil && old.ExpiresAt.Before(graceEnd) {
		graceEnd = *old.ExpiresAt
	}
	old.ReplacedByKeyID = &issued.ID
	old.GraceExpiresAt = &graceEnd
	old.UpdatedAt = now

	// One change, told from the old key: it is replaced by the new one, valid until its grace
	// ends. The lifecycle event describes the new key and names the old.
	changes := fieldChanges{"replaced_by_key_id": {Old: nil, New: issued.ID}, "grace_expires_at": {Old: nil, New: FormatTime(graceEnd)}}
	ch := keyEvent(src, action, old, changes, lifecycle(EventAPIKeyRotated, issued.APIKey, now, func(e *lifecycleEvent) {
		e.PreviousKeyID = &old.ID
	}), now)
	if err := s.store.RotateAPIKey(ctx, old, issued.APIKey, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			if s.versionMoved(ctx, old) {
				return Rotation{}, errVersionMoved
			}
			return Rotation{}, conflict("id", "API key %s was revoked or rotated concurrently", old.ID)
		}
		return Rotation{}, fmt.Errorf("rotate api key: %w", err)
	}
	old.Version++
	return Rotation{Next: issued, Previous: old}, nil
}
