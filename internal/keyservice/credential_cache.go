package keyservice

import (
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// maxCachedCredentials bounds the cache: a full cache is emptied and fills again.
const maxCachedCredentials = 50_000

// credentialCache keeps the store's answer for keys that verified, by key hash, for a store
// that reports what its writes change (store.CredentialChanges). A write that revokes,
// disables, rotates or rescopes a key drops that key's entry; one that deletes a project or
// disables or deletes a service account drops the entries of its keys; any other write (a
// project renamed, a key created, an idempotency record) drops nothing. The store delivers the
// change before the write's call returns, on every server (see store.CredentialChanges), so a
// revocation is in force for every verification that starts after it returned, as without the
// cache; what the cache saves is the indexed read that, with request parsing, is most of a
// verification's cost. While the store cannot vouch for its deliveries (live() false: a
// PostgreSQL replica whose channel is down or whose lease ran out), nothing is served from
// memory and nothing is kept.
//
// A verification that read the store while a change was being delivered keeps nothing: put
// is given the invalidation count taken before the read, and refuses the entry if any change
// came in since, since the read may predate the write that change reports.
//
// Only usable credentials are kept, and an entry that is no longer usable at verification time
// (expiry, the end of a grace period) is ignored and read again: every unusable key, unknown or
// revoked or expired, still costs one store read, so their answers take the same time.
type credentialCache struct {
	live     func() bool
	observer Observer

	mu sync.RWMutex
	// invalidations counts the changes delivered (and live() turning false): see put.
	invalidations uint64
	entries       map[string]store.Credential // key hash → credential
	byKey         map[string]string           // key id → key hash
}

// newCredentialCache returns nil, which caches nothing, for a store that does not report its
// changes.
func newCredentialCache(st store.Store, observer Observer) *credentialCache {
	w, ok := st.(store.CredentialChanges)
	if !ok {
		return nil
	}
	c := &credentialCache{observer: observer, entries: map[string]store.Credential{}, byKey: map[string]string{}}
	c.live = w.WatchCredentials(c.invalidate)
	return c
}

// current returns the invalidation count, to be read before the store is, and passed to put.
func (c *credentialCache) current() uint64 {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.invalidations
}

// get returns the credential cached for hash, while the store vouches for its deliveries.
func (c *credentialCache) get(hash string) (store.Credential, bool) {
	if c == nil {
		return store.Credential{}, false
	}
	var (
		cred store.Credential
		ok   bool
	)
	if c.live() {
		c.mu.RLock()
		cred, ok = c.entries[hash]
		c.mu.RUnlock()
	}
	if ok {
		c.observer.CredentialCache(CacheHit)
	} else {
		c.observer.CredentialCache(CacheMiss)
	}
	return cred, ok
}

// put keeps cred, read from the store after current() returned seen.
func (c *credentialCache) put(hash string, cred store.Credential, seen uint64) {
	if c == nil || !c.live() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.invalidations != seen {
		return // a change came in meanwhile: the read may predate its write
	}
	if len(c.entries) >= maxCachedCredentials {
		clear(c.entries)
		clear(c.byKey)
	}
	c.entries[hash] = cred
	c.byKey[cred.Key.ID] = hash
}

// invalidate drops what change covers; the store calls it (store.CredentialChanges).
func (c *credentialCache) invalidate(change store.CredentialChange) {
	if change.Empty() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invalidations++
	dropped := 0
	switch {
	case change.All:
		dropped = len(c.entries)
		clear(c.entries)
		clear(c.byKey)
	default:
		for _, id := range change.KeyIDs {
			if hash, ok := c.byKey[id]; ok {
				delete(c.entries, hash)
				delete(c.byKey, id)
				dropped++
			}
		}
		if len(change.ProjectIDs) > 0 || len(change.ServiceAccountIDs) > 0 {
			for hash, cred := range c.entries {
				if covers(change, cred.Key) {
					delete(c.entries, hash)
					delete(c.byKey, cred.Key.ID)
					dropped++
				}
			}
		}
	}
	if dropped > 0 {
		c.observer.CredentialCache(CacheInvalidated)
	}
}

// covers reports whether change names k's project or service account.
func covers(change store.CredentialChange, k store.APIKey) bool {
	for _, id := range change.ProjectIDs {
		if k.ProjectID == id {
			return true
		}
	}
	if k.ServiceAccountID != nil {
		for _, id := range change.ServiceAccountIDs {
			if *k.ServiceAccountID == id {
				return true
			}
		}
	}
	return false
}
