package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const environmentColumns = `id, project_id, name, description, created_at, updated_at, deleted_at`

func scanEnvironment(row pgx.Row) (store.Environment, error) {
	var e store.Environment
	if err := row.Scan(&e.ID, &e.ProjectID, &e.Name, &e.Description, &e.CreatedAt, &e.UpdatedAt, &e.DeletedAt); err != nil {
		return store.Environment{}, err
	}
	e.CreatedAt = e.CreatedAt.UTC()
	e.UpdatedAt = e.UpdatedAt.UTC()
	e.DeletedAt = utc(e.DeletedAt)
	return e, nil
}

// CreateEnvironment implements store.EnvironmentStore.
func (s *Store) CreateEnvironment(ctx context.Context, e store.Environment, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx,
			`INSERT INTO environments (`+environmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			e.ID, e.ProjectID, e.Name, e.Description, ts(e.CreatedAt), ts(e.UpdatedAt), nullTS(e.DeletedAt)); err != nil {
			return fmt.Errorf("postgres: create environment: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetEnvironment implements store.EnvironmentStore.
func (s *Store) GetEnvironment(ctx context.Context, id string) (store.Environment, error) {
	e, err := scanEnvironment(s.pool.QueryRow(ctx, `SELECT `+environmentColumns+` FROM environments WHERE id = $1`, id))
	if err != nil {
		return store.Environment{}, fmt.Errorf("postgres: get environment: %w", mapErr(err))
	}
	return e, nil
}

// ListEnvironments implements store.EnvironmentStore.
func (s *Store) ListEnvironments(ctx context.Context, f store.EnvironmentFilter) ([]store.Environment, error) {
	args := queryArgs{f.ProjectID}
	query := `SELECT ` + environmentColumns + ` FROM environments WHERE project_id = $1 AND deleted_at IS NULL`
	if f.Name != nil {
		query += ` AND name = ` + args.add(*f.Name)
	}
	cond, orderBy := sortKeyFor(store.SortByCreatedAt).page(&args, f.After, false)
	if cond != "" {
		query += ` AND ` + cond
	}
	query += orderBy + ` LIMIT ` + args.add(f.Limit)
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, scanEnvironment)
	if err != nil {
		return nil, fmt.Errorf("postgres: list environments: %w", err)
	}
	return out, nil
}

// UpdateEnvironment implements store.EnvironmentStore.
func (s *Store) UpdateEnvironment(ctx context.Context, e store.Environment, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE environments SET name = $1, description = $2, updated_at = $3
			WHERE id = $4 AND deleted_at IS NULL`, e.Name, e.Description, ts(e.UpdatedAt), e.ID)
		if err != nil {
			return fmt.Errorf("postgres: update environment: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: update environment: %w", store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteEnvironment implements store.EnvironmentStore. The UPDATE takes the
// environment's row lock before the bound keys are looked for: a
// CreateAPIKey binding a key to it holds that row FOR SHARE until commit, so
// the check (a new snapshot under READ COMMITTED) either sees its key or it
// sees the environment deleted.
func (s *Store) DeleteEnvironment(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	at = ts(at)
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE environments SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at, id)
		if err != nil {
			return fmt.Errorf("postgres: delete environment: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: delete environment %s: %w", id, store.ErrNotFound)
		}
		// Keys that can still authenticate at `at`: not revoked, and not
		// replaced or replaced but inside their grace period.
		var bound bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE environment_id = $1
			AND revoked_at IS NULL AND (replaced_by_key_id IS NULL OR grace_expires_at > $2))`, id, at).Scan(&bound); err != nil {
			return fmt.Errorf("postgres: delete environment: %w", err)
		}
		if bound {
			return fmt.Errorf("postgres: delete environment %s: keys are bound to it: %w", id, store.ErrConflict)
		}
		return writeChanges(ctx, tx, ch)
	})
}
