package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const auditColumns = `id, occurred_at, project_id, actor_type, actor_id, actor_name, action, target_type,
	target_id, target_name, changes, request_id, client_address, outcome, status`

func scanAuditEvent(row interface{ Scan(...any) error }) (store.AuditEvent, error) {
	var (
		e        store.AuditEvent
		occurred int64
		project  sql.NullString
		changes  string
	)
	if err := row.Scan(&e.ID, &occurred, &project, &e.Actor.Type, &e.Actor.ID, &e.Actor.Name, &e.Action,
		&e.Target.Type, &e.Target.ID, &e.Target.Name, &changes, &e.RequestID, &e.ClientAddress, &e.Outcome, &e.Status); err != nil {
		return store.AuditEvent{}, err
	}
	e.OccurredAt = fromMicros(occurred)
	e.ProjectID = stringPtr(project)
	if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
		return store.AuditEvent{}, fmt.Errorf("decode changes of audit event %s: %w", e.ID, err)
	}
	e.Changes = nonNilChanges(e.Changes)
	return e, nil
}

// ListAuditEvents implements store.AuditStore.
func (s *Store) ListAuditEvents(ctx context.Context, f store.AuditEventFilter) ([]store.AuditEvent, error) {
	var (
		where []string
		args  []any
	)
	eq := func(column string, v *string) {
		if v != nil {
			where = append(where, column+" = ?")
			args = append(args, *v)
		}
	}
	eq("project_id", f.ProjectID)
	eq("actor_type", f.ActorType)
	eq("actor_id", f.ActorID)
	eq("action", f.Action)
	eq("target_type", f.TargetType)
	eq("target_id", f.TargetID)
	if f.Since != nil {
		where = append(where, "occurred_at >= ?")
		args = append(args, toMicros(*f.Since))
	}
	if f.Until != nil {
		where = append(where, "occurred_at < ?")
		args = append(args, toMicros(*f.Until))
	}
	byOccurredAt := keyset{expr: "occurred_at", value: func(c *store.Cursor) any { return toMicros(c.Time) }}
	where, args, tail := byOccurredAt.page(where, args, f.After, true, f.Limit)
	query := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.reader.QueryContext(ctx, query+tail, args...)
	out, err := collect(rows, err, scanAuditEvent)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit events: %w", err)
	}
	return out, nil
}

// DeleteAuditEventsBefore implements store.AuditStore.
func (s *Store) DeleteAuditEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_events WHERE occurred_at < ?`, toMicros(t))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete audit events: %w", err)
	}
	return n, nil
}
