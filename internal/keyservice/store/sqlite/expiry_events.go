package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	return "", fmt.Errorf("sqlite: unknown expiry event %q", event)
}

// ListExpiryEventKeys implements store.APIKeyStore. Both selections are ranges of the
// api_keys_expiry partial index, whose condition the WHERE clause repeats.
func (s *Store) ListExpiryEventKeys(ctx context.Context, f store.ExpiryEventFilter) ([]store.APIKey, error) {
	column, err := expiryEventColumn(f.Event)
	if err != nil {
		return nil, err
	}
	where := []string{
		"expires_at IS NOT NULL", "revoked_at IS NULL", "replaced_by_key_id IS NULL", "expired_event_for IS NOT expires_at",
		column + " IS NOT expires_at",
	}
	var args []any
	if f.Event == store.ExpiryEventExpired {
		where = append(where, "expires_at <= ?")
		args = append(args, toMicros(f.Now))
	} else {
		where = append(where, "expires_at > ?", "expires_at <= ?")
		args = append(args, toMicros(f.Now), toMicros(f.Through))
	}
	byExpiresAt := keyset{expr: "expires_at", value: func(c *store.Cursor) any { return toMicros(c.Time) }}
	where, args, tail := byExpiresAt.page(where, args, f.After, false, f.Limit)
	rows, err := s.reader.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE `+strings.Join(where, " AND ")+tail, args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list expiry event keys: %w", err)
	}
	return out, nil
}

// MarkExpiryEvent implements store.APIKeyStore. Nothing a verification reads changes: the
// credential cache stays.
func (s *Store) MarkExpiryEvent(ctx context.Context, event store.ExpiryEvent, k store.APIKey, ch store.Changes) error {
	column, err := expiryEventColumn(event)
	if err != nil {
		return err
	}
	if k.ExpiresAt == nil {
		return fmt.Errorf("sqlite: mark expiry event of %s: no expires_at: %w", k.ID, store.ErrConflict)
	}
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET `+column+` = expires_at
			WHERE id = ? AND expires_at = ? AND revoked_at IS NULL AND replaced_by_key_id IS NULL AND `+column+` IS NOT expires_at`,
			k.ID, toMicros(*k.ExpiresAt))
		if err != nil {
			return fmt.Errorf("sqlite: mark expiry event: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: mark %s event of %s: %w", event, k.ID, store.ErrConflict)
		}
		return writeChanges(ctx, tx, ch)
	})
}
