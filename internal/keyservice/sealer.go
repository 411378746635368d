package keyservice

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealer seals secrets the service must keep but never store in clear, with AES-256-GCM under
// a key derived from the server secret: recorded idempotent responses (which may carry a key
// secret), projects' webhook signing secrets and TOTP secrets, each under its own key. The
// record's identity is bound in as associated data, so a ciphertext copied onto another row
// (another principal's record, another project) does not open.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, fmt.Errorf("sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, fmt.Errorf("sealer: %w", err)
	}
	return sealer{aead: aead}, nil
}

func (c sealer) seal(plaintext, associated []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plaintext)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealer nonce: %w", err)
	}
	return c.aead.Seal(nonce, nonce, plaintext, associated), nil
}

func (c sealer) open(sealed, associated []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealer: ciphertext too short")
	}
	out, err := c.aead.Open(nil, sealed[:n], sealed[n:], associated)
	if err != nil {
		return nil, fmt.Errorf("sealer: %w", err)
	}
	return out, nil
}
