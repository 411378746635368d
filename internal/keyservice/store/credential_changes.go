package store

// CredentialChange says what one committed write changed of what GetCredential reads: the
// keys it revoked, disabled, rotated, rescoped or otherwise rewrote, and the projects and
// service accounts whose state decides whether their keys verify. All means anything may have
// changed. The zero value changes nothing.
type CredentialChange struct {
	All               bool
	KeyIDs            []string
	ProjectIDs        []string
	ServiceAccountIDs []string
}

// Empty reports whether c changes nothing.
func (c CredentialChange) Empty() bool {
	return !c.All && len(c.KeyIDs) == 0 && len(c.ProjectIDs) == 0 && len(c.ServiceAccountIDs) == 0
}

// CredentialChanges is implemented by a store that can tell the server about every write that
// changes what GetCredential answers, so that the server may keep successful verifications in
// memory and drop exactly what a write changed.
//
// The guarantee a store gives: once a write's call has returned (on this server, or on any
// other server of a shared store), the function given to WatchCredentials has been called with
// a change covering it on every server whose live() reported true at any moment after that
// return. A server keeps a verification in memory only while live() is true, and drops it when
// a change covers it; so a revocation done anywhere is in force for every verification that
// starts after it returned, as without the memory.
//
//   - SQLite: one server owns the file and sees every write: live() is always true, and the
//     change is delivered in the write's own call, after its commit. A write method that does
//     not say what it changed reports All.
//   - PostgreSQL, shared by replicas: every replica listens on a channel (LISTEN/NOTIFY) and
//     holds a short lease; a write that changes a credential notifies in its own transaction
//     and returns only when every replica holding a lease has acknowledged it or its lease has
//     run out; a replica whose channel is down, or whose lease has run out, reports live()
//     false and reads the database for every verification. See the postgres package.
//
// Every new write method of a store that changes what GetCredential reads must report its
// change; storetest's CredentialChanges test holds the existing ones to it.
type CredentialChanges interface {
	// WatchCredentials starts delivering changes to changed (called from the store's
	// goroutines, possibly at once from several) and returns live, which reports whether every
	// change so far has been delivered. It is called once, before the store serves; the store's
	// Close ends the watch.
	WatchCredentials(changed func(CredentialChange)) (live func() bool)
}
