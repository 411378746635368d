// Package postgres is the Store implementation for running several keyserviced
// replicas on one shared PostgreSQL database.
//
// Every replica keeps its state in the database. What makes a key unusable
// (revoked_at, active, replaced_by_key_id, its project, its service account)
// is read from the database, or from a replica's memory of a successful
// verification only while the replica holds a lease and a live channel that
// every change is notified on, so a change committed by one replica holds on
// all of them once its call returns (credential_changes.go).
// Conditional writes (WHERE revoked_at IS NULL AND replaced_by_key_id IS NULL)
// under row locks decide races between replicas: the loser sees ErrConflict.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Store is a store.Store backed by a pool of PostgreSQL connections.
type Store struct {
	pool *pgxpool.Pool
	// channel, replica and lease serve the replicas' credential memory (credential_changes.go).
	channel, replica string
	lease            time.Duration
	watchMu          sync.Mutex
	watch            *credentialWatch
}

var (
	_ store.Store = (*Store)(nil)
	_ store.Pool  = (*Store)(nil)
)

// Open connects to the database named by dsn (a postgres:// URL or a libpq
// keyword/value string; pool settings such as pool_max_conns are accepted) and
// applies pending migrations. Replicas may call Open at the same time: the
// migrations run under an advisory lock.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{lease: DefaultCredentialLease}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN, password included.
		return nil, errors.New("postgres: invalid connection string")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: current schema: %w", err)
	}
	return &Store{pool: pool, channel: channelName(schema), replica: newReplicaID(), lease: o.lease}, nil
}

// Ping checks that a connection to the database can be used.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.closeWatch()
	s.pool.Close()
	return nil
}

// inTx runs fn in one transaction, rolling back on error.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", mapErr(err))
	}
	return nil
}

// collect scans every row of a query; err is the query's own error.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// mapErr translates driver errors into the store sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}

// uniqueViolation is SQLSTATE 23505.
const uniqueViolation = "23505"

// PoolStats reports the connection pool, for metrics.
func (s *Store) PoolStats() store.PoolStats {
	st := s.pool.Stat()
	return store.PoolStats{
		MaxConns: int(st.MaxConns()), OpenConns: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime(),
	}
}
