package acctest

import (
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// TOTP returns the RFC 6238 code of a base32 secret at t, as an authenticator app would show
// it (see keyservicetest.TOTP).
func TOTP(t testing.TB, secretBase32 string, at time.Time) string {
	t.Helper()
	return keyservicetest.TOTP(t, secretBase32, at)
}
