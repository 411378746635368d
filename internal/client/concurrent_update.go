package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ConcurrentUpdateError is a 412 answer to an update sent with If-Match: the key changed
// since the caller read it, and the update was not applied. Current is the key as it is now.
type ConcurrentUpdateError struct {
	Err     *APIError
	Current *APIKey
}

func (e *ConcurrentUpdateError) Error() string {
	return fmt.Sprintf("the key was changed by someone else since it was read (now at version %s): %s", e.Current.ETag, e.Err)
}

// Unwrap makes errors.Is(err, ErrPreconditionFailed) and errors.As(err, **APIError) work.
func (e *ConcurrentUpdateError) Unwrap() error { return e.Err }

// afterPreconditionFailed re-reads a key whose conditional update got 412. When the call was
// retried, the 412 may answer our own earlier attempt, which the server applied but whose
// answer was lost: if the key now holds everything the patch set, the update succeeded.
func (c *Client) afterPreconditionFailed(ctx context.Context, id string, req UpdateAPIKeyRequest, attempts int, err error) (*APIKey, error) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return nil, err
	}
	current, gerr := c.GetAPIKey(ctx, id)
	if gerr != nil {
		return nil, fmt.Errorf("%w (and re-reading the key failed: %w)", err, gerr)
	}
	if attempts > 1 && patchApplied(req, current) {
		return current, nil
	}
	return nil, &ConcurrentUpdateError{Err: apiErr, Current: current}
}

// patchApplied reports whether k holds every value that req sets or clears.
func patchApplied(req UpdateAPIKeyRequest, k *APIKey) bool {
	switch {
	case req.Name != nil && *req.Name != k.Name,
		req.Description != nil && *req.Description != k.Description,
		req.Active != nil && *req.Active != k.Active,
		req.Scopes != nil && !sameSet(*req.Scopes, k.Scopes),
		req.ExpiresAt != nil && (k.ExpiresAt == nil || !sameMicrosecond(*req.ExpiresAt, *k.ExpiresAt)),
		req.ClearExpiresAt && k.ExpiresAt != nil,
		req.RotationIntervalDays != nil && (k.RotationIntervalDays == nil || *req.RotationIntervalDays != *k.RotationIntervalDays),
		req.ClearRotationIntervalDays && k.RotationIntervalDays != nil,
		req.RotationWebhookURL != nil && (k.RotationWebhookURL == nil || *req.RotationWebhookURL != *k.RotationWebhookURL),
		req.ClearRotationWebhookURL && k.RotationWebhookURL != nil:
		return false
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// sameMicrosecond compares times at the precision the server keeps.
func sameMicrosecond(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}
