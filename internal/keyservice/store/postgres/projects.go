package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const projectColumns = `id, name, description, webhook_secret, created_at, updated_at, deleted_at, otp_secret, events_webhook_url`

func scanProject(row pgx.Row) (store.Project, error) {
	var p store.Project
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.WebhookSecret, &p.CreatedAt, &p.UpdatedAt, &p.DeletedAt, &p.OTPSecret, &p.EventsWebhookURL); err != nil {
		return store.Project{}, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	p.DeletedAt = utc(p.DeletedAt)
	return p, nil
}

// CreateProject implements store.ProjectStore.
func (s *Store) CreateProject(ctx context.Context, p store.Project, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx,
			`INSERT INTO projects (`+projectColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			p.ID, p.Name, p.Description, p.WebhookSecret, ts(p.CreatedAt), ts(p.UpdatedAt), nullTS(p.DeletedAt),
			p.OTPSecret, p.EventsWebhookURL); err != nil {
			return fmt.Errorf("postgres: create project: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetProject implements store.ProjectStore.
func (s *Store) GetProject(ctx context.Context, id string) (store.Project, error) {
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1`, id))
	if err != nil {
		return store.Project{}, fmt.Errorf("postgres: get project: %w", mapErr(err))
	}
	return p, nil
}

// ListProjects implements store.ProjectStore.
func (s *Store) ListProjects(ctx context.Context, f store.ProjectFilter) ([]store.Project, error) {
	query := `SELECT ` + projectColumns + ` FROM projects WHERE deleted_at IS NULL`
	args := []any{f.Limit}
	if f.After != nil {
		query += ` AND (created_at, id) > ($2, $3)`
		args = append(args, ts(f.After.Time), f.After.ID)
	}
	query += ` ORDER BY created_at, id LIMIT $1`
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, scanProject)
	if err != nil {
		return nil, fmt.Errorf("postgres: list projects: %w", err)
	}
	return out, nil
}

// UpdateProject implements store.ProjectStore.
func (s *Store) UpdateProject(ctx context.Context, p store.Project, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE projects SET name = $1, description = $2, events_webhook_url = $3, updated_at = $4
			WHERE id = $5 AND deleted_at IS NULL`,
			p.Name, p.Description, p.EventsWebhookURL, ts(p.UpdatedAt), p.ID)
		if err != nil {
			return fmt.Errorf("postgres: update project: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: update project: %w", store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteProject implements store.ProjectStore.
func (s *Store) DeleteProject(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	at = ts(at)
	return s.inTxChanging(ctx, store.CredentialChange{ProjectIDs: []string{id}}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE projects SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at, id)
		if err != nil {
			return fmt.Errorf("postgres: delete project: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: delete project: %w", store.ErrNotFound)
		}
		if err := revokeReturning(ctx, tx, ch,
			`UPDATE api_keys SET revoked_at = $1, updated_at = $1, version = version + 1 WHERE project_id = $2 AND revoked_at IS NULL`,
			at, id); err != nil {
			return fmt.Errorf("postgres: revoke project keys: %w", err)
		}
		for _, table := range []string{"service_accounts", "environments"} {
			if _, err := tx.Exec(ctx,
				`UPDATE `+table+` SET deleted_at = $1, updated_at = $1 WHERE project_id = $2 AND deleted_at IS NULL`,
				at, id); err != nil {
				return fmt.Errorf("postgres: delete project %s: %w", table, mapErr(err))
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

func (s *Store) setProjectColumn(ctx context.Context, column, id string, value []byte, at time.Time, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE projects SET `+column+` = $1`+alsoSet[column]+`, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL`,
			value, ts(at), id)
		if err != nil {
			return fmt.Errorf("postgres: set project %s: %w", column, mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: set project %s: %w", column, store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}
