package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLock is the pg_advisory_xact_lock key that serialises migrations
// of replicas starting at the same time ("KSmigrat" in ASCII).
const migrationLock int64 = 0x4b53_6d69_6772_6174

// migrations are applied in order; a version, once released, never changes.
// Text columns that are sorted or compared with a cursor use the "C"
// collation so that order is bytewise, as in SQLite, whatever the database's
// locale.
var migrations = []struct {
	version int
	stmts   []string
}{
	{1, []string{
		`CREATE TABLE projects (
			id          text COLLATE "C" PRIMARY KEY,
			name        text NOT NULL,
			description text NOT NULL DEFAULT '',
			-- Sealed by the server (AES-GCM); opaque here.
			webhook_secret bytea,
			created_at  timestamptz NOT NULL,
			updated_at  timestamptz NOT NULL,
			deleted_at  timestamptz
		)`,
		`CREATE UNIQUE INDEX projects_live_name ON projects(name) WHERE deleted_at IS NULL`,
		`CREATE INDEX projects_created ON projects(created_at, id) WHERE deleted_at IS NULL`,
		`CREATE TABLE service_accounts (
			id          text COLLATE "C" PRIMARY KEY,
			project_id  text NOT NULL REFERENCES projects(id),
			name        text COLLATE "C" NOT NULL,
			description text NOT NULL DEFAULT '',
			active      boolean NOT NULL,
			created_at  timestamptz NOT NULL,
			updated_at  timestamptz NOT NULL,
			deleted_at  timestamptz
		)`,
		`CREATE UNIQUE INDEX service_accounts_live_name ON service_accounts(project_id, name) WHERE deleted_at IS NULL`,
		`CREATE INDEX service_accounts_project_created ON service_accounts(project_id, created_at, id) WHERE deleted_at IS NULL`,
		`CREATE TABLE environments (
			id          text COLLATE "C" PRIMARY KEY,
			project_id  text NOT NULL REFERENCES projects(id),
			name        text COLLATE "C" NOT NULL,
			description text NOT NULL DEFAULT '',
			created_at  timestamptz NOT NULL,
			updated_at  timestamptz NOT NULL,
			deleted_at  timestamptz
		)`,
		`CREATE UNIQUE INDEX environments_live_name ON environments(project_id, name) WHERE deleted_at IS NULL`,
		`CREATE INDEX environments_project_created ON environments(project_id, created_at, id) WHERE deleted_at IS NULL`,
		`CREATE TABLE api_keys (
			id                     text COLLATE "C" PRIMARY KEY,
			project_id             text NOT NULL REFERENCES projects(id),
			service_account_id     text,
			environment_id         text,
			name                   text COLLATE "C" NOT NULL,
			description            text NOT NULL DEFAULT '',
			key_prefix             text NOT NULL,
			key_hash               text NOT NULL,
			hash_version           integer NOT NULL,
			scopes                 text[] NOT NULL DEFAULT '{}',
			active                 boolean NOT NULL,
			expires_at             timestamptz,
			last_used_at           timestamptz,
			created_at             timestamptz NOT NULL,
			updated_at             timestamptz NOT NULL,
			revoked_at             timestamptz,
			replaced_by_key_id     text REFERENCES api_keys(id) DEFERRABLE INITIALLY DEFERRED,
			grace_expires_at       timestamptz,
			rotation_interval_days integer,
			next_rotation_at       timestamptz,
			rotation_webhook_url   text
		)`,
		`CREATE UNIQUE INDEX api_keys_hash ON api_keys(key_hash)`,
		`CREATE UNIQUE INDEX api_keys_live_name ON api_keys(project_id, name)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_project_created ON api_keys(project_id, created_at, id)`,
		`CREATE INDEX api_keys_next_rotation ON api_keys(next_rotation_at, id)
			WHERE next_rotation_at IS NOT NULL AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		// Deleting a service account revokes its keys; deleting an environment looks for bound keys.
		`CREATE INDEX api_keys_service_account ON api_keys(service_account_id) WHERE service_account_id IS NOT NULL`,
		`CREATE INDEX api_keys_environment ON api_keys(environment_id) WHERE environment_id IS NOT NULL`,
		`CREATE TABLE idempotency_records (
			principal    text NOT NULL,
			idem_key     text NOT NULL,
			request_hash bytea NOT NULL,
			status       integer NOT NULL,
			body         bytea NOT NULL,
			created_at   timestamptz NOT NULL,
			expires_at   timestamptz NOT NULL,
			PRIMARY KEY (principal, idem_key)
		)`,
		`CREATE INDEX idempotency_records_expires ON idempotency_records(expires_at)`,
	}},
	{2, []string{
		// Counts writes to a key: the API's ETag, and the condition of every read-modify-write.
		`ALTER TABLE api_keys ADD COLUMN version bigint NOT NULL DEFAULT 1`,
		// Sealed TOTP secret of a project that requires one-time codes; NULL when it does not.
		`ALTER TABLE projects ADD COLUMN otp_secret bytea`,
	}},
	{3, []string{
		// The audit trail: one row per change, written in the change's transaction.
		`CREATE TABLE audit_events (
			id             text COLLATE "C" PRIMARY KEY,
			occurred_at    timestamptz NOT NULL,
			project_id     text,
			actor_type     text NOT NULL,
			actor_id       text NOT NULL DEFAULT '',
			actor_name     text NOT NULL DEFAULT '',
			action         text NOT NULL,
			target_type    text NOT NULL,
			target_id      text NOT NULL DEFAULT '',
			target_name    text NOT NULL DEFAULT '',
			changes        text NOT NULL DEFAULT '{}',
			request_id     text NOT NULL DEFAULT '',
			client_address text NOT NULL DEFAULT '',
			outcome        text NOT NULL,
			status         integer NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX audit_events_project ON audit_events(project_id, occurred_at, id)`,
		`CREATE INDEX audit_events_occurred ON audit_events(occurred_at, id)`,
		`CREATE INDEX audit_events_target ON audit_events(target_id, occurred_at, id)`,
		// Lifecycle events waiting for the project's events webhook, claimed with a lease.
		`CREATE TABLE outbox_events (
			id              text COLLATE "C" PRIMARY KEY,
			project_id      text NOT NULL,
			type            text NOT NULL,
			payload         bytea NOT NULL,
			created_at      timestamptz NOT NULL,
			attempts        integer NOT NULL DEFAULT 0,
			next_attempt_at timestamptz NOT NULL,
			last_error      text NOT NULL DEFAULT '',
			delivered_at    timestamptz,
			failed_at       timestamptz,
			claimed_by      text,
			claimed_until   timestamptz
		)`,
		`CREATE INDEX outbox_events_due ON outbox_events(next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL`,
		`CREATE INDEX outbox_events_created ON outbox_events(created_at, id)`,
		`ALTER TABLE projects ADD COLUMN events_webhook_url text`,
		// The expires_at each expiry event was recorded for: once per key and expiry.
		`ALTER TABLE api_keys ADD COLUMN expiring_event_for timestamptz`,
		`ALTER TABLE api_keys ADD COLUMN expired_event_for timestamptz`,
		// Keys that expired before expiry events existed owe none.
		`UPDATE api_keys SET expired_event_for = expires_at WHERE expires_at <= now()`,
		`CREATE INDEX api_keys_expiry ON api_keys(expires_at, id) WHERE expires_at IS NOT NULL
			AND revoked_at IS NULL AND replaced_by_key_id IS NULL AND expired_event_for IS DISTINCT FROM expires_at`,
	}},
	{4, []string{
		// The last time step whose one-time code the project accepted: each code is taken once.
		`ALTER TABLE projects ADD COLUMN otp_last_step bigint`,
		// Failed one-time codes per project and credential, in a window from the first failure.
		`CREATE TABLE otp_failures (
			project_id        text NOT NULL,
			credential        text NOT NULL,
			window_started_at timestamptz NOT NULL,
			failures          integer NOT NULL,
			PRIMARY KEY (project_id, credential)
		)`,
		// The projects an idempotent request changed: its replay is authorised for them again.
		`ALTER TABLE idempotency_records ADD COLUMN projects text[] NOT NULL DEFAULT '{}'`,
	}},
	{5, []string{
		// Replicas' credential memory (credential_changes.go): the sequence number of the last
		// change notified, in one row whose lock orders the notifying transactions, and each
		// replica's lease and the last number it acknowledged.
		`CREATE TABLE keyservice_credential_head (
			one boolean PRIMARY KEY DEFAULT true CHECK (one),
			seq bigint NOT NULL
		)`,
		`INSERT INTO keyservice_credential_head (seq) VALUES (0)`,
		`CREATE TABLE keyservice_replicas (
			id               text PRIMARY KEY,
			lease_expires_at timestamptz NOT NULL,
			acked_seq        bigint NOT NULL
		)`,
	}},
	{6, []string{
		// Each filter and sort of a key list starts from an index that holds what it asks for,
		// so a page costs what it returns (or what matches), not the project (issue 19; the
		// plans on a million keys are in BENCHMARKS.md).
		`CREATE INDEX api_keys_live_created ON api_keys(project_id, created_at, id)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_live_disabled ON api_keys(project_id, created_at, id)
			WHERE NOT active AND revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_live_expiry ON api_keys(project_id, (COALESCE(expires_at, 'infinity'::timestamptz)), id)
			WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL`,
		`CREATE INDEX api_keys_project_expiry ON api_keys(project_id, (COALESCE(expires_at, 'infinity'::timestamptz)), id)`,
		`CREATE INDEX api_keys_project_name ON api_keys(project_id, name, id)`,
		// Scope membership: one row per key and scope, kept by a trigger from api_keys.scopes,
		// in creation order within a scope, so a page of the keys holding a scope is a range
		// (its columns are named apart from api_keys' so the two join without qualifying).
		`CREATE TABLE api_key_scopes (
			key_project_id text COLLATE "C" NOT NULL,
			scope          text COLLATE "C" NOT NULL,
			key_created_at timestamptz NOT NULL,
			key_id         text COLLATE "C" NOT NULL,
			PRIMARY KEY (key_project_id, scope, key_created_at, key_id)
		)`,
		`CREATE INDEX api_key_scopes_key ON api_key_scopes(key_id)`,
		`INSERT INTO api_key_scopes (key_project_id, scope, key_created_at, key_id)
			SELECT DISTINCT k.project_id, s.scope, k.created_at, k.id FROM api_keys k, unnest(k.scopes) AS s(scope)`,
		`CREATE FUNCTION keyservice_api_key_scopes() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'UPDATE' THEN
				DELETE FROM api_key_scopes WHERE key_id = OLD.id;
			END IF;
			INSERT INTO api_key_scopes (key_project_id, scope, key_created_at, key_id)
				SELECT DISTINCT NEW.project_id, s.scope, NEW.created_at, NEW.id FROM unnest(NEW.scopes) AS s(scope)
				ON CONFLICT DO NOTHING;
			RETURN NULL;
		END
		$$`,
		`CREATE TRIGGER api_keys_scopes AFTER INSERT OR UPDATE OF scopes ON api_keys
			FOR EACH ROW EXECUTE FUNCTION keyservice_api_key_scopes()`,
	}},
}

// migrate applies each pending migration in its own transaction. The
// transaction first takes the advisory lock, so a replica that starts while
// another migrates waits and then finds the version recorded. Creating
// schema_migrations happens under the lock too: CREATE TABLE IF NOT EXISTS
// alone is not safe against a concurrent twin.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	for _, m := range migrations {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    integer PRIMARY KEY,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`); err != nil {
				return err
			}
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`,
				m.version).Scan(&applied); err != nil {
				return err
			}
			if applied {
				return nil
			}
			for _, stmt := range m.stmts {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %d: %w", m.version, err)
		}
	}
	return nil
}
