package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order; a version, once released, never changes.
var migrations = []struct {
	version int
	stmts   []string
}{
	{1, []string{
		`CREATE TABLE projects (
			id          TEXT PRIMARY KEY,
			name        TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			created_at  INTEGER NOT NULL,
			updated_at  INTEGER NOT NULL,
			deleted_at  INTEGER
		)`,
		`CREATE UNIQUE INDEX projects_live_name ON projects(name) WHERE deleted_at IS NULL`,
		`CREATE INDEX projects_created ON projects(created_at, id) WHERE deleted_at IS NULL`,
		`CREATE TABLE api_keys (
			id                     TEXT PRIMARY KEY,
			project_id             TEXT NOT NULL REFERENCES projects(id),
			service_account_id     TEXT,
			environment_id         TEXT,
			name                   TEXT NOT NULL,
			description            TEXT NOT NULL DEFAULT '',
			key_prefix             TEXT NOT NULL,
			key_hash               TEXT NOT NULL,
			hash_version           INTEGER NOT NULL,
			scopes                 TEXT NOT NULL DEFAULT '[]',
			active                 INTEGER NOT NULL,
			expires_at             INTEGER,
			last_used_at           INTEGER,
			created_at             INTEGER NOT NULL,
			updated_at             INTEGER NOT NULL,
			revoked_at             INTEGER,
			replaced_by_key_id     TEXT REFERENCES api_keys(id) DEFERRABLE INITIALLY DEFERRED,
			grace_expires_at       INTEGER,
			rotation_interval_days INTEGER,
			next_rotation_at       INTEGER,
			rotation_webhook_url   TEXT
		)`,
		`CREATE UNIQUE INDEX api_keys_hash ON api_keys(key_hash)`,
		`CREATE UNIQUE INDEX api_keys_live_name ON api_keys(project_id, name)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_project_created ON api_keys(project_id, created_at, id)`,
		`CREATE INDEX api_keys_next_rotation ON api_keys(next_rotation_at)
			WHERE next_rotation_at IS NOT NULL AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE TABLE idempotency_records (
			principal    TEXT NOT NULL,
			idem_key     TEXT NOT NULL,
			request_hash BLOB NOT NULL,
			status       INTEGER NOT NULL,
			body         BLOB NOT NULL,
			created_at   INTEGER NOT NULL,
			expires_at   INTEGER NOT NULL,
			PRIMARY KEY (principal, idem_key)
		)`,
		`CREATE INDEX idempotency_records_expires ON idempotency_records(expires_at)`,
	}},
	{2, []string{
		// Sealed by the server (AES-GCM); NULL for projects created before version 2.
		`ALTER TABLE projects ADD COLUMN webhook_secret BLOB`,
		`CREATE TABLE service_accounts (
			id          TEXT PRIMARY KEY,
			project_id  TEXT NOT NULL REFERENCES projects(id),
			name        TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			active      INTEGER NOT NULL,
			created_at  INTEGER NOT NULL,
			updated_at  INTEGER NOT NULL,
			deleted_at  INTEGER
		)`,
		`CREATE UNIQUE INDEX service_accounts_live_name ON service_accounts(project_id, name) WHERE deleted_at IS NULL`,
		`CREATE INDEX service_accounts_project_created ON service_accounts(project_id, created_at, id) WHERE deleted_at IS NULL`,
		`CREATE TABLE environments (
			id          TEXT PRIMARY KEY,
			project_id  TEXT NOT NULL REFERENCES projects(id),
			name        TEXT NOT NULL,
			description TEXT NOT NULL DEFAULT '',
			created_at  INTEGER NOT NULL,
			updated_at  INTEGER NOT NULL,
			deleted_at  INTEGER
		)`,
		`CREATE UNIQUE INDEX environments_live_name ON environments(project_id, name) WHERE deleted_at IS NULL`,
		`CREATE INDEX environments_project_created ON environments(project_id, created_at, id) WHERE deleted_at IS NULL`,
		// Deleting a service account revokes its keys; deleting an environment looks for bound keys.
		`CREATE INDEX api_keys_service_account ON api_keys(service_account_id) WHERE service_account_id IS NOT NULL`,
		`CREATE INDEX api_keys_environment ON api_keys(environment_id) WHERE environment_id IS NOT NULL`,
	}},
	{3, []string{
		// Counts writes to a key: the API's ETag, and the condition of every read-modify-write.
		`ALTER TABLE api_keys ADD COLUMN version INTEGER NOT NULL DEFAULT 1`,
		// Sealed TOTP secret of a project that requires one-time codes; NULL when it does not.
		`ALTER TABLE projects ADD COLUMN otp_secret BLOB`,
	}},
	{4, []string{
		// The audit trail: one row per change, written in the change's transaction.
		`CREATE TABLE audit_events (
			id             TEXT PRIMARY KEY,
			occurred_at    INTEGER NOT NULL,
			project_id     TEXT,
			actor_type     TEXT NOT NULL,
			actor_id       TEXT NOT NULL DEFAULT '',
			actor_name     TEXT NOT NULL DEFAULT '',
			action         TEXT NOT NULL,
			target_type    TEXT NOT NULL,
			target_id      TEXT NOT NULL DEFAULT '',
			target_name    TEXT NOT NULL DEFAULT '',
			changes        TEXT NOT NULL DEFAULT '{}',
			request_id     TEXT NOT NULL DEFAULT '',
			client_address TEXT NOT NULL DEFAULT '',
			outcome        TEXT NOT NULL,
			status         INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX audit_events_project ON audit_events(project_id, occurred_at, id)`,
		`CREATE INDEX audit_events_occurred ON audit_events(occurred_at, id)`,
		`CREATE INDEX audit_events_target ON audit_events(target_id, occurred_at, id)`,
		// Lifecycle events waiting for the project's events webhook, claimed with a lease.
		`CREATE TABLE outbox_events (
			id              TEXT PRIMARY KEY,
			project_id      TEXT NOT NULL,
			type            TEXT NOT NULL,
			payload         BLOB NOT NULL,
			created_at      INTEGER NOT NULL,
			attempts        INTEGER NOT NULL DEFAULT 0,
			next_attempt_at INTEGER NOT NULL,
			last_error      TEXT NOT NULL DEFAULT '',
			delivered_at    INTEGER,
			failed_at       INTEGER,
			claimed_by      TEXT,
			claimed_until   INTEGER
		)`,
		`CREATE INDEX outbox_events_due ON outbox_events(next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL`,
		`CREATE INDEX outbox_events_created ON outbox_events(created_at, id)`,
		`ALTER TABLE projects ADD COLUMN events_webhook_url TEXT`,
		// The expires_at each expiry event was recorded for: once per key and expiry.
		`ALTER TABLE api_keys ADD COLUMN expiring_event_for INTEGER`,
		`ALTER TABLE api_keys ADD COLUMN expired_event_for INTEGER`,
		// Keys that expired before expiry events existed owe none.
		`UPDATE api_keys SET expired_event_for = expires_at
			WHERE expires_at IS NOT NULL AND expires_at <= CAST(strftime('%s', 'now') AS INTEGER) * 1000000`,
		`CREATE INDEX api_keys_expiry ON api_keys(expires_at, id) WHERE expires_at IS NOT NULL
			AND revoked_at IS NULL AND replaced_by_key_id IS NULL AND expired_event_for IS NOT expires_at`,
	}},
	{5, []string{
		// The last time step whose one-time code the project accepted: each code is taken once.
		`ALTER TABLE projects ADD COLUMN otp_last_step INTEGER`,
		// Failed one-time codes per project and credential, in a window from the first failure.
		`CREATE TABLE otp_failures (
			project_id        TEXT NOT NULL,
			credential        TEXT NOT NULL,
			window_started_at INTEGER NOT NULL,
			failures          INTEGER NOT NULL,
			PRIMARY KEY (project_id, credential)
		)`,
		// The projects an idempotent request changed (a JSON array): its replay is authorised again.
		`ALTER TABLE idempotency_records ADD COLUMN projects TEXT NOT NULL DEFAULT '[]'`,
	}},
	{6, []string{
		// Each filter and sort of a key list starts from an index that holds what it asks for,
		// so a page costs what it returns (or what matches), not the project (issue 19;
		// EXPLAIN QUERY PLAN in list_plan_test.go, figures in BENCHMARKS.md).
		// Live keys by creation (the default list), without the revoked ones in the way.
		`CREATE INDEX api_keys_live_created ON api_keys(project_id, created_at, id)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		// Disabled live keys (active=false).
		`CREATE INDEX api_keys_live_disabled ON api_keys(project_id, created_at, id)
			WHERE active = 0 AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		// By expiry, keys that never expire last (sort_by=expires_at; expires_before is a range of it).
		`CREATE INDEX api_keys_live_expiry ON api_keys(project_id, COALESCE(expires_at, 9223372036854775807), id)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_project_expiry ON api_keys(project_id, COALESCE(expires_at, 9223372036854775807), id)`,
		// By name with revoked and replaced keys (live keys have api_keys_live_name); name_prefix is a range of either.
		`CREATE INDEX api_keys_project_name ON api_keys(project_id, name, id)`,
		// Scope membership: one row per key and scope, kept by triggers from api_keys.scopes,
		// in creation order within a scope, so a page of the keys holding a scope is a range
		// (its columns are named apart from api_keys' so the two join without qualifying).
		`CREATE TABLE api_key_scopes (
			key_project_id TEXT NOT NULL,
			scope          TEXT NOT NULL,
			key_created_at INTEGER NOT NULL,
			key_id         TEXT NOT NULL,
			PRIMARY KEY (key_project_id, scope, key_created_at, key_id)
		) WITHOUT ROWID`,
		`CREATE INDEX api_key_scopes_key ON api_key_scopes(key_id)`,
		`INSERT INTO api_key_scopes (key_project_id, scope, key_created_at, key_id)
			SELECT DISTINCT k.project_id, s.value, k.created_at, k.id FROM api_keys k, json_each(k.scopes) s`,
		`CREATE TRIGGER api_keys_scopes_insert AFTER INSERT ON api_keys BEGIN
			INSERT OR IGNORE INTO api_key_scopes (key_project_id, scope, key_created_at, key_id)
				SELECT new.project_id, value, new.created_at, new.id FROM json_each(new.scopes);
		END`,
		`CREATE TRIGGER api_keys_scopes_update AFTER UPDATE OF scopes ON api_keys BEGIN
			DELETE FROM api_key_scopes WHERE key_id = old.id;
			INSERT OR IGNORE INTO api_key_scopes (key_project_id, scope, key_created_at, key_id)
				SELECT new.project_id, value, new.created_at, new.id FROM json_each(new.scopes);
		END`,
	}},
}

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }() // after Commit, a no-op
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range m.stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`,
				m.version, time.Now().UnixMicro()); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("sqlite: migration %d: %w", m.version, err)
		}
	}
	return nil
}
