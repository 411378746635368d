package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const environmentColumns = `id, project_id, name, description, created_at, updated_at, deleted_at`

func scanEnvironment(row interface{ Scan(...any) error }) (store.Environment, error) {
	var (
		e                store.Environment
		created, updated int64
		deleted          sql.NullInt64
	)
	if err := row.Scan(&e.ID, &e.ProjectID, &e.Name, &e.Description, &created, &updated, &deleted); err != nil {
		return store.Environment{}, err
	}
	e.CreatedAt = fromMicros(created)
	e.UpdatedAt = fromMicros(updated)
	e.DeletedAt = timePtr(deleted)
	return e, nil
}

// CreateEnvironment implements store.EnvironmentStore.
func (s *Store) CreateEnvironment(ctx context.Context, e store.Environment, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO environments (`+environmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.ProjectID, e.Name, e.Description, toMicros(e.CreatedAt), toMicros(e.UpdatedAt), nullMicros(e.DeletedAt)); err != nil {
			return fmt.Errorf("sqlite: create environment: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetEnvironment implements store.EnvironmentStore.
func (s *Store) GetEnvironment(ctx context.Context, id string) (store.Environment, error) {
	e, err := scanEnvironment(s.reader.QueryRowContext(ctx,
		`SELECT `+environmentColumns+` FROM environments WHERE id = ?`, id))
	if err != nil {
		return store.Environment{}, fmt.Errorf("sqlite: get environment: %w", mapErr(err))
	}
	return e, nil
}

// ListEnvironments implements store.EnvironmentStore.
func (s *Store) ListEnvironments(ctx context.Context, f store.EnvironmentFilter) ([]store.Environment, error) {
	where := []string{"project_id = ?", "deleted_at IS NULL"}
	args := []any{f.ProjectID}
	if f.Name != nil {
		where = append(where, "name = ?")
		args = append(args, *f.Name)
	}
	where, args, tail := byCreatedAt.page(where, args, f.After, false, f.Limit)
	rows, err := s.reader.QueryContext(ctx,
		`SELECT `+environmentColumns+` FROM environments WHERE `+strings.Join(where, " AND ")+tail, args...)
	out, err := collect(rows, err, scanEnvironment)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list environments: %w", err)
	}
	return out, nil
}

// UpdateEnvironment implements store.EnvironmentStore.
func (s *Store) UpdateEnvironment(ctx context.Context, e store.Environment, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE environments SET name = ?, description = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			e.Name, e.Description, toMicros(e.UpdatedAt), e.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update environment: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: update environment %s: %w", e.ID, store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteEnvironment implements store.EnvironmentStore.
func (s *Store) DeleteEnvironment(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM environments WHERE id = ? AND deleted_at IS NULL`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: delete environment %s: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: delete environment: %w", err)
		}
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE environment_id = ? AND `+liveOrInGrace+` LIMIT 1`,
			id, toMicros(at)).Scan(&one)
		switch {
		case err == nil:
			return fmt.Errorf("sqlite: delete environment %s: keys are bound to it: %w", id, store.ErrConflict)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: delete environment: %w", err)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE environments SET deleted_at = ?, updated_at = ? WHERE id = ?`,
			toMicros(at), toMicros(at), id); err != nil {
			return fmt.Errorf("sqlite: delete environment: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// liveOrInGrace matches keys that can still authenticate at the bound time: not revoked, and not
// replaced or replaced but inside their grace period.
const liveOrInGrace = `revoked_at IS NULL AND (replaced_by_key_id IS NULL OR grace_expires_at > ?)`
