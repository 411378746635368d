// Package sqlite is the embedded, single-file Store implementation.
//
// Writes go through one connection opened with BEGIN IMMEDIATE so that
// concurrent writers queue in Go instead of failing with SQLITE_BUSY; reads use
// a separate pool, which WAL mode lets run alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync/atomic"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	sqlite "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// Store is a store.Store backed by one SQLite database file.
type Store struct {
	writer *preparedDB
	reader *preparedDB
	// changed receives what each write changed: see credential_changes.go.
	changed atomic.Pointer[func(store.CredentialChange)]
}

var (
	_ store.Store = (*Store)(nil)
	_ store.Pool  = (*Store)(nil)
)

// Open opens (creating if needed) the database at path and applies pending
// migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	writer, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)

	s := &Store{writer: prepared(writer)}
	s.writer.afterExec = s.wrote
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}

	reader, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open reader: %w", err)
	}
	n := max(2, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	s.reader = prepared(reader)
	if err := reader.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: ping: %w", err)
	}
	return s, nil
}

func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Ping checks that both pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}

// inTxChanging runs fn in one write transaction, rolling back on error, and reports change
// (what the write changes of what verifications read) after it. A write that cannot say
// reports store.CredentialChange{All: true}.
func (s *Store) inTxChanging(ctx context.Context, change store.CredentialChange, fn func(tx *sql.Tx) error) error {
	defer s.report(change)
	return s.transact(ctx, fn)
}

func (s *Store) transact(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", mapErr(err))
	}
	return nil
}

// mapErr translates driver errors into the store sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlitelib.SQLITE_CONSTRAINT_UNIQUE, sqlitelib.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		}
	}
	return err
}

// PoolStats reports the writer's and the readers' connections together, for metrics.
func (s *Store) PoolStats() store.PoolStats {
	var out store.PoolStats
	for _, db := range []*preparedDB{s.writer, s.reader} {
		st := db.Stats()
		out.MaxConns += st.MaxOpenConnections
		out.OpenConns += st.OpenConnections
		out.InUse += st.InUse
		out.Idle += st.Idle
		out.WaitCount += st.WaitCount
		out.WaitDuration += st.WaitDuration
	}
	return out
}
