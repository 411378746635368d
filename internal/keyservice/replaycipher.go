package keyservice

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// replayCipher seals recorded idempotent responses, which may carry a key
// secret, with AES-256-GCM. The record identity is bound in as associated
// data so a ciphertext cannot be replayed under another principal. A second
// instance, under its own derived key, seals projects' webhook signing
// secrets, bound to the project id.
type replayCipher struct {
	aead cipher.AEAD
}

func newReplayCipher(key []byte) (replayCipher, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return replayCipher{}, fmt.Errorf("replay cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return replayCipher{}, fmt.Errorf("replay cipher: %w", err)
	}
	return replayCipher{aead: aead}, nil
}

func (c replayCipher) seal(plaintext, associated []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plaintext)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("replay cipher nonce: %w", err)
	}
	return c.aead.Seal(nonce, nonce, plaintext, associated), nil
}

func (c replayCipher) open(sealed, associated []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("replay cipher: ciphertext too short")
	}
	out, err := c.aead.Open(nil, sealed[:n], sealed[n:], associated)
	if err != nil {
		return nil, fmt.Errorf("replay cipher: %w", err)
	}
	return out, nil
}
