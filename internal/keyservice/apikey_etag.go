package keyservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// A key's ETag is its store Version, which every write of the key moves on: "update only if
// nobody changed it since I read it" is If-Match with the ETag of that read.
const (
	headerETag    = "ETag"
	headerIfMatch = "If-Match"

	// maxVersionRetries bounds how often an unconditional update or a rotation re-reads a key
	// that another writer changed between its read and its write.
	maxVersionRetries = 8
)

// errVersionMoved is a write that lost a race with another write of the same key. Callers with
// no precondition re-read and apply their change again; it is a conflict to anyone else (the
// scheduled rotation skips the key).
var errVersionMoved = &domainError{kind: kindConflict, field: "id", message: "the API key was changed concurrently; retry"}

func apiKeyETag(k store.APIKey) string {
	return `"` + strconv.FormatInt(k.Version, 10) + `"`
}

func setETag(w http.ResponseWriter, k store.APIKey) {
	w.Header().Set(headerETag, apiKeyETag(k))
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
	return &domainError{kind: kindPreconditionFailed, field: headerIfMatch, message: fmt.Sprintf(
		"API key %s is at ETag %s, not %s: it was changed after you read it; read it again and retry",
		k.ID, apiKeyETag(k), quoteForMessage(ifMatch))}
}

// updateAPIKey applies a merge patch as one read-modify-write conditioned on the version read.
// With If-Match the caller's read is the one that counts, so a lost race is 412; without,
// the patch is simply applied again to a fresh read: no concurrent update is lost either way.
func (s *service) updateAPIKey(ctx context.Context, p principal, id string, in updateAPIKeyInput, ifMatch string) (store.APIKey, error) {
	for attempt := 1; ; attempt++ {
		k, err := s.updateAPIKeyOnce(ctx, p, id, in, ifMatch)
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			return k, err
		}
		if ifMatch != "" {
			cur, gerr := s.loadAPIKey(ctx, id, "id")
			if gerr != nil {
				return store.APIKey{}, gerr
			}
			return store.APIKey{}, preconditionFailed(cur, ifMatch)
		}
		backoffVersionRace(attempt)
	}
}

// rotateAPIKey rotates the key as it is now: a rotation that raced an update starts again from
// a fresh read, so the new key copies the latest settings.
func (s *service) rotateAPIKey(ctx context.Context, p principal, id string, grace time.Duration) (rotation, error) {
	if grace < 0 || grace > maxGracePeriod {
		return rotation{}, invalid("grace_period_seconds", "must be between 0 and %d", int64(maxGracePeriod/time.Second))
	}
	for attempt := 1; ; attempt++ {
		old, err := s.accessAPIKey(ctx, p, id)
		if err != nil {
			return rotation{}, err
		}
		if err := s.requireOTP(ctx, p, old.ProjectID); err != nil {
			return rotation{}, err
		}
		rot, err := s.rotate(ctx, old, grace)
		if !errors.Is(err, errVersionMoved) || attempt == maxVersionRetries {
			return rot, err
		}
		backoffVersionRace(attempt)
	}
}

// versionMoved tells, after a conditional write of k failed with ErrConflict, whether another
// write of the still-live key got in between (as opposed to a taken name or a key that left
// the live set, which the caller reports itself).
func (s *service) versionMoved(ctx context.Context, k store.APIKey) bool {
	cur, err := s.store.GetAPIKey(ctx, k.ID)
	return err == nil && requireLive(cur) == nil && cur.Version != k.Version
}

// backoffVersionRace lets the other writer finish before the next attempt.
func backoffVersionRace(attempt int) {
	time.Sleep(time.Duration(attempt) * time.Millisecond)
}
