package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

var (
	apiKeyColumnNames = []string{"id", "project_id", "service_account_id", "environment_id", "name", "description",
		"key_prefix", "key_hash", "hash_version", "scopes", "active", "expires_at", "last_used_at", "created_at",
		"updated_at", "revoked_at", "replaced_by_key_id", "grace_expires_at", "rotation_interval_days",
		"next_rotation_at", "rotation_webhook_url", "version"}
	apiKeyColumns = strings.Join(apiKeyColumnNames, ", ")
	// qualifiedAPIKeyColumns names the columns of api_keys AS k in a join.
	qualifiedAPIKeyColumns = "k." + strings.Join(apiKeyColumnNames, ", k.")
)

func scanAPIKey(row pgx.Row) (store.APIKey, error) {
	var k store.APIKey
	if err := row.Scan(apiKeyFields(&k)...); err != nil {
		return store.APIKey{}, err
	}
	normalizeAPIKey(&k)
	return k, nil
}

// apiKeyFields are the scan destinations of apiKeyColumns, in order.
func apiKeyFields(k *store.APIKey) []any {
	return []any{&k.ID, &k.ProjectID, &k.ServiceAccountID, &k.EnvironmentID, &k.Name, &k.Description,
		&k.KeyPrefix, &k.KeyHash, &k.HashVersion, &k.Scopes, &k.Active, &k.ExpiresAt, &k.LastUsedAt, &k.CreatedAt,
		&k.UpdatedAt, &k.RevokedAt, &k.ReplacedByKeyID, &k.GraceExpiresAt, &k.RotationIntervalDays,
		&k.NextRotationAt, &k.RotationWebhookURL, &k.Version}
}

func normalizeAPIKey(k *store.APIKey) {
	k.Scopes = nonNil(k.Scopes)
	k.ExpiresAt = utc(k.ExpiresAt)
	k.LastUsedAt = utc(k.LastUsedAt)
	k.CreatedAt = k.CreatedAt.UTC()
	k.UpdatedAt = k.UpdatedAt.UTC()
	k.RevokedAt = utc(k.RevokedAt)
	k.GraceExpiresAt = utc(k.GraceExpiresAt)
	k.NextRotationAt = utc(k.NextRotationAt)
}

func insertAPIKey(ctx context.Context, db pgx.Tx, k store.APIKey) error {
	_, err := db.Exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)`,
		k.ID, k.ProjectID, k.ServiceAccountID, k.EnvironmentID, k.Name, k.Description,
		k.KeyPrefix, k.KeyHash, k.HashVersion, nonNil(k.Scopes), k.Active, nullTS(k.ExpiresAt),
		nullTS(k.LastUsedAt), ts(k.CreatedAt), ts(k.UpdatedAt), nullTS(k.RevokedAt),
		k.ReplacedByKeyID, nullTS(k.GraceExpiresAt), k.RotationIntervalDays,
		nullTS(k.NextRotationAt), k.RotationWebhookURL)
	return mapErr(err)
}

// CreateAPIKey implements store.APIKeyStore. The service account and
// environment rows are locked FOR SHARE until the key is committed: a
// concurrent delete of either waits, then sees (and revokes, or refuses
// because of) the new key.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey, ch store.Changes) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, ref := range []struct {
			table string
			id    *string
		}{{"service_accounts", k.ServiceAccountID}, {"environments", k.EnvironmentID}} {
			if ref.id == nil {
				continue
			}
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM `+ref.table+`
				WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL FOR SHARE`, *ref.id, k.ProjectID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgres: create api key: %w", &store.MissingError{ID: *ref.id})
			}
			if err != nil {
				return fmt.Errorf("postgres: create api key: %w", err)
			}
		}
		if err := insertAPIKey(ctx, tx, k); err != nil {
			return fmt.Errorf("postgres: create api key: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetAPIKey implements store.APIKeyStore.
func (s *Store) GetAPIKey(ctx context.Context, id string) (store.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id))
	if err != nil {
		return store.APIKey{}, fmt.Errorf("postgres: get api key: %w", mapErr(err))
	}
	return k, nil
}

// GetCredential implements store.APIKeyStore.
func (s *Store) GetCredential(ctx context.Context, keyHash string) (store.Credential, error) {
	var c store.Credential
	dest := append(apiKeyFields(&c.Key), &c.ProjectLive, &c.ServiceAccountUsable)
	err := s.pool.QueryRow(ctx, `SELECT `+qualifiedAPIKeyColumns+`,
			p.deleted_at IS NULL,
			k.service_account_id IS NULL OR COALESCE(sa.deleted_at IS NULL AND sa.active, false)
		FROM api_keys k
		JOIN projects p ON p.id = k.project_id
		LEFT JOIN service_accounts sa ON sa.id = k.service_account_id
		WHERE k.key_hash = $1`, keyHash).Scan(dest...)
	if err != nil {
		return store.Credential{}, fmt.Errorf("postgres: get credential: %w", mapErr(err))
	}
	normalizeAPIKey(&c.Key)
	return c, nil
}

// ListAPIKeys implements store.APIKeyStore.
func (s *Store) ListAPIKeys(ctx context.Context, f store.APIKeyFilter) ([]store.APIKey, error) {
	query, args := listAPIKeysQuery(f)
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list api keys: %w", err)
	}
	return out, nil
}

// ExplainListAPIKeys returns PostgreSQL's plan of the query ListAPIKeys runs for f, with what
// running it cost (EXPLAIN ANALYZE): make bench prints it for a store of a million keys.
func (s *Store) ExplainListAPIKeys(ctx context.Context, f store.APIKeyFilter) (string, error) {
	query, args := listAPIKeysQuery(f)
	rows, err := s.pool.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "+query, args...)
	lines, err := collect(rows, err, func(r pgx.Row) (string, error) {
		var line string
		return line, r.Scan(&line)
	})
	if err != nil {
		return "", fmt.Errorf("postgres: explain list api keys: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}

// listAPIKeysQuery is the query of one page and its arguments.
func listAPIKeysQuery(f store.APIKeyFilter) (string, []any) {
	var args queryArgs
	where := []string{"project_id = " + args.add(f.ProjectID)}
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL", "replaced_by_key_id IS NULL")
	}
	if f.Name != nil {
		where = append(where, "name = "+args.add(*f.Name))
	}
	if f.NamePrefix != nil {
		// starts_with instead of LIKE: no wildcard escaping, and case-sensitive; the range lets
		// the name indexes find the matches.
		p := args.add(*f.NamePrefix)
		where = append(where, "name >= "+p, "starts_with(name, "+p+")")
		if upper, ok := store.PrefixUpperBound(*f.NamePrefix); ok {
			where = append(where, "name < "+args.add(upper))
		}
	}
	if f.Active != nil {
		where = append(where, "active = "+args.add(*f.Active))
	}
	from := "api_keys"
	scopeOrder := f.Scope != nil && f.SortBy != store.SortByName && f.SortBy != store.SortByExpiresAt
	switch {
	case scopeOrder:
		// The page is a range of the scope's rows in creation order, each joined to its key.
		from = "api_key_scopes JOIN api_keys ON id = key_id"
		where = append(where, "key_project_id = "+args.add(f.ProjectID), "scope = "+args.add(*f.Scope))
	case f.Scope != nil:
		where = append(where, "id IN (SELECT key_id FROM api_key_scopes WHERE key_project_id = "+args.add(f.ProjectID)+
			" AND scope = "+args.add(*f.Scope)+")")
	}
	if f.ExpiresBefore != nil {
		// The expression of the expiry indexes: a range of it.
		where = append(where, noExpiry+" < "+args.add(ts(*f.ExpiresBefore)))
	}
	if f.ServiceAccountID != nil {
		where = append(where, "service_account_id = "+args.add(*f.ServiceAccountID))
	}
	if f.EnvironmentID != nil {
		where = append(where, "environment_id = "+args.add(*f.EnvironmentID))
	}

	key := sortKeyFor(f.SortBy)
	if scopeOrder {
		key.expr, key.tie = "key_created_at", "key_id" // equal to the key's created_at and id
	}
	cond, orderBy := key.page(&args, f.After, f.Descending)
	if cond != "" {
		where = append(where, cond)
	}
	query := `SELECT ` + apiKeyColumns + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		orderBy + " LIMIT " + args.add(f.Limit)
	return query, args
}

// ListDueAPIKeys implements store.APIKeyStore.
func (s *Store) ListDueAPIKeys(ctx context.Context, f store.DueAPIKeyFilter) ([]store.APIKey, error) {
	now := ts(f.Now)
	args := queryArgs{now}
	query := `SELECT ` + apiKeyColumns + ` FROM api_keys
		WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= $1
		AND revoked_at IS NULL AND replaced_by_key_id IS NULL
		AND (expires_at IS NULL OR expires_at > $1)
		AND rotation_webhook_url IS NOT NULL`
	if f.After != nil {
		query += ` AND (next_rotation_at, id) > (` + args.add(ts(f.After.Time)) + `, ` + args.add(f.After.ID) + `)`
	}
	query += ` ORDER BY next_rotation_at, id LIMIT ` + args.add(f.Limit)
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list due api keys: %w", err)
	}
	return out, nil
}

// UpdateAPIKey implements store.APIKeyStore.
func (s *Store) UpdateAPIKey(ctx context.Context, k store.APIKey, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: []string{k.ID}}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET name = $1, description = $2, scopes = $3,
			active = $4, expires_at = $5, rotation_interval_days = $6, next_rotation_at = $7,
			rotation_webhook_url = $8, updated_at = $9, version = version + 1
			WHERE id = $10 AND ($11::bigint = 0 OR version = $11::bigint) AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
			k.Name, k.Description, nonNil(k.Scopes), k.Active, nullTS(k.ExpiresAt),
			k.RotationIntervalDays, nullTS(k.NextRotationAt), k.RotationWebhookURL, ts(k.UpdatedAt), k.ID, k.Version)
		if err != nil {
			return fmt.Errorf("postgres: update api key: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: update api key %s: not live or not at version %d: %w", k.ID, k.Version, store.ErrConflict)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// RotateAPIKey implements store.APIKeyStore. Two replicas rotating the same
// key serialise on its row lock; under READ COMMITTED the second re-checks
// the WHERE clause against the committed row, finds it replaced and updates
// nothing, which is its ErrConflict.
func (s *Store) RotateAPIKey(ctx context.Context, old, next store.APIKey, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: []string{old.ID}}, func(tx pgx.Tx) error {
		// The old key leaves the live set first so that the new key, which
		// keeps the name, passes the partial unique index.
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET replaced_by_key_id = $1, grace_expires_at = $2, updated_at = $3,
			version = version + 1
			WHERE id = $4 AND ($5::bigint = 0 OR version = $5::bigint) AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
			next.ID, nullTS(old.GraceExpiresAt), ts(old.UpdatedAt), old.ID, old.Version)
		if err != nil {
			return fmt.Errorf("postgres: rotate api key: %w", mapErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: rotate api key %s: not live or not at version %d: %w", old.ID, old.Version, store.ErrConflict)
		}
		// The reference to the new row is checked at commit (DEFERRABLE).
		if err := insertAPIKey(ctx, tx, next); err != nil {
			return fmt.Errorf("postgres: rotate api key: insert: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// RevokeAPIKeys implements store.APIKeyStore.
func (s *Store) RevokeAPIKeys(ctx context.Context, ids []string, at time.Time, ch store.Changes) error {
	at = ts(at)
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: ids}, func(tx pgx.Tx) error {
		// The first missing id in the caller's order is the one reported.
		var missing string
		err := tx.QueryRow(ctx, `SELECT u.id FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n)
			WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = u.id) ORDER BY u.n LIMIT 1`, ids).Scan(&missing)
		switch {
		case err == nil:
			return &store.MissingError{ID: missing}
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: revoke api keys: %w", err)
		}
		if err := revokeReturning(ctx, tx, ch,
			`UPDATE api_keys SET revoked_at = $1, updated_at = $1, version = version + 1 WHERE id = ANY($2) AND revoked_at IS NULL`,
			at, ids); err != nil {
			return fmt.Errorf("postgres: revoke api keys: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// TouchAPIKeys implements store.APIKeyStore in one statement. The rows are
// locked in id order first (FOR UPDATE after ORDER BY locks in that order),
// so two replicas flushing overlapping batches queue instead of deadlocking;
// the condition is re-checked once the lock is held, so last_used_at only
// moves forward.
func (s *Store) TouchAPIKeys(ctx context.Context, uses []store.KeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	ids := make([]string, len(uses))
	ats := make([]time.Time, len(uses))
	for i, u := range uses {
		ids[i], ats[i] = u.ID, ts(u.At)
	}
	_, err := s.pool.Exec(ctx, `WITH u AS (
			SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
		), locked AS (
			SELECT k.id, u.at FROM api_keys k JOIN u ON u.id = k.id
			WHERE k.last_used_at IS NULL OR k.last_used_at < u.at
			ORDER BY k.id
			FOR UPDATE OF k
		)
		UPDATE api_keys k SET last_used_at = locked.at FROM locked WHERE k.id = locked.id`, ids, ats)
	if err != nil {
		return fmt.Errorf("postgres: touch api keys: %w", err)
	}
	return nil
}
