package keyservicetest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TOTP returns the RFC 6238 code (HMAC-SHA-1, six digits, 30-second step) of a base32 secret
// at t, as an authenticator app would show it. It is written apart from the server's own
// implementation on purpose, so that each checks the other.
func TOTP(t testing.TB, secretBase32 string, at time.Time) string {
	t.Helper()
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secretBase32))
	if err != nil {
		t.Fatalf("TOTP secret %q is not base32: %v", secretBase32, err)
	}
	return TOTPCode(secret, at)
}

// TOTPCode is TOTP of a secret's raw bytes.
func TOTPCode(secret []byte, at time.Time) string {
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, secret)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	o := sum[19] & 0xf
	code := (uint32(sum[o])&0x7f)<<24 | uint32(sum[o+1])<<16 | uint32(sum[o+2])<<8 | uint32(sum[o+3])
	return fmt.Sprintf("%06d", code%1_000_000)
}
