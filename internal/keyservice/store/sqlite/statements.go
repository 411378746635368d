package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxPreparedStatements bounds the statement cache. The store's queries are fixed texts, plus
// the list queries built from whichever filters a request sets; far fewer than this in all.
const maxPreparedStatements = 256

// preparedDB is a pool that prepares each query text once and reuses the statement: SQLite
// spends more time parsing and planning a short lookup (a key by id or by hash) than running
// it. database/sql prepares a statement again on each pool connection that runs it.
// Everything but QueryRowContext, QueryContext and ExecContext is the *sql.DB's own.
type preparedDB struct {
	*sql.DB
	stmts sync.Map // query text → *sql.Stmt
	count atomic.Int64
	// afterExec, if set, runs after every ExecContext (the writer's: it reports the write).
	afterExec func()
}

func prepared(db *sql.DB) *preparedDB { return &preparedDB{DB: db} }

// stmt returns the prepared statement for query, preparing it on first use; nil when the cache
// is full or preparing fails, and the caller runs the query unprepared (which reports any
// error in it).
func (db *preparedDB) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt) //nolint:forcetypeassert // stmts holds only *sql.Stmt
	}
	if db.count.Load() >= maxPreparedStatements {
		return nil
	}
	st, err := db.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prior, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prior.(*sql.Stmt) //nolint:forcetypeassert // stmts holds only *sql.Stmt
	}
	db.count.Add(1)
	return st
}

func (db *preparedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

func (db *preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

func (db *preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.afterExec != nil {
		defer db.afterExec()
	}
	return db.exec(ctx, query, args...)
}

// exec is ExecContext without afterExec.
func (db *preparedDB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// Close closes the statements, then the pool.
func (db *preparedDB) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close() //nolint:forcetypeassert // stmts holds only *sql.Stmt
		return true
	})
	return db.DB.Close()
}
