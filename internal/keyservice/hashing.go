package keyservice

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// keyHasher turns a key secret into the value stored and looked up. A keyed
// hash (not a bare SHA-256) means a stolen database alone cannot confirm
// guessed keys; the version column lets the scheme change later.
type keyHasher struct {
	pepper []byte
	// macs holds keyed HMAC states for reuse: keying one costs two SHA-256
	// blocks and a handful of allocations, on every verification.
	macs *sync.Pool
}

const currentHashVersion = store.HashVersionHMACSHA256

func newKeyHasher(pepper []byte) keyHasher {
	return keyHasher{pepper: pepper, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, pepper) }}}
}

func (h keyHasher) hash(key string) string {
	var m hash.Hash
	if h.macs != nil {
		m = h.macs.Get().(hash.Hash) //nolint:forcetypeassert // the pool's New makes nothing else
		defer h.macs.Put(m)
		m.Reset()
	} else {
		m = hmac.New(sha256.New, h.pepper)
	}
	m.Write([]byte(key))
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], m.Sum(sum[:0]))
	return string(out[:])
}
