package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const projectColumns = `id, name, description, webhook_secret, created_at, updated_at, deleted_at, otp_secret, events_webhook_url`

func scanProject(row interface{ Scan(...any) error }) (store.Project, error) {
	var (
		p                store.Project
		created, updated int64
		deleted          sql.NullInt64
		eventsURL        sql.NullString
	)
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.WebhookSecret, &created, &updated, &deleted, &p.OTPSecret, &eventsURL); err != nil {
		return store.Project{}, err
	}
	p.EventsWebhookURL = stringPtr(eventsURL)
	p.CreatedAt = fromMicros(created)
	p.UpdatedAt = fromMicros(updated)
	p.DeletedAt = timePtr(deleted)
	return p, nil
}

// CreateProject implements store.ProjectStore.
func (s *Store) CreateProject(ctx context.Context, p store.Project, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, p.Description, p.WebhookSecret, toMicros(p.CreatedAt), toMicros(p.UpdatedAt), nullMicros(p.DeletedAt),
			p.OTPSecret, nullString(p.EventsWebhookURL)); err != nil {
			return fmt.Errorf("sqlite: create project: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetProject implements store.ProjectStore.
func (s *Store) GetProject(ctx context.Context, id string) (store.Project, error) {
	p, err := scanProject(s.reader.QueryRowContext(ctx,
		`SELECT `+projectColumns+` FROM projects WHERE id = ?`, id))
	if err != nil {
		return store.Project{}, fmt.Errorf("sqlite: get project: %w", mapErr(err))
	}
	return p, nil
}

// ListProjects implements store.ProjectStore.
func (s *Store) ListProjects(ctx context.Context, f store.ProjectFilter) ([]store.Project, error) {
	query := `SELECT ` + projectColumns + ` FROM projects WHERE deleted_at IS NULL`
	var args []any
	if f.After != nil {
		query += ` AND (created_at > ? OR (created_at = ? AND id > ?))`
		c := toMicros(f.After.Time)
		args = append(args, c, c, f.After.ID)
	}
	query += ` ORDER BY created_at, id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, scanProject)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list projects: %w", err)
	}
	return out, nil
}

// UpdateProject implements store.ProjectStore.
func (s *Store) UpdateProject(ctx context.Context, p store.Project, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE projects SET name = ?, description = ?, events_webhook_url = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			p.Name, p.Description, nullString(p.EventsWebhookURL), toMicros(p.UpdatedAt), p.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update project: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: update project: %w", store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteProject implements store.ProjectStore.
func (s *Store) DeleteProject(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{ProjectIDs: []string{id}}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE projects SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			toMicros(at), toMicros(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: delete project: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: delete project: %w", store.ErrNotFound)
		}
		if err := revokeReturning(ctx, tx, ch,
			`UPDATE api_keys SET revoked_at = ?, updated_at = ?, version = version + 1 WHERE project_id = ? AND revoked_at IS NULL`,
			toMicros(at), toMicros(at), id); err != nil {
			return fmt.Errorf("sqlite: revoke project keys: %w", err)
		}
		for _, table := range []string{"service_accounts", "environments"} {
			if _, err := tx.ExecContext(ctx,
				`UPDATE `+table+` SET deleted_at = ?, updated_at = ? WHERE project_id = ? AND deleted_at IS NULL`,
				toMicros(at), toMicros(at), id); err != nil {
				return fmt.Errorf("sqlite: delete project %s: %w", table, mapErr(err))
			}
		}
		return writeChanges(ctx, tx, ch)
	})
}

// SetProjectWebhookSecret implements store.ProjectStore.
func (s *Store) SetProjectWebhookSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch store.Changes) error {
	return s.setProjectColumn(ctx, "webhook_secret", id, sealed, at, ch)
}

// setProjectColumn sets one column of a live project (ErrNotFound otherwise) and writes ch.
// alsoSet is what changes with a project column: a new (or no) one-time-code secret starts the
// accepted time steps over (see ConsumeOTPStep).
var alsoSet = map[string]string{"otp_secret": ", otp_last_step = NULL"}

func (s *Store) setProjectColumn(ctx context.Context, column, id string, value any, at time.Time, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE projects SET `+column+` = ?`+alsoSet[column]+`, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			value, toMicros(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: set project %s: %w", column, mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: set project %s: %w", column, store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}
