package store

// Changes are the records a write keeps beside the change it makes, in the same transaction:
// the audit events that say who changed what, and the lifecycle events the outbox delivers
// to the project's events webhook. Every method that changes a project, service account,
// environment or key takes one and writes it after the change's own statements; a write that
// changes nothing (an error, a condition that no longer holds) writes none of it, and a failure
// to write it undoes the change. So a committed change has its events, and an event always
// names a committed change. (A key's use, TouchAPIKeys, and idempotency records are no changes.)
//
// An outbox event of a project that has no events webhook URL when the transaction runs is
// not written: nobody would receive it.
type Changes struct {
	Audit  []AuditEvent
	Outbox []OutboxEvent
	// ForRevokedKey, when set, is called inside the transaction for every key the write
	// revokes (a revocation, or the deletion of the key's service account or project), with
	// the key as revoked; the Changes it returns are written too. A key that was revoked
	// already is not revoked again, and not passed.
	ForRevokedKey func(APIKey) Changes
}

// IsZero reports whether ch records nothing.
func (ch Changes) IsZero() bool {
	return len(ch.Audit) == 0 && len(ch.Outbox) == 0 && ch.ForRevokedKey == nil
}

// Add appends other's events to ch's (ForRevokedKey stays ch's).
func (ch Changes) Add(other Changes) Changes {
	ch.Audit = append(ch.Audit, other.Audit...)
	ch.Outbox = append(ch.Outbox, other.Outbox...)
	return ch
}
