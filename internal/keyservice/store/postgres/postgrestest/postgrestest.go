// Package postgrestest gives each test its own empty schema on the PostgreSQL
// server named by KEYSERVICE_TEST_POSTGRES_DSN.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSNEnv names the variable holding the server's connection URL.
const DSNEnv = "KEYSERVICE_TEST_POSTGRES_DSN"

// howToRun is the advice given when no server is configured.
const howToRun = "run `make test-postgres` (starts a throwaway PostgreSQL server with .ci/postgres), " +
	"or set " + DSNEnv + "=postgres://user@host:port/db?sslmode=disable"

// NewSchema creates a uniquely named schema, drops it (with everything in
// it) when t ends, and returns a connection URL whose search_path is that
// schema, so a store opened on it starts empty and migrates from scratch.
// Every connection opened through the URL shares the schema, as replicas
// share a database.
//
// Without KEYSERVICE_TEST_POSTGRES_DSN the test is skipped, except in CI
// (CI=true), where a skipped PostgreSQL test would hide a broken setup:
// there it fails.
func NewSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(DSNEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: %s", DSNEnv, howToRun)
		}
		t.Skipf("PostgreSQL test skipped: %s is not set; %s", DSNEnv, howToRun)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", DSNEnv)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "kstest_" + hex.EncodeToString(b)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exec(ctx, t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		exec(ctx, t, base, "DROP SCHEMA "+schema+" CASCADE")
	})

	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("pool_max_conns") == "" {
		// Room for the concurrency tests' goroutines to hold a connection each.
		q.Set("pool_max_conns", "24")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(ctx context.Context, t testing.TB, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", redact(dsn), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", strings.Fields(sql)[0], err)
	}
}

// redact drops a password from a URL before it is logged.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
