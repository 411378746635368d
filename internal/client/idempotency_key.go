package client

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
)

type idempotencyKeyCtx struct{}

// WithIdempotencyKey makes POSTs made with ctx send key as their Idempotency-Key instead of a
// fresh one. A caller that records the key before a create can repeat the very same request
// later (within the server's replay window, one hour) and get the first answer, secret
// included, instead of a second key.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// NewIdempotencyKey returns a fresh key for WithIdempotencyKey.
func NewIdempotencyKey() (string, error) {
	key, err := uuid.NewRandom()
	if err != nil {
		return "", err
	}
	return key.String(), nil
}

func idempotencyKeyFrom(ctx context.Context) string {
	key, _ := ctx.Value(idempotencyKeyCtx{}).(string)
	return key
}

// MayHaveApplied reports whether a failed call may nonetheless have changed the server: the
// answer was lost (connection error, timeout) or was a 5xx, which a gateway can return after
// the server acted, or it was a 4xx to a retry whose earlier attempt was one of those (a
// create applied by a first attempt whose replay record was lost makes its retry a 409). Only
// a 4xx to a call whose every attempt was answered is the server's plain refusal.
func MayHaveApplied(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= http.StatusInternalServerError || apiErr.AfterUncertainAttempt
	}
	return true
}
