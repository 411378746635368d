package keyservice

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// A key's entity tag is its store Version, which every write of the key moves on: "update only
// if nobody changed it since I read it" is an update with IfMatch set to the tag of that read.
const (
	// fieldIfMatch names the precondition in errors, as the API carries it.
	fieldIfMatch = "If-Match"

	// maxVersionRetries bounds how often an unconditional update or a rotation re-reads a key
	// that another writer changed between its read and its write.
	maxVersionRetries = 8
)

// errVersionMoved is a write that lost a race with another write of the same key. Callers with
// no precondition re-read and apply their change again; it is a conflict to anyone else (the
// scheduled rotation skips the key).
var errVersionMoved = &Error{Kind: KindConflict, Field: "id", Message: "the API key was changed concurrently; retry"}

// ETag is the key's entity tag: its Version, quoted.
func ETag(k APIKey) string {
	return `"` + strconv.FormatInt(k.Version, 10) + `"`
}

// ifMatchSatisfied evaluates an If-Match header (RFC 9110 §13.1.1) against the current ETag:
// "*" matches any existing key; otherwise one of the listed entity tags must match strongly
// (a weak tag never does).
func ifMatchSatisfied(header, current string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == current {
			return true
		}
	}
	return false
}

func preconditionFailed(k store.APIKey, ifMatch string) error {
	return &Error{Kind: KindPreconditionFailed, Field: fieldIfMatch, Message: fmt.Sprintf(
		"API key %s is at ETag %s, not %s: it was changed after you read it; read it again and retry",
		k.ID, ETag(k), quoteForMessage(ifMatch))}
}

// UpdateAPIKey applies a merge patch as one read-modify-write conditioned on the version read.
// With IfMatch the caller's read is the one that counts, so a lost race is
// KindPreconditionFailed; without, the patch is simply applied again to a fresh read: no
// concurrent update is lost either way. It needs keys:write; the key must stay within the
// principal's grant ceiling, unless the patch only disables it.
func (s *Service) UpdateAPIKey(ctx context.Context, p Principal, id string, in UpdateAPIKeyInput) (APIKey, error) {
	if err := p.Require(RightWrite); err != nil {
		return store.APIKey{}, err
	}
	stepUp := s.stepUpOnce(ctx, p)
	for attempt := 1; ; attempt++ {
		k, err := s.updateAPIKeyOnce(ctx, p, id, in, stepUp)
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			return k, err
		}
		if in.IfMatch != "" {
			cur, gerr := s.loadAPIKey(ctx, id, "id")
			if gerr != nil {
				return store.APIKey{}, gerr
			}
			return store.APIKey{}, preconditionFailed(cur, in.IfMatch)
		}
		backoffVersionRace(attempt)
	}
}

// RotateAPIKey rotates the key as it is now: a rotation that raced an update starts again from
// a fresh read, so the new key copies the latest settings. It needs keys:write, and the key must
// be within the principal's grant ceiling: the rotation hands the principal its new secret.
func (s *Service) RotateAPIKey(ctx context.Context, p Principal, id string, grace time.Duration) (Rotation, error) {
	if err := p.Require(RightWrite); err != nil {
		return Rotation{}, err
	}
	if grace < 0 || grace > MaxGracePeriod {
		return Rotation{}, Invalid("grace_period_seconds", "must be between 0 and %d", int64(MaxGracePeriod/time.Second))
	}
	stepUp := s.stepUpOnce(ctx, p)
	for attempt := 1; ; attempt++ {
		old, err := s.accessAPIKey(ctx, p, id)
		if err != nil {
			return Rotation{}, err
		}
		if err := requireRotatable(old, s.clock()); err != nil {
			return Rotation{}, err
		}
		if err := p.withinCeiling(old.Scopes, old.ExpiresAt); err != nil {
			return Rotation{}, err
		}
		if err := stepUp(old.ProjectID); err != nil {
			return Rotation{}, err
		}
		rot, err := s.rotate(ctx, p.source(), ActionAPIKeyRotate, old, grace)
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			return rot, err
		}
		backoffVersionRace(attempt)
	}
}

// versionMoved tells, after a conditional write of k failed with ErrConflict, whether another
// write of the still-live key got in between (as opposed to a taken name or a key that left
// the live set, which the caller reports itself).
func (s *Service) versionMoved(ctx context.Context, k store.APIKey) bool {
	cur, err := s.store.GetAPIKey(ctx, k.ID)
	return err == nil && requireLive(cur) == nil && cur.Version != k.Version
}

// backoffVersionRace lets the other writer finish before the next attempt.
func backoffVersionRace(attempt int) {
	time.Sleep(time.Duration(attempt) * time.Millisecond)
}
