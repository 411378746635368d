package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const serviceAccountColumns = `id, project_id, name, description, active, created_at, updated_at, deleted_at`

func scanServiceAccount(row pgx.Row) (store.ServiceAccount, error) {
	var a store.ServiceAccount
	if err := row.Scan(&a.ID, &a.ProjectID, &a.Name, &a.Description, &a.Active,
		&a.CreatedAt, &a.UpdatedAt, &a.DeletedAt); err != nil {
		return store.ServiceAccount{}, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	a.UpdatedAt = a.UpdatedAt.UTC()
	a.DeletedAt = utc(a.DeletedAt)
	return a, nil
}

// CreateServiceAccount implements store.ServiceAccountStore.
func (s *Store) CreateServiceAccount(ctx context.Context, a store.ServiceAccount, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx,
			`INSERT INTO service_accounts (`+serviceAccountColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.ID, a.ProjectID, a.Name, a.Description, a.Active, ts(a.CreatedAt), ts(a.UpdatedAt), nullTS(a.DeletedAt)); err != nil {
			return fmt.Errorf("postgres: create service account: %w", mapErr(err))
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetServiceAccount implements store.ServiceAccountStore.
func (s *Store) GetServiceAccount(ctx context.Context, id string) (store.ServiceAccount, error) {
	a, err := scanServiceAccount(s.pool.QueryRow(ctx,
		`SELECT `+serviceAccountColumns+` FROM service_accounts WHERE id = $1`, id))
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("postgres: get service account: %w", mapErr(err))
	}
	return a, nil
}

// GetServiceAccountByName implements store.ServiceAccountStore.
func (s *Store) GetServiceAccountByName(ctx context.Context, projectID, name string) (store.ServiceAccount, error) {
	a, err := scanServiceAccount(s.pool.QueryRow(ctx, `SELECT `+serviceAccountColumns+` FROM service_accounts
		WHERE project_id = $1 AND name = $2 AND deleted_at IS NULL`, projectID, name))
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("postgres: get service account by name: %w", mapErr(err))
	}
	return a, nil
}

// ListServiceAccounts implements store.ServiceAccountStore.
func (s *Store) ListServiceAccounts(ctx context.Context, f store.ServiceAccountFilter) ([]store.ServiceAccount, error) {
	var args queryArgs
	where := []string{"project_id = " + args.add(f.ProjectID), "deleted_at IS NULL"}
	if f.Name != nil {
		where = append(where, "name = "+args.add(*f.Name))
	}
	if f.NamePrefix != nil {
		where = append(where, "starts_with(name, "+args.add(*f.NamePrefix)+")")
	}
	if f.Active != nil {
		where = append(where, "active = "+args.add(*f.Active))
	}
	by := store.SortByCreatedAt
	if f.SortBy == store.SortByName {
		by = store.SortByName
	}
	cond, orderBy := sortKeyFor(by).page(&args, f.After, f.Descending)
	if cond != "" {
		where = append(where, cond)
	}
	query := `SELECT ` + serviceAccountColumns + ` FROM service_accounts WHERE ` + strings.Join(where, " AND ") +
		orderBy + " LIMIT " + args.add(f.Limit)
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, scanServiceAccount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list service accounts: %w", err)
	}
	return out, nil
}

// UpdateServiceAccount implements store.ServiceAccountStore.
func (s *Store) UpdateServiceAccount(ctx context.Context, a store.ServiceAccount, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{ServiceAccountIDs: []string{a.ID}}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE service_accounts SET name = $1, description = $2, active = $3, updated_at = $4
			WHERE id = $5 AND deleted_at IS NULL`, a.Name, a.Description, a.Active, ts(a.UpdatedAt), a.ID)
		if err != nil {
			return fmt.Errorf("postgres: update service account: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: update service account: %w", store.ErrNotFound)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// DeleteServiceAccount implements store.ServiceAccountStore. The account's
// row lock is taken first, so a CreateAPIKey binding a key to it either
// commits before (and its key is revoked here) or finds it deleted.
func (s *Store) DeleteServiceAccount(ctx context.Context, id string, at time.Time, ch store.Changes) error {
	at = ts(at)
	return s.inTxChanging(ctx, store.CredentialChange{ServiceAccountIDs: []string{id}}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE service_accounts SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at, id)
		if err != nil {
			return fmt.Errorf("postgres: delete service account: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: delete service account: %w", store.ErrNotFound)
		}
		if err := revokeReturning(ctx, tx, ch,
			`UPDATE api_keys SET revoked_at = $1, updated_at = $1, version = version + 1 WHERE service_account_id = $2 AND revoked_at IS NULL`,
			at, id); err != nil {
			return fmt.Errorf("postgres: revoke service account keys: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}
