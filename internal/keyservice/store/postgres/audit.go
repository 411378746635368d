package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const auditColumns = `id, occurred_at, project_id, actor_type, actor_id, actor_name, action, target_type,
	target_id, target_name, changes, request_id, client_address, outcome, status`

func scanAuditEvent(row pgx.Row) (store.AuditEvent, error) {
	var (
		e       store.AuditEvent
		changes string
	)
	if err := row.Scan(&e.ID, &e.OccurredAt, &e.ProjectID, &e.Actor.Type, &e.Actor.ID, &e.Actor.Name, &e.Action,
		&e.Target.Type, &e.Target.ID, &e.Target.Name, &changes, &e.RequestID, &e.ClientAddress, &e.Outcome, &e.Status); err != nil {
		return store.AuditEvent{}, err
	}
	e.OccurredAt = e.OccurredAt.UTC()
	if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
		return store.AuditEvent{}, fmt.Errorf("decode changes of audit event %s: %w", e.ID, err)
	}
	e.Changes = nonNilChanges(e.Changes)
	return e, nil
}

// ListAuditEvents implements store.AuditStore.
func (s *Store) ListAuditEvents(ctx context.Context, f store.AuditEventFilter) ([]store.AuditEvent, error) {
	var (
		args  queryArgs
		where []string
	)
	eq := func(column string, v *string) {
		if v != nil {
			where = append(where, column+" = "+args.add(*v))
		}
	}
	eq("project_id", f.ProjectID)
	eq("actor_type", f.ActorType)
	eq("actor_id", f.ActorID)
	eq("action", f.Action)
	eq("target_type", f.TargetType)
	eq("target_id", f.TargetID)
	if f.Since != nil {
		where = append(where, "occurred_at >= "+args.add(ts(*f.Since)))
	}
	if f.Until != nil {
		where = append(where, "occurred_at < "+args.add(ts(*f.Until)))
	}
	byOccurredAt := sortKey{expr: "occurred_at", value: func(c *store.Cursor) any { return ts(c.Time) }}
	cond, orderBy := byOccurredAt.page(&args, f.After, true)
	if cond != "" {
		where = append(where, cond)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, query+orderBy+" LIMIT "+args.add(f.Limit), args...)
	out, err := collect(rows, err, scanAuditEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit events: %w", err)
	}
	return out, nil
}

// DeleteAuditEventsBefore implements store.AuditStore.
func (s *Store) DeleteAuditEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM audit_events WHERE occurred_at < $1`, ts(t))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete audit events: %w", err)
	}
	return tag.RowsAffected(), nil
}
