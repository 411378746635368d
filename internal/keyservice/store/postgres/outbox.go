package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const outboxColumns = `id, project_id, type, payload, created_at, attempts, next_attempt_at, last_error,
	delivered_at, failed_at`

func scanOutboxEvent(row pgx.Row) (store.OutboxEvent, error) {
	var e store.OutboxEvent
	if err := row.Scan(&e.ID, &e.ProjectID, &e.Type, &e.Payload, &e.CreatedAt, &e.Attempts, &e.NextAttemptAt, &e.LastError,
		&e.DeliveredAt, &e.FailedAt); err != nil {
		return store.OutboxEvent{}, err
	}
	e.CreatedAt, e.NextAttemptAt = e.CreatedAt.UTC(), e.NextAttemptAt.UTC()
	e.DeliveredAt, e.FailedAt = utc(e.DeliveredAt), utc(e.FailedAt)
	return e, nil
}

// ClaimOutboxEvents implements store.OutboxStore. The rows are locked FOR UPDATE SKIP LOCKED
// before they are leased: replicas claiming at the same moment take disjoint sets, and one
// that waited on a lock re-checks the lease of the row it then sees (READ COMMITTED), so a row
// is leased to one replica at a time.
func (s *Store) ClaimOutboxEvents(ctx context.Context, c store.OutboxClaim) ([]store.OutboxEvent, error) {
	rows, err := s.pool.Query(ctx, `UPDATE outbox_events SET claimed_by = $1, claimed_until = $2
		WHERE id IN (SELECT id FROM outbox_events
			WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3
			AND (claimed_until IS NULL OR claimed_until <= $3)
			ORDER BY next_attempt_at, id LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING `+outboxColumns, c.Owner, ts(c.Until), ts(c.Now), c.Limit)
	out, err := collect(rows, err, scanOutboxEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim outbox events: %w", err)
	}
	slices.SortFunc(out, func(a, b store.OutboxEvent) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// SettleOutboxAttempt implements store.OutboxStore.
func (s *Store) SettleOutboxAttempt(ctx context.Context, owner string, e store.OutboxEvent) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox_events SET attempts = $1, next_attempt_at = $2, last_error = $3,
		delivered_at = $4, failed_at = $5, claimed_by = NULL, claimed_until = NULL
		WHERE id = $6 AND claimed_by = $7`,
		e.Attempts, ts(e.NextAttemptAt), e.LastError, nullTS(e.DeliveredAt), nullTS(e.FailedAt), e.ID, owner)
	if err != nil {
		return fmt.Errorf("postgres: settle outbox event: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: settle outbox event %s: not claimed by %s: %w", e.ID, owner, store.ErrConflict)
	}
	return nil
}

// ListOutboxEvents implements store.OutboxStore.
func (s *Store) ListOutboxEvents(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEvent, error) {
	var args queryArgs
	cond, orderBy := sortKeyFor(store.SortByCreatedAt).page(&args, f.After, false)
	query := `SELECT ` + outboxColumns + ` FROM outbox_events`
	if cond != "" {
		query += ` WHERE ` + cond
	}
	rows, err := s.pool.Query(ctx, query+orderBy+" LIMIT "+args.add(f.Limit), args...)
	out, err := collect(rows, err, scanOutboxEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: list outbox events: %w", err)
	}
	return out, nil
}

// DeleteSettledOutboxEvents implements store.OutboxStore.
func (s *Store) DeleteSettledOutboxEvents(ctx context.Context, t time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM outbox_events WHERE delivered_at < $1 OR failed_at < $1`, ts(t))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete settled outbox events: %w", err)
	}
	return tag.RowsAffected(), nil
}
