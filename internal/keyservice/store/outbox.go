package store

import (
	"context"
	"time"
)

// OutboxStore holds the lifecycle events waiting for delivery to a project's events webhook.
// Events are written with their change (see Changes); delivery jobs, possibly on several
// replicas, claim due events with a lease, so each event is sent by one of them at a time,
// and settle each attempt. An event whose lease runs out (its claimer died or hung) is due
// again: delivery is at least once.
type OutboxStore interface {
	// ClaimOutboxEvents claims up to c.Limit unsettled events whose NextAttemptAt is not
	// after c.Now and that no lease holds at c.Now, oldest attempt first: they are leased
	// to c.Owner until c.Until. Two claims never return the same event while its lease runs.
	ClaimOutboxEvents(ctx context.Context, c OutboxClaim) ([]OutboxEvent, error)
	// SettleOutboxAttempt writes the outcome of an attempt at e, which owner claimed:
	// Attempts, NextAttemptAt, LastError, and DeliveredAt or FailedAt (either settles it for
	// good), and ends the lease. ErrConflict if owner no longer holds the lease.
	SettleOutboxAttempt(ctx context.Context, owner string, e OutboxEvent) error
	// ListOutboxEvents returns events, settled or not, ordered by (created_at, id).
	ListOutboxEvents(ctx context.Context, f OutboxFilter) ([]OutboxEvent, error)
	// DeleteSettledOutboxEvents removes events delivered or given up before t.
	DeleteSettledOutboxEvents(ctx context.Context, t time.Time) (int64, error)
}

// OutboxEvent is one lifecycle event of a project. Payload is the JSON body sent, which never
// holds a secret; it is signed when it is sent, with the project's signing secret of that time.
type OutboxEvent struct {
	ID            string // the event id receivers de-duplicate on
	ProjectID     string
	Type          string // api_key.created, api_key.revoked, …
	Payload       []byte
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	DeliveredAt   *time.Time
	FailedAt      *time.Time // given up
}

// OutboxClaim asks for due events, leased to Owner until Until.
type OutboxClaim struct {
	Owner string
	Now   time.Time
	Until time.Time
	Limit int
}

// OutboxFilter pages through the outbox.
type OutboxFilter struct {
	After *Cursor // (Time: created_at, ID), exclusive
	Limit int
}
