package keyservice

import (
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// maxCachedCredentials bounds the cache: a full cache is emptied and fills again.
const maxCachedCredentials = 50_000

// credentialCache keeps the store's answer for keys that verified, by key hash, for a store
// that counts its writes (store.WriteGenerations: SQLite). An entry serves only while the
// store's write generation is the one it was read under: any write that could revoke, disable,
// rotate, rescope or orphan a key moves the generation, and the next verification reads the
// store again. So a revocation is in force for every verification that starts after it
// returned, as without the cache; what the cache saves is the indexed read that, with request
// parsing, is most of a verification's cost.
//
// Only usable credentials are kept, and an entry that is no longer usable at verification time
// (expiry, the end of a grace period) is ignored and read again: every unusable key, unknown or
// revoked or expired, still costs one store read, so their answers take the same time.
type credentialCache struct {
	generations store.WriteGenerations
	observer    Observer

	mu         sync.RWMutex
	generation uint64 // the generation every entry was read under
	entries    map[string]store.Credential
}

// newCredentialCache returns nil, which caches nothing, for a store that does not count its
// writes.
func newCredentialCache(st store.Store, observer Observer) *credentialCache {
	g, ok := st.(store.WriteGenerations)
	if !ok {
		return nil
	}
	return &credentialCache{generations: g, observer: observer, entries: map[string]store.Credential{}}
}

// current returns the store's generation, to be read before the store is, and passed to put.
func (c *credentialCache) current() uint64 {
	if c == nil {
		return 0
	}
	return c.generations.WriteGeneration()
}

// get returns the credential cached for hash under the store's present generation.
func (c *credentialCache) get(hash string) (store.Credential, bool) {
	if c == nil {
		return store.Credential{}, false
	}
	gen := c.generations.WriteGeneration()
	c.mu.RLock()
	cred, ok := c.entries[hash]
	ok = ok && c.generation == gen
	c.mu.RUnlock()
	if ok {
		c.observer.CredentialCache(CacheHit)
	} else {
		c.observer.CredentialCache(CacheMiss)
	}
	return cred, ok
}

// put keeps cred, read from the store under generation gen (taken before the read).
func (c *credentialCache) put(hash string, cred store.Credential, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.generation:
		return // read before a write that the entries already reflect
	case gen > c.generation || len(c.entries) >= maxCachedCredentials:
		if len(c.entries) > 0 {
			c.observer.CredentialCache(CacheInvalidated)
		}
		clear(c.entries)
		c.generation = gen
	}
	c.entries[hash] = cred
}
