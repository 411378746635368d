package keyservice

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"math/big"
)

// A key reads "ks_" + 43 base62 characters (256 random bits, left-padded) + a
// 6-character base62 CRC-32 of everything before it. The prefix makes a
// leaked key recognisable to secret scanners; the checksum rejects typos
// before any store access.
const (
	keyScheme       = "ks_"
	keySecretLen    = 43 // ceil(256 / log2(62))
	keyChecksumLen  = 6  // ceil(32 / log2(62))
	keyLen          = len(keyScheme) + keySecretLen + keyChecksumLen
	keyPrefixLen    = 12
	keySecretBytes  = 32
	base62Alphabet  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base62AlphaSize = 62
)

// Errors of ParseKey; they never contain the input.
var (
	ErrKeyLength   = errors.New("key has the wrong length")
	ErrKeyScheme   = errors.New(`key does not start with "ks_"`)
	ErrKeyCharset  = errors.New("key contains characters outside base62")
	ErrKeyChecksum = errors.New("key checksum does not match")
)

// GenerateKey returns a new random key secret.
func GenerateKey() (string, error) {
	var b [keySecretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	body := keyScheme + base62Fixed(new(big.Int).SetBytes(b[:]), keySecretLen)
	return body + keyChecksum(body), nil
}

// ParseKey checks the format of a presented key: length, scheme, charset and
// checksum. It does no lookup.
func ParseKey(key string) error {
	if len(key) != keyLen {
		return ErrKeyLength
	}
	if key[:len(keyScheme)] != keyScheme {
		return ErrKeyScheme
	}
	for i := len(keyScheme); i < len(key); i++ {
		if !isBase62(key[i]) {
			return ErrKeyCharset
		}
	}
	body := key[:keyLen-keyChecksumLen]
	// Not secret-dependent timing worth hiding: the checksum is public.
	if key[keyLen-keyChecksumLen:] != keyChecksum(body) {
		return ErrKeyChecksum
	}
	return nil
}

// KeyPrefix is the non-secret part of a key shown in lists.
func KeyPrefix(key string) string {
	if len(key) < keyPrefixLen {
		return key
	}
	return key[:keyPrefixLen]
}

func keyChecksum(body string) string {
	return base62Fixed(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(body)))), keyChecksumLen)
}

// base62Fixed encodes n in base62, left-padded with '0' to width characters.
func base62Fixed(n *big.Int, width int) string {
	out := make([]byte, width)
	for i := range out {
		out[i] = '0'
	}
	base := big.NewInt(base62AlphaSize)
	rem := new(big.Int)
	n = new(big.Int).Set(n)
	for i := width - 1; i >= 0 && n.Sign() > 0; i-- {
		n.DivMod(n, base, rem)
		out[i] = base62Alphabet[rem.Int64()]
	}
	return string(out)
}

func isBase62(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}
