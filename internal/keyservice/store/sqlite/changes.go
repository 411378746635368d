package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// writeChanges inserts ch's events in tx, after the change's own statements. Its errors are
// not mapped to the store's sentinels: a failed event insert is a failure of the write, never
// a conflict the caller would read as "name taken".
func writeChanges(ctx context.Context, tx *sql.Tx, ch store.Changes) error {
	for _, e := range ch.Audit {
		changes, err := json.Marshal(nonNilChanges(e.Changes))
		if err != nil {
			return fmt.Errorf("sqlite: encode audit event changes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (`+auditColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, toMicros(e.OccurredAt), nullString(e.ProjectID), e.Actor.Type, e.Actor.ID, e.Actor.Name,
			e.Action, e.Target.Type, e.Target.ID, e.Target.Name, string(changes), e.RequestID, e.ClientAddress,
			e.Outcome, e.Status); err != nil {
			return fmt.Errorf("sqlite: insert audit event: %v", err)
		}
	}
	for _, e := range ch.Outbox {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_events (id, project_id, type, payload, created_at, next_attempt_at)
			SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM projects WHERE id = ? AND events_webhook_url IS NOT NULL)`,
			e.ID, e.ProjectID, e.Type, e.Payload, toMicros(e.CreatedAt), toMicros(e.CreatedAt), e.ProjectID); err != nil {
			return fmt.Errorf("sqlite: insert outbox event: %v", err)
		}
	}
	return nil
}

// revokeReturning runs an UPDATE of api_keys that sets revoked_at (where it was unset) and
// returns the rows it changed, then writes ch.ForRevokedKey's events for each.
func revokeReturning(ctx context.Context, tx *sql.Tx, ch store.Changes, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query+` RETURNING `+apiKeyColumns, args...)
	keys, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return mapErr(err)
	}
	if ch.ForRevokedKey == nil {
		return nil
	}
	slices.SortFunc(keys, func(a, b store.APIKey) int { return strings.Compare(a.ID, b.ID) })
	for _, k := range keys {
		if err := writeChanges(ctx, tx, ch.ForRevokedKey(k)); err != nil {
			return err
		}
	}
	return nil
}

func nonNilChanges(m map[string]store.FieldChange) map[string]store.FieldChange {
	if m == nil {
		return map[string]store.FieldChange{}
	}
	return m
}

// RecordChanges implements store.AuditStore.
func (s *Store) RecordChanges(ctx context.Context, ch store.Changes) error {
	if len(ch.Audit) == 0 && len(ch.Outbox) == 0 {
		return nil
	}
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		return writeChanges(ctx, tx, ch)
	})
}
