package keyservice

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"math/big"
	"strings"
)

// A key reads "ks_" + [environment name + "_"] + 43 base62 characters (256
// random bits, left-padded) + a 6-character base62 CRC-32 of everything
// before it. The prefix makes a leaked key recognisable to secret scanners
// and, for a key bound to an environment, says which one ("ks_production_…");
// the checksum covers the environment too and rejects typos before any store
// access. Environment names match environmentNamePattern, which has no "_",
// so the segments split unambiguously.
const (
	keyScheme       = "ks_"
	keySecretLen    = 43 // ceil(256 / log2(62))
	keyChecksumLen  = 6  // ceil(32 / log2(62))
	keyLen          = len(keyScheme) + keySecretLen + keyChecksumLen
	keyMaxLen       = keyLen + maxEnvironmentNameLen + 1
	keySecretShown  = 9 // secret characters in key_prefix
	keySecretBytes  = 32
	base62Alphabet  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base62AlphaSize = 62
)

// Errors of ParseKey; they never contain the input.
var (
	ErrKeyLength      = errors.New("key has the wrong length")
	ErrKeyScheme      = errors.New(`key does not start with "ks_"`)
	ErrKeyEnvironment = errors.New("key has a malformed environment segment")
	ErrKeyCharset     = errors.New("key contains characters outside base62")
	ErrKeyChecksum    = errors.New("key checksum does not match")
)

// GenerateKey returns a new random key secret, bound to the named
// environment when environment is not empty.
func GenerateKey(environment string) (string, error) {
	head := keyScheme
	if environment != "" {
		if !environmentNamePattern.MatchString(environment) {
			return "", fmt.Errorf("generate key: environment name %q does not match %s", environment, environmentNamePattern)
		}
		head += environment + "_"
	}
	var b [keySecretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	body := head + base62Fixed(new(big.Int).SetBytes(b[:]), keySecretLen)
	return body + keyChecksum(body), nil
}

// ParseKey checks the format of a presented key: length, scheme,
// environment segment, charset and checksum. It does no lookup.
func ParseKey(key string) error {
	if len(key) < keyLen || len(key) > keyMaxLen {
		return ErrKeyLength
	}
	if key[:len(keyScheme)] != keyScheme {
		return ErrKeyScheme
	}
	head := keyHeadLen(key)
	if head != len(keyScheme) {
		env := key[len(keyScheme) : head-1]
		if !environmentNamePattern.MatchString(env) {
			return ErrKeyEnvironment
		}
	}
	if len(key)-head != keySecretLen+keyChecksumLen {
		return ErrKeyLength
	}
	for i := head; i < len(key); i++ {
		if !isBase62(key[i]) {
			return ErrKeyCharset
		}
	}
	body := key[:len(key)-keyChecksumLen]
	// Not secret-dependent timing worth hiding: the checksum is public.
	if sum := checksumDigits(body); key[len(key)-keyChecksumLen:] != string(sum[:]) {
		return ErrKeyChecksum
	}
	return nil
}

// keyHeadLen is the length of "ks_" plus the environment segment and its "_",
// if any: everything before the random part.
func keyHeadLen(key string) int {
	if i := strings.LastIndexByte(key, '_'); i >= len(keyScheme) {
		return i + 1
	}
	return len(keyScheme)
}

// KeyPrefix is the non-secret part of a key shown in lists: "ks_", the
// environment segment if any, and the first 9 characters of the random part.
// For a key without environment that is its first 12 characters.
func KeyPrefix(key string) string {
	n := keyHeadLen(key) + keySecretShown
	if len(key) < n {
		return key
	}
	return key[:n]
}

func keyChecksum(body string) string {
	c := checksumDigits(body)
	return string(c[:])
}

// checksumDigits is the CRC-32 of body in base62, left-padded with '0'. Six
// digits hold any 32-bit value (62^6 > 2^32), so plain integer division does;
// ParseKey compares the array without allocating a string.
func checksumDigits(body string) [keyChecksumLen]byte {
	var out [keyChecksumLen]byte
	n := crc32.ChecksumIEEE([]byte(body))
	for i := keyChecksumLen - 1; i >= 0; i-- {
		out[i] = base62Alphabet[n%base62AlphaSize]
		n /= base62AlphaSize
	}
	return out
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
