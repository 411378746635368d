package keyservice

import (
	"crypto/rand"
	"fmt"
)

// Resource ids are a type prefix plus 20 random base62 characters (~119 bits),
// so an id says what it names and is unguessable.
const (
	projectIDPrefix        = "prj_"
	apiKeyIDPrefix         = "key_"
	serviceAccountIDPrefix = "sa_"
	environmentIDPrefix    = "env_"
	idRandomLen            = 20
)

func newID(prefix string) (string, error) {
	out := make([]byte, 0, len(prefix)+idRandomLen)
	out = append(out, prefix...)
	var buf [32]byte
	for len(out) < cap(out) {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("generate id: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling keeps the distribution uniform: 248 = 4*62.
			if b < 248 && len(out) < cap(out) {
				out = append(out, base62Alphabet[b%base62AlphaSize])
			}
		}
	}
	return string(out), nil
}
