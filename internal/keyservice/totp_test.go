package keyservice

import (
	"testing"
	"time"
)

// The SHA-1 test vectors of RFC 6238 Appendix B (eight digits there; the last six here).
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want := range map[int64]string{
		59:          "287082",
		1111111109:  "081804",
		1111111111:  "050471",
		1234567890:  "005924",
		2000000000:  "279037",
		20000000000: "353130",
	} {
		if got := totpCode(secret, time.Unix(unix, 0)); got != want {
			t.Errorf("T=%d: code %s, want %s", unix, got, want)
		}
	}
}

func TestTOTPAcceptsOneStepOfSkew(t *testing.T) {
	secret, err := newTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 12, 0, 15, 0, time.UTC)
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		step, ok := totpMatch(secret, totpCode(secret, now.Add(d)), now)
		if !ok || step != totpStepOf(now.Add(d)) {
			t.Errorf("the code of now%+v: step %d, %t; want step %d", d, step, ok, totpStepOf(now.Add(d)))
		}
	}
	for _, d := range []time.Duration{-90 * time.Second, 90 * time.Second} {
		if _, ok := totpMatch(secret, totpCode(secret, now.Add(d)), now); ok {
			t.Errorf("the code of now%+v is accepted", d)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := totpMatch(secret, bad, now); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzTOTPMatch(f *testing.F) {
	f.Add([]byte("12345678901234567890"), "287082", int64(59))
	f.Add([]byte{}, "", int64(0))
	f.Fuzz(func(t *testing.T, secret []byte, code string, unix int64) {
		now := time.Unix(unix%(1<<40), 0)
		step, ok := totpMatch(secret, code, now)
		if !ok {
			return
		}
		if code != hotp(secret, step) {
			t.Fatalf("accepted %q as the code of step %d, whose code is %s", code, step, hotp(secret, step))
		}
		if cur := totpStepOf(now); step+1 < cur || step > cur+1 {
			t.Fatalf("accepted %q as the code of step %d, outside the window around step %d", code, step, cur)
		}
	})
}
