package sqlite

import (
	"context"
	"database/sql"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

var _ store.CredentialChanges = (*Store)(nil)

// noCredentialChange is what a write reports that changes nothing verifications read: a
// creation, a rename of a project, an environment, an idempotency record, last_used_at.
var noCredentialChange = store.CredentialChange{}

// WatchCredentials implements store.CredentialChanges. Every write goes through this process's
// one writer connection (one keyserviced per database file, as with any embedded database), so
// reporting them here reports them all, and the store is always live.
func (s *Store) WatchCredentials(changed func(store.CredentialChange)) func() bool {
	s.changed.Store(&changed)
	return func() bool { return true }
}

// report delivers change after its write; it runs whether the write succeeded or not (a
// failed write changed nothing, and reporting it costs only a refill).
func (s *Store) report(change store.CredentialChange) {
	if f := s.changed.Load(); f != nil && !change.Empty() {
		(*f)(change)
	}
}

// wrote reports a write that did not say what it changed: anything may have.
func (s *Store) wrote() { s.report(store.CredentialChange{All: true}) }

// execChanging runs one write statement on the writer and reports change once it is done.
//
// Writes go through execChanging, ExecContext (reported as All when the statement, and with it
// its autocommit, is done) or a transaction (reported after the commit). A write through
// QueryRowContext, whose statement ends only at Scan, would be reported too early: a
// verification reading in between could keep what the write is about to change.
func (s *Store) execChanging(ctx context.Context, change store.CredentialChange, query string, args ...any) (sql.Result, error) {
	defer s.report(change)
	return s.writer.exec(ctx, query, args...)
}
