package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// expiryEventColumn is the column that holds the expires_at an event was recorded for.
func expiryEventColumn(event store.ExpiryEvent) (string, error) {
	switch event {
	case store.ExpiryEventExpiring:
		return "expiring_event_for", nil
	case store.ExpiryEventExpired:
		return "expired_event_for", nil
	}
	return "", fmt.Errorf("postgres: unknown expiry event %q", event)
}

// ListExpiryEventKeys implements store.APIKeyStore. Both selections are ranges of the
// api_keys_expiry partial index, whose condition the WHERE clause repeats.
func (s *Store) ListExpiryEventKeys(ctx context.Context, f store.ExpiryEventFilter) ([]store.APIKey, error) {
	column, err := expiryEventColumn(f.Event)
	if err != nil {
		return nil, err
	}
	var args queryArgs
	where := []string{
		"expires_at IS NOT NULL", "revoked_at IS NULL", "replaced_by_key_id IS NULL",
		"expired_event_for IS DISTINCT FROM expires_at", column + " IS DISTINCT FROM expires_at",
	}
	if f.Event == store.ExpiryEventExpired {
		where = append(where, "expires_at <= "+args.add(ts(f.Now)))
	} else {
		where = append(where, "expires_at > "+args.add(ts(f.Now)), "expires_at <= "+args.add(ts(f.Through)))
	}
	byExpiresAt := sortKey{expr: "expires_at", value: func(c *store.Cursor) any { return ts(c.Time) }}
	cond, orderBy := byExpiresAt.page(&args, f.After, false)
	if cond != "" {
		where = append(where, cond)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE `+strings.Join(where, " AND ")+
		orderBy+" LIMIT "+args.add(f.Limit), args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list expiry event keys: %w", err)
	}
	return out, nil
}

// MarkExpiryEvent implements store.APIKeyStore. Replicas marking the same key serialise on its
// row lock; the second re-checks the condition against the committed row and updates nothing.
func (s *Store) MarkExpiryEvent(ctx context.Context, event store.ExpiryEvent, k store.APIKey, ch store.Changes) error {
	column, err := expiryEventColumn(event)
	if err != nil {
		return err
	}
	if k.ExpiresAt == nil {
		return fmt.Errorf("postgres: mark expiry event of %s: no expires_at: %w", k.ID, store.ErrConflict)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET `+column+` = expires_at
			WHERE id = $1 AND expires_at = $2 AND revoked_at IS NULL AND replaced_by_key_id IS NULL
			AND `+column+` IS DISTINCT FROM expires_at`, k.ID, ts(*k.ExpiresAt))
		if err != nil {
			return fmt.Errorf("postgres: mark expiry event: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: mark %s event of %s: %w", event, k.ID, store.ErrConflict)
		}
		return writeChanges(ctx, tx, ch)
	})
}
