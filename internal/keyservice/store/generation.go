package store

// WriteGenerations is implemented by a store that sees every write made to its data: the
// SQLite store, which one server owns. WriteGeneration changes after every write that can
// change whether a key verifies or what its verification answers (revocation, an update, a
// rotation, a project or service account deleted or disabled, …), before the write's call
// returns; writes of last_used_at alone (TouchAPIKeys) leave it as it is.
//
// The server keeps the credentials of successful verifications in memory while the
// generation stands still, and reads the store again as soon as it moves. A store shared by
// several servers (PostgreSQL) must not implement it: another server's revocation would not
// move this server's generation.
type WriteGenerations interface {
	WriteGeneration() uint64
}
