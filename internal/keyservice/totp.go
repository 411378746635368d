package keyservice

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"time"
)

// Time-based one-time passwords, RFC 6238 over RFC 4226's HOTP with the parameters every
// authenticator app uses by default: HMAC-SHA-1, six digits, a 30-second step. A code is
// accepted in the current step and one step either side, for clock skew and typing time.
//
// Written here rather than taken from github.com/pquerna/otp: the check is twenty lines of the
// standard library's HMAC, and ours computes every candidate step and compares each in constant
// time whatever matches, where the library's validation returns at the first matching step. It is
// held to the RFC's own test vectors (TestTOTPRFC6238Vectors, RFC 6238 Appendix B), fuzzed
// (FuzzTOTPMatch), and checked against an implementation written apart from it
// (keyservicetest.TOTP, which the acceptance tests use as an authenticator app would).
const (
	totpDigits      = 6
	totpStep        = 30 * time.Second
	totpSkewSteps   = 1
	totpSecretBytes = 20 // 160 bits, the HMAC-SHA-1 block-friendly size RFC 4226 recommends
)

// totpEncoding is how a secret is shown to people and apps: base32 without padding.
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newTOTPSecret() ([]byte, error) {
	secret := make([]byte, totpSecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("generate TOTP secret: %w", err)
	}
	return secret, nil
}

// totpCode is the code for the step holding t.
func totpCode(secret []byte, t time.Time) string {
	return hotp(secret, totpStepOf(t))
}

// totpStepOf is the number of the time step holding t (RFC 6238's T).
func totpStepOf(t time.Time) uint64 {
	return uint64(t.Unix()) / uint64(totpStep/time.Second)
}

// hotp is RFC 4226 §5.3: HMAC-SHA-1 of the counter, dynamically truncated to 31 bits, the
// last digits of which are the code.
func hotp(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	mod := uint32(1)
	for range totpDigits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", totpDigits, bin%mod)
}

// totpMatch reports whether code is the code of the step holding now or of a neighbouring
// step, and which step it is (the latest, should two steps share a code): a code is accepted
// once, so the caller records that step as used. Every candidate is computed and compared in
// constant time, whatever matches.
func totpMatch(secret []byte, code string, now time.Time) (step uint64, ok bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	current := totpStepOf(now)
	for skew := -totpSkewSteps; skew <= totpSkewSteps; skew++ {
		candidate := current + uint64(skew) //nolint:gosec // wraps only for times before 1970, whose codes no one holds
		if subtle.ConstantTimeCompare([]byte(hotp(secret, candidate)), []byte(code)) == 1 {
			step, ok = candidate, true
		}
	}
	return step, ok
}
