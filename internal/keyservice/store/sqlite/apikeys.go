package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const apiKeyColumns = `id, project_id, service_account_id, environment_id, name, description,
	key_prefix, key_hash, hash_version, scopes, active, expires_at, last_used_at, created_at,
	updated_at, revoked_at, replaced_by_key_id, grace_expires_at, rotation_interval_days,
	next_rotation_at, rotation_webhook_url, version`

func scanAPIKey(row interface{ Scan(...any) error }) (store.APIKey, error) {
	var (
		k                                          store.APIKey
		sa, env, replacedBy, webhook               sql.NullString
		scopes                                     string
		active                                     int
		expires, lastUsed, revoked, grace, nextRot sql.NullInt64
		interval                                   sql.NullInt64
		created, updated                           int64
	)
	if err := row.Scan(&k.ID, &k.ProjectID, &sa, &env, &k.Name, &k.Description,
		&k.KeyPrefix, &k.KeyHash, &k.HashVersion, &scopes, &active, &expires, &lastUsed, &created,
		&updated, &revoked, &replacedBy, &grace, &interval, &nextRot, &webhook, &k.Version); err != nil {
		return store.APIKey{}, err
	}
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return store.APIKey{}, fmt.Errorf("decode scopes of %s: %w", k.ID, err)
	}
	if k.Scopes == nil {
		k.Scopes = []string{}
	}
	k.ServiceAccountID = stringPtr(sa)
	k.EnvironmentID = stringPtr(env)
	k.Active = active != 0
	k.ExpiresAt = timePtr(expires)
	k.LastUsedAt = timePtr(lastUsed)
	k.CreatedAt = fromMicros(created)
	k.UpdatedAt = fromMicros(updated)
	k.RevokedAt = timePtr(revoked)
	k.ReplacedByKeyID = stringPtr(replacedBy)
	k.GraceExpiresAt = timePtr(grace)
	k.RotationIntervalDays = intPtr(interval)
	k.NextRotationAt = timePtr(nextRot)
	k.RotationWebhookURL = stringPtr(webhook)
	return k, nil
}

// encodeStrings is a list of strings as the TEXT columns hold it (scopes, projects): a JSON
// array, [] for nil.
func encodeStrings(list []string) (string, error) {
	if list == nil {
		list = []string{}
	}
	b, err := json.Marshal(list)
	return string(b), err
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertAPIKey(ctx context.Context, db execer, k store.APIKey) error {
	scopes, err := encodeStrings(k.Scopes)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		k.ID, k.ProjectID, nullString(k.ServiceAccountID), nullString(k.EnvironmentID), k.Name, k.Description,
		k.KeyPrefix, k.KeyHash, k.HashVersion, scopes, boolInt(k.Active), nullMicros(k.ExpiresAt),
		nullMicros(k.LastUsedAt), toMicros(k.CreatedAt), toMicros(k.UpdatedAt), nullMicros(k.RevokedAt),
		nullString(k.ReplacedByKeyID), nullMicros(k.GraceExpiresAt), nullInt(k.RotationIntervalDays),
		nullMicros(k.NextRotationAt), nullString(k.RotationWebhookURL))
	return mapErr(err)
}

// CreateAPIKey implements store.APIKeyStore.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey, ch store.Changes) error {
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		refs := []struct {
			table string
			id    *string
		}{{"service_accounts", k.ServiceAccountID}, {"environments", k.EnvironmentID}}
		for _, ref := range refs {
			if ref.id == nil {
				continue
			}
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+ref.table+` WHERE id = ? AND project_id = ? AND deleted_at IS NULL`,
				*ref.id, k.ProjectID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlite: create api key: %w", &store.MissingError{ID: *ref.id})
			}
			if err != nil {
				return fmt.Errorf("sqlite: create api key: %w", err)
			}
		}
		if err := insertAPIKey(ctx, tx, k); err != nil {
			return fmt.Errorf("sqlite: create api key: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// GetAPIKey implements store.APIKeyStore.
func (s *Store) GetAPIKey(ctx context.Context, id string) (store.APIKey, error) {
	k, err := scanAPIKey(s.reader.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
	if err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: get api key: %w", mapErr(err))
	}
	return k, nil
}

// GetCredential implements store.APIKeyStore: the key row plus two correlated subqueries, so a
// verification is one read.
func (s *Store) GetCredential(ctx context.Context, keyHash string) (store.Credential, error) {
	var (
		c                     store.Credential
		projectLive, saUsable int
	)
	row := s.reader.QueryRowContext(ctx, `SELECT `+apiKeyColumns+`,
		COALESCE((SELECT projects.deleted_at IS NULL FROM projects WHERE projects.id = api_keys.project_id), 0),
		CASE WHEN api_keys.service_account_id IS NULL THEN 1 ELSE COALESCE(
			(SELECT sa.active = 1 AND sa.deleted_at IS NULL FROM service_accounts sa WHERE sa.id = api_keys.service_account_id), 0) END
		FROM api_keys WHERE key_hash = ?`, keyHash)
	k, err := scanAPIKey(scanWithExtra{row, []any{&projectLive, &saUsable}})
	if err != nil {
		return store.Credential{}, fmt.Errorf("sqlite: get credential: %w", mapErr(err))
	}
	c.Key, c.ProjectLive, c.ServiceAccountUsable = k, projectLive == 1, saUsable == 1
	return c, nil
}

// scanWithExtra scans a row's leading columns as usual and its trailing ones into extra.
type scanWithExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanWithExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// ListDueAPIKeys implements store.APIKeyStore.
func (s *Store) ListDueAPIKeys(ctx context.Context, f store.DueAPIKeyFilter) ([]store.APIKey, error) {
	now := toMicros(f.Now)
	where := []string{
		"revoked_at IS NULL", "replaced_by_key_id IS NULL", "rotation_webhook_url IS NOT NULL",
		"next_rotation_at IS NOT NULL", "next_rotation_at <= ?", "(expires_at IS NULL OR expires_at > ?)",
	}
	args := []any{now, now}
	due := keyset{expr: "next_rotation_at", value: func(c *store.Cursor) any { return toMicros(c.Time) }}
	where, args, tail := due.page(where, args, f.After, false, f.Limit)
	rows, err := s.reader.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE `+strings.Join(where, " AND ")+tail, args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list due api keys: %w", err)
	}
	return out, nil
}

// noExpiry sorts keys that never expire after every key that does (the indexes' expression).
const noExpiry = "COALESCE(expires_at, 9223372036854775807)"

// ListAPIKeys implements store.APIKeyStore. Each condition is written so that an index
// answers it (migration 6): the name prefix and the expiry bound as ranges of the name and
// expiry indexes, the scope through api_key_scopes, the cursor as a row value that starts the
// index range where the page starts.
func (s *Store) ListAPIKeys(ctx context.Context, f store.APIKeyFilter) ([]store.APIKey, error) {
	query, args := listAPIKeysQuery(f)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list api keys: %w", err)
	}
	return out, nil
}

// listAPIKeysQuery is the query of one page and its arguments.
func listAPIKeysQuery(f store.APIKeyFilter) (string, []any) {
	project := "project_id = ?"
	if f.ServiceAccountID != nil || f.EnvironmentID != nil {
		// "+": the project's indexes would scan it; the account's or environment's own index
		// holds only its keys (which are all in one project).
		project = "+project_id = ?"
	}
	var (
		where = []string{project}
		args  = []any{f.ProjectID}
	)
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL", "replaced_by_key_id IS NULL")
	}
	if f.Name != nil {
		where = append(where, "name = ?")
		args = append(args, *f.Name)
	}
	if f.NamePrefix != nil {
		// substr instead of LIKE: no wildcard escaping, and case-sensitive; the range lets the
		// name index find the matches.
		where = append(where, "name >= ?", "substr(name, 1, ?) = ?")
		args = append(args, *f.NamePrefix, len([]rune(*f.NamePrefix)), *f.NamePrefix)
		if upper, ok := store.PrefixUpperBound(*f.NamePrefix); ok {
			where = append(where, "name < ?")
			args = append(args, upper)
		}
	}
	if f.Active != nil {
		where = append(where, "active = ?")
		args = append(args, boolInt(*f.Active))
	}
	from := "api_keys"
	scopeOrder := f.Scope != nil && f.SortBy != store.SortByName && f.SortBy != store.SortByExpiresAt
	switch {
	case scopeOrder:
		// The page is a range of the scope's rows in creation order, each joined to its key.
		from = "api_key_scopes CROSS JOIN api_keys"
		where = append(where, "key_project_id = ?", "scope = ?", "id = key_id")
		args = append(args, f.ProjectID, *f.Scope)
	case f.Scope != nil:
		where = append(where, "id IN (SELECT key_id FROM api_key_scopes WHERE key_project_id = ? AND scope = ?)")
		args = append(args, f.ProjectID, *f.Scope)
	}
	if f.ExpiresBefore != nil {
		where = append(where, noExpiry+" < ?")
		args = append(args, toMicros(*f.ExpiresBefore))
	}
	if f.ServiceAccountID != nil {
		where = append(where, "service_account_id = ?")
		args = append(args, *f.ServiceAccountID)
	}
	if f.EnvironmentID != nil {
		where = append(where, "environment_id = ?")
		args = append(args, *f.EnvironmentID)
	}

	var sortExpr string
	var cursorValue func(c *store.Cursor) any
	switch f.SortBy {
	case store.SortByName:
		sortExpr = "name"
		cursorValue = func(c *store.Cursor) any { return c.String }
	case store.SortByExpiresAt:
		sortExpr = noExpiry
		cursorValue = func(c *store.Cursor) any {
			if c.Null {
				return int64(math.MaxInt64)
			}
			return toMicros(c.Time)
		}
	default:
		sortExpr = "created_at"
		cursorValue = func(c *store.Cursor) any { return toMicros(c.Time) }
	}
	tie := "id"
	if scopeOrder {
		sortExpr, tie = "key_created_at", "key_id" // equal to the key's created_at and id
	}
	cmp, dir := ">", "ASC"
	if f.Descending {
		cmp, dir = "<", "DESC"
	}
	if f.After != nil {
		v := cursorValue(f.After)
		if otherIndex := (f.ExpiresBefore != nil && f.SortBy != store.SortByExpiresAt) ||
			(f.NamePrefix != nil && f.SortBy != store.SortByName) || f.ServiceAccountID != nil || f.EnvironmentID != nil; otherIndex {
			// The filter's index finds the rows (then sorted): "+" keeps the planner from
			// walking the sort order's index from the cursor to the project's end instead.
			where = append(where, fmt.Sprintf("(+%[1]s %[2]s ? OR (+%[1]s = ? AND +%[3]s %[2]s ?))", sortExpr, cmp, tie))
		} else {
			// The first term starts the index range (SQLite uses a row value on an expression
			// index only as a filter); the row value drops the ties already returned.
			where = append(where, fmt.Sprintf("%[1]s %[2]s= ? AND (%[1]s, %[3]s) %[2]s (?, ?)", sortExpr, cmp, tie))
		}
		args = append(args, v, v, f.After.ID)
	}
	query := `SELECT ` + apiKeyColumns + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY %[1]s %[2]s, %[3]s %[2]s LIMIT ?", sortExpr, dir, tie)
	return query, append(args, f.Limit)
}

// UpdateAPIKey implements store.APIKeyStore.
func (s *Store) UpdateAPIKey(ctx context.Context, k store.APIKey, ch store.Changes) error {
	scopes, err := encodeStrings(k.Scopes)
	if err != nil {
		return err
	}
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: []string{k.ID}}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET name = ?, description = ?, scopes = ?,
			active = ?, expires_at = ?, rotation_interval_days = ?, next_rotation_at = ?,
			rotation_webhook_url = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND (? = 0 OR version = ?) AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
			k.Name, k.Description, scopes, boolInt(k.Active), nullMicros(k.ExpiresAt),
			nullInt(k.RotationIntervalDays), nullMicros(k.NextRotationAt), nullString(k.RotationWebhookURL),
			toMicros(k.UpdatedAt), k.ID, k.Version, k.Version)
		if err != nil {
			return fmt.Errorf("sqlite: update api key: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: update api key %s: not live or not at version %d: %w", k.ID, k.Version, store.ErrConflict)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// RotateAPIKey implements store.APIKeyStore.
func (s *Store) RotateAPIKey(ctx context.Context, old, next store.APIKey, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: []string{old.ID}}, func(tx *sql.Tx) error {
		// The old key leaves the live set first so that the new key, which
		// keeps the name, passes the partial unique index.
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET replaced_by_key_id = ?, grace_expires_at = ?, updated_at = ?,
			version = version + 1
			WHERE id = ? AND (? = 0 OR version = ?) AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
			next.ID, nullMicros(old.GraceExpiresAt), toMicros(old.UpdatedAt), old.ID, old.Version, old.Version)
		if err != nil {
			return fmt.Errorf("sqlite: rotate api key: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: rotate api key %s: not live or not at version %d: %w", old.ID, old.Version, store.ErrConflict)
		}
		// replaced_by_key_id references the new row; foreign keys are checked
		// per statement, so insert it before that reference is validated...
		if err := insertAPIKey(ctx, tx, next); err != nil {
			return fmt.Errorf("sqlite: rotate api key: insert: %w", err)
		}
		return writeChanges(ctx, tx, ch)
	})
}

// RevokeAPIKeys implements store.APIKeyStore.
func (s *Store) RevokeAPIKeys(ctx context.Context, ids []string, at time.Time, ch store.Changes) error {
	return s.inTxChanging(ctx, store.CredentialChange{KeyIDs: ids}, func(tx *sql.Tx) error {
		for _, id := range ids {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE id = ?`, id).Scan(&one)
			if err == sql.ErrNoRows {
				return &store.MissingError{ID: id}
			}
			if err != nil {
				return fmt.Errorf("sqlite: revoke api keys: %w", err)
			}
			if err := revokeReturning(ctx, tx, ch,
				`UPDATE api_keys SET revoked_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND revoked_at IS NULL`,
				toMicros(at), toMicros(at), id); err != nil {
				return fmt.Errorf("sqlite: revoke api keys: %w", err)
			}
		}
		return writeChanges(ctx, tx, ch)
	})
}

// touchBatch is how many uses one UPDATE carries: two parameters each, well
// under SQLite's limit on bound parameters.
const touchBatch = 500

// TouchAPIKeys implements store.APIKeyStore: one transaction, one UPDATE … FROM
// (VALUES …) per touchBatch uses.
func (s *Store) TouchAPIKeys(ctx context.Context, uses []store.KeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	return s.inTxChanging(ctx, noCredentialChange, func(tx *sql.Tx) error {
		for len(uses) > 0 {
			batch := uses[:min(len(uses), touchBatch)]
			uses = uses[len(batch):]
			args := make([]any, 0, 2*len(batch))
			for _, u := range batch {
				args = append(args, u.ID, toMicros(u.At))
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(batch)), ", ")
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = v.column2
				FROM (VALUES `+values+`) AS v
				WHERE api_keys.id = v.column1 AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < v.column2)`,
				args...); err != nil {
				return fmt.Errorf("sqlite: touch api keys: %w", err)
			}
		}
		return nil
	})
}
