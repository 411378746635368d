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
