// Package seed fills a store with keys straight through SQL, for the growth benchmarks (make
// bench and the store packages' list benchmarks): a million keys through the API would take
// longer than the measurement. The keys are the shape real ones have (names, scopes, some
// disabled, revoked or expiring) with random hashes that no secret matches: they make the
// tables and indexes as large as a real store's, and no verification presents them.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Batch is how many keys one statement inserts.
const Batch = 50_000

// Shape, for key number i (from 0): name "fill-<i>", scopes ["read"] and, every third key,
// "deploy:write"; every seventh disabled; every second expiring (i hours after base); every
// twentieth revoked. Created one microsecond apart, ending before base.

// SQLite inserts n keys into project (which must exist) of the SQLite database db.
func SQLite(ctx context.Context, db *sql.DB, project string, n int, base time.Time) error {
	b := base.UnixMicro()
	for from := 0; from < n; from += Batch {
		to := min(n, from+Batch)
		_, err := db.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO api_keys (id, project_id, name, description, key_prefix, key_hash, hash_version, scopes, active,
				expires_at, created_at, updated_at, revoked_at, version)
			SELECT printf('key_fill%012d', i), ?, printf('fill-%09d', i), '', 'ks_fill', lower(hex(randomblob(32))), 1,
				CASE WHEN i % 3 = 0 THEN '["read","deploy:write"]' ELSE '["read"]' END, i % 7 != 0,
				CASE WHEN i % 2 = 0 THEN ? + i * 3600000000 END, ? - ? + i, ?, CASE WHEN i % 20 = 0 THEN ? END, 1
			FROM seq`, from, to, project, b, b, n, b, b)
		if err != nil {
			return fmt.Errorf("seed keys %d to %d: %w", from, to, err)
		}
	}
	return nil
}

// Postgres inserts n keys into project (which must exist) of the PostgreSQL schema pool uses,
// and analyzes the tables, as autovacuum would after such a load.
func Postgres(ctx context.Context, pool *pgxpool.Pool, project string, n int, base time.Time) error {
	for from := 0; from < n; from += Batch {
		to := min(n, from+Batch)
		_, err := pool.Exec(ctx, `INSERT INTO api_keys (id, project_id, name, description, key_prefix, key_hash, hash_version,
				scopes, active, expires_at, created_at, updated_at, revoked_at, version)
			SELECT 'key_fill' || lpad(i::text, 12, '0'), $1, 'fill-' || lpad(i::text, 9, '0'), '', 'ks_fill',
				md5(random()::text) || md5(random()::text), 1,
				CASE WHEN i % 3 = 0 THEN ARRAY['read', 'deploy:write'] ELSE ARRAY['read'] END, i % 7 != 0,
				CASE WHEN i % 2 = 0 THEN $2::timestamptz + i * interval '1 hour' END,
				$2::timestamptz - ($3 - i) * interval '1 microsecond', $2, CASE WHEN i % 20 = 0 THEN $2::timestamptz END, 1
			FROM generate_series($4::bigint, $5::bigint - 1) AS i`, project, base, n, from, to)
		if err != nil {
			return fmt.Errorf("seed keys %d to %d: %w", from, to, err)
		}
	}
	_, err := pool.Exec(ctx, `ANALYZE api_keys; ANALYZE api_key_scopes`)
	return err
}
