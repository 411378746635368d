package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const projectColumns = `id, name, description, webhook_secret, created_at, updated_at, deleted_at, otp_secret`

func scanProject(row interface{ Scan(...any) error }) (store.Project, error) {
	var (
		p                store.Project
		created, updated int64
		deleted          sql.NullInt64
	)
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.WebhookSecret, &created, &updated, &deleted, &p.OTPSecret); err != nil {
		return store.Project{}, err
	}
	p.CreatedAt = fromMicros(created)
	p.UpdatedAt = fromMicros(updated)
	p.DeletedAt = timePtr(deleted)
	return p, nil
}

// CreateProject implements store.ProjectStore.
func (s *Store) CreateProject(ctx context.Context, p store.Project) error {
	_, err := s.execChanging(ctx, noCredentialChange,
		`INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.Description, p.WebhookSecret, toMicros(p.CreatedAt), toMicros(p.UpdatedAt), nullMicros(p.DeletedAt), p.OTPSecret)
	if err != nil {
		return fmt.Errorf("sqlite: create project: %w", mapErr(err))
	}
	return nil
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
func (s *Store) UpdateProject(ctx context.Context, p store.Project) error {
	res, err := s.execChanging(ctx, noCredentialChange,
		`UPDATE projects SET name = ?, description = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		p.Name, p.Description, toMicros(p.UpdatedAt), p.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update project: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: update project: %w", store.ErrNotFound)
	}
	return nil
}

// DeleteProject implements store.ProjectStore.
func (s *Store) DeleteProject(ctx context.Context, id string, at time.Time) error {
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
		if _, err := tx.ExecContext(ctx,
			`UPDATE api_keys SET revoked_at = ?, updated_at = ?, version = version + 1 WHERE project_id = ? AND revoked_at IS NULL`,
			toMicros(at), toMicros(at), id); err != nil {
			return fmt.Errorf("sqlite: revoke project keys: %w", mapErr(err))
		}
		for _, table := range []string{"service_accounts", "environments"} {
			if _, err := tx.ExecContext(ctx,
				`UPDATE `+table+` SET deleted_at = ?, updated_at = ? WHERE project_id = ? AND deleted_at IS NULL`,
				toMicros(at), toMicros(at), id); err != nil {
				return fmt.Errorf("sqlite: delete project %s: %w", table, mapErr(err))
			}
		}
		return nil
	})
}

// SetProjectWebhookSecret implements store.ProjectStore.
func (s *Store) SetProjectWebhookSecret(ctx context.Context, id string, sealed []byte, at time.Time) error {
	res, err := s.execChanging(ctx, noCredentialChange,
		`UPDATE projects SET webhook_secret = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		sealed, toMicros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: set project webhook secret: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: set project webhook secret: %w", store.ErrNotFound)
	}
	return nil
}
