package httpapi

import (
	"testing"
	"time"
)

func TestPerClientBudget(t *testing.T) {
	l := newPerClient(1, 2)
	now := time.Unix(1000, 0)
	for i := range 2 {
		if ok, _ := l.take("a", now); !ok {
			t.Fatalf("request %d within burst refused", i)
		}
	}
	ok, wait := l.take("a", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("burst exceeded but allowed (wait %v)", wait)
	}
	if spent, _ := l.spent("a", now); !spent {
		t.Fatal("an emptied budget is not spent")
	}
	if ok, _ := l.take("b", now); !ok {
		t.Fatal("other client limited")
	}
	if ok, _ := l.take("a", now.Add(time.Second)); !ok {
		t.Fatal("token not refilled")
	}
}

func TestPerClientBudgetsForgetIdleClients(t *testing.T) {
	l := newPerClient(1, 1)
	now := time.Unix(1000, 0)
	l.take("a", now)
	l.take("b", now.Add(clientIdleTTL+2*time.Second))
	if _, ok := l.clients["a"]; ok {
		t.Fatal("an idle client's budget was kept")
	}
}

func TestClientLimitsConfig(t *testing.T) {
	if l := newClientLimiters(ClientLimits{}); l == nil || l.verify.limit != DefaultVerifyPerSecond || l.verify.burst != 4*DefaultVerifyPerSecond {
		t.Errorf("zero value: got %+v, want the default %v/s, burst %v", l.verify, DefaultVerifyPerSecond, 4*DefaultVerifyPerSecond)
	}
	if l := newClientLimiters(ClientLimits{VerifyPerSecond: 1000}); l == nil || l.verify.limit != 1000 || l.verify.burst != 4000 {
		t.Errorf("1000: got %+v, want 1000/s burst 4000", l.verify)
	}
	if l := newClientLimiters(ClientLimits{VerifyPerSecond: 1000}); l.failures.limit != failedCredentialRate || l.failures.burst != failedCredentialBurst {
		t.Errorf("failures: got %+v", l.failures)
	}
	if l := newClientLimiters(ClientLimits{Disabled: true}); l != nil {
		t.Errorf("disabled: got %+v, want no limits", l)
	}
}
