package keyservice

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// keyHasher turns a key secret into the value stored and looked up. A keyed
// hash (not a bare SHA-256) means a stolen database alone cannot confirm
// guessed keys; the version column lets the scheme change later.
type keyHasher struct {
	pepper []byte
}

const currentHashVersion = store.HashVersionHMACSHA256

func (h keyHasher) hash(key string) string {
	m := hmac.New(sha256.New, h.pepper)
	m.Write([]byte(key))
	return hex.EncodeToString(m.Sum(nil))
}
