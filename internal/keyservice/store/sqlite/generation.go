package sqlite

import "github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"

var _ store.WriteGenerations = (*Store)(nil)

// WriteGeneration implements store.WriteGenerations. Every write goes through this process's
// one writer connection (one keyserviced per database file, as with any embedded database), so
// counting them here counts them all.
func (s *Store) WriteGeneration() uint64 { return s.generation.Load() }

// wrote moves the generation. It runs after every write statement and transaction, whether it
// succeeded or not: a spurious move costs only a cache refill.
func (s *Store) wrote() { s.generation.Add(1) }

// Writes on the writer pool go through ExecContext (counted when the statement, and with it its
// autocommit, is done) or inTx (counted after the commit). A write through QueryRowContext,
// whose statement ends only at Scan, would be counted too early: the generation could move
// before the write is visible, and a verification read in between would be cached as current.
