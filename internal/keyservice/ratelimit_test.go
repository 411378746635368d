package keyservice

import (
	"testing"
	"time"
)

func TestRateLimiterPerClient(t *testing.T) {
	l := newRateLimiter(1, 2)
	now := time.Unix(0, 0)
	for i := range 2 {
		if ok, _ := l.allow("a", now); !ok {
			t.Fatalf("request %d within burst refused", i)
		}
	}
	ok, wait := l.allow("a", now)
	if ok || wait <= 0 {
		t.Fatalf("burst exceeded but allowed (wait %v)", wait)
	}
	if ok, _ := l.allow("b", now); !ok {
		t.Fatal("other client limited")
	}
	if ok, _ := l.allow("a", now.Add(time.Second)); !ok {
		t.Fatal("token not refilled")
	}
}

func TestVerifyRateLimitConfig(t *testing.T) {
	if l := newVerifyLimiter(0); l == nil || l.rate != verifyRatePerSecond || l.burst != verifyBurst {
		t.Errorf("zero: got %+v, want the default %v/s burst %v", l, verifyRatePerSecond, verifyBurst)
	}
	if l := newVerifyLimiter(1000); l == nil || l.rate != 1000 || l.burst != 4000 {
		t.Errorf("1000: got %+v, want 1000/s burst 4000", l)
	}
	if l := newVerifyLimiter(-1); l != nil {
		t.Errorf("negative: got %+v, want no limiter", l)
	}
}
