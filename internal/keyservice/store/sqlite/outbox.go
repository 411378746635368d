package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const outboxColumns = `id, project_id, type, payload, created_at, attempts, next_attempt_at, last_error,
	delivered_at, failed_at`

func scanOutboxEvent(row interface{ Scan(...any) error }) (store.OutboxEvent, error) {
	var (
		e                 store.OutboxEvent
		created, next     int64
		delivered, failed sql.NullInt64
	)
	if err := row.Scan(&e.ID, &e.ProjectID, &e.Type, &e.Payload, &created, &e.Attempts, &next, &e.LastError,
		&delivered, &failed); err != nil {
		return store.OutboxEvent{}, err
	}
	e.CreatedAt, e.NextAttemptAt = fromMicros(created), fromMicros(next)
	e.DeliveredAt, e.FailedAt = timePtr(delivered), timePtr(failed)
	return e, nil
}

// ClaimOutboxEvents implements store.OutboxStore: one UPDATE … RETURNING on the one writer
// connection, so claims are serialised.
func (s *Store) ClaimOutboxEvents(ctx context.Context, c store.OutboxClaim) ([]store.OutboxEvent, error) {
	var out []store.OutboxEvent
	now := toMicros(c.Now)
	err := s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox_events SET claimed_by = ?, claimed_until = ?
			WHERE id IN (SELECT id FROM outbox_events
				WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
				AND (claimed_until IS NULL OR claimed_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING `+outboxColumns, c.Owner, toMicros(c.Until), now, now, c.Limit)
		out, err = collect(rows, err, scanOutboxEvent)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim outbox events: %w", err)
	}
	slices.SortFunc(out, func(a, b store.OutboxEvent) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// SettleOutboxAttempt implements store.OutboxStore.
func (s *Store) SettleOutboxAttempt(ctx context.Context, owner string, e store.OutboxEvent) error {
	var n int64
	err := s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox_events SET attempts = ?, next_attempt_at = ?, last_error = ?,
			delivered_at = ?, failed_at = ?, claimed_by = NULL, claimed_until = NULL
			WHERE id = ? AND claimed_by = ?`,
			e.Attempts, toMicros(e.NextAttemptAt), e.LastError, nullMicros(e.DeliveredAt), nullMicros(e.FailedAt), e.ID, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: settle outbox event: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: settle outbox event %s: not claimed by %s: %w", e.ID, owner, store.ErrConflict)
	}
	return nil
}

// ListOutboxEvents implements store.OutboxStore.
func (s *Store) ListOutboxEvents(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEvent, error) {
	where, args, tail := byCreatedAt.page(nil, nil, f.After, false, f.Limit)
	query := `SELECT ` + outboxColumns + ` FROM outbox_events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.reader.QueryContext(ctx, query+tail, args...)
	out, err := collect(rows, err, scanOutboxEvent)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list outbox events: %w", err)
	}
	return out, nil
}

// DeleteSettledOutboxEvents implements store.OutboxStore.
func (s *Store) DeleteSettledOutboxEvents(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox_events WHERE delivered_at < ? OR failed_at < ?`, toMicros(t), toMicros(t))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete settled outbox events: %w", err)
	}
	return n, nil
}
