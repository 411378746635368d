package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const serviceAccountColumns = `id, project_id, name, description, active, created_at, updated_at, deleted_at`

func scanServiceAccount(row interface{ Scan(...any) error }) (store.ServiceAccount, error) {
	var (
		a                store.ServiceAccount
		active           int
		created, updated int64
		deleted          sql.NullInt64
	)
	if err := row.Scan(&a.ID, &a.ProjectID, &a.Name, &a.Description, &active, &created, &updated, &deleted); err != nil {
		return store.ServiceAccount{}, err
	}
	a.Active = active != 0
	a.CreatedAt = fromMicros(created)
	a.UpdatedAt = fromMicros(updated)
	a.DeletedAt = timePtr(deleted)
	return a, nil
}

// CreateServiceAccount implements store.ServiceAccountStore.
func (s *Store) CreateServiceAccount(ctx context.Context, a store.ServiceAccount, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO service_accounts (`+serviceAccountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.ProjectID, a.Name, a.Description, boolInt(a.Active),
			toMicros(a.CreatedAt), toMicros(a.UpdatedAt), nullMicros(a.DeletedAt)); err != nil {
			return fmt.Errorf("sqlite: create service account: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetServiceAccount implements store.ServiceAccountStore.
func (s *Store) GetServiceAccount(ctx context.Context, id string) (store.ServiceAccount, error) {
	a, err := scanServiceAccount(s.reader.QueryRowContext(ctx,
		`SELECT `+serviceAccountColumns+` FROM service_accounts WHERE id = ?`, id))
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("sqlite: get service account: %w", mapErr(err))
	}
	return a, nil
}

// GetServiceAccountByName implements store.ServiceAccountStore.
func (s *Store) GetServiceAccountByName(ctx context.Context, projectID, name string) (store.ServiceAccount, error) {
	a, err := scanServiceAccount(s.reader.QueryRowContext(ctx,
		`SELECT `+serviceAccountColumns+` FROM service_accounts
		 WHERE project_id = ? AND name = ? AND deleted_at IS NULL`, projectID, name))
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("sqlite: get service account by name: %w", mapErr(err))
	}
	return a, nil
}

// ListServiceAccounts implements store.ServiceAccountStore.
func (s *Store) ListServiceAccounts(ctx context.Context, f store.ServiceAccountFilter) ([]store.ServiceAccount, error) {
	where := []string{"project_id = ?", "deleted_at IS NULL"}
	args := []any{f.ProjectID}
	if f.Name != nil {
		where = append(where, "name = ?")
		args = append(args, *f.Name)
	}
	if f.NamePrefix != nil {
		where = append(where, "substr(name, 1, ?) = ?")
		args = append(args, len([]rune(*f.NamePrefix)), *f.NamePrefix)
	}
	if f.Active != nil {
		where = append(where, "active = ?")
		args = append(args, boolInt(*f.Active))
	}
	order := byCreatedAt
	if f.SortBy == store.SortByName {
		order = byName
	}
	where, args, tail := order.page(where, args, f.After, f.Descending, f.Limit)
	rows, err := s.reader.QueryContext(ctx,
		`SELECT `+serviceAccountColumns+` FROM service_accounts WHERE `+strings.Join(where, " AND ")+tail, args...)
	out, err := collect(rows, err, scanServiceAccount)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list service accounts: %w", err)
	}
	return out, nil
}

// UpdateServiceAccount implements store.ServiceAccountStore.
func (s *Store) UpdateServiceAccount(ctx context.Context, a store.ServiceAccount, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{ServiceAccountIDs: []string{a.ID}}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE service_accounts SET name = ?, description = ?, active = ?, updated_at = ?
			 WHERE id = ? AND deleted_at IS NULL`,
			a.Name, a.Description, boolInt(a.Active), toMicros(a.UpdatedAt), a.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update service account: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: update service account %s: %w", a.ID, store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteServiceAccount implements store.ServiceAccountStore.
func (s *Store) DeleteServiceAccount(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{ServiceAccountIDs: []string{id}}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE service_accounts SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
			toMicros(at), toMicros(at), id)
		if err != nil {
			return fmt.Errorf("sqlite: delete service account: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: delete service account %s: %w", id, store.ErrNotFound)
		}
		if err := revokeReturning(ctx, tx, ch,
			`UPDATE api_keys SET revoked_at = ?, updated_at = ?, version = version + 1 WHERE service_account_id = ? AND revoked_at IS NULL`,
			toMicros(at), toMicros(at), id); err != nil {
			return fmt.Errorf("sqlite: revoke service account keys: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}
