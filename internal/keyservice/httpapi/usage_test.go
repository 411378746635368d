package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// touchCounter is a store that counts the last_used_at writes it is asked
// for, and fails them while failTouches is set.
type touchCounter struct {
	store.Store
	mu          sync.Mutex
	calls       int
	uses        []store.KeyUse
	failTouches bool
}

func (c *touchCounter) TouchAPIKeys(ctx context.Context, uses []store.KeyUse) error {
	c.mu.Lock()
	c.calls++
	c.uses = append(c.uses, uses...)
	fail := c.failTouches
	c.mu.Unlock()
	if fail {
		return errors.New("injected failure")
	}
	return c.Store.TouchAPIKeys(ctx, uses)
}

func (c *touchCounter) counts() (calls, uses int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, len(c.uses)
}

func newCountingEnv(t *testing.T, interval time.Duration) (*testEnv, *touchCounter) {
	t.Helper()
	var counter *touchCounter
	e := newTestEnvWith(t, keyservicetest.Options{
		WrapStore: func(st store.Store) store.Store { counter = &touchCounter{Store: st}; return counter },
		Service:   func(c *keyservice.Config) { c.UsageFlushInterval = interval },
		API:       noClientLimits,
	})
	return e, counter
}

func storedLastUsed(t *testing.T, st store.Store, id string) *time.Time {
	t.Helper()
	k, err := st.GetAPIKey(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k.LastUsedAt
}

// TestVerifyWritesNoRow: verifications only read; their uses reach the
// store in one write per flush, however many there were, and reads through
// the server show them before that.
func TestVerifyWritesNoRow(t *testing.T) {
	e, counter := newCountingEnv(t, time.Hour) // no flush but the ones the test asks for
	pid := e.createProject("p")
	k1, s1 := e.createKey(pid, "one", nil)
	k2, s2 := e.createKey(pid, "two", nil)
	id1, id2 := k1["id"].(string), k2["id"].(string)

	for range 50 {
		expectStatus(t, e.verify(s1), http.StatusOK)
		e.clock.Advance(time.Second)
	}
	expectStatus(t, e.verify(s2), http.StatusOK)
	lastUse1 := e.clock.Now().Add(-time.Second)
	if calls, _ := counter.counts(); calls != 0 {
		t.Fatalf("verifications wrote last_used_at %d times before any flush", calls)
	}
	if storedLastUsed(t, counter, id1) != nil {
		t.Fatal("last_used_at stored before a flush")
	}
	// Reads through this server include the uses not written yet.
	if got := e.admin("GET", "/v1/api-keys/"+id1, nil).json(t)["last_used_at"]; got != apiTime(lastUse1) {
		t.Fatalf("GET last_used_at = %v before the flush, want %s", got, apiTime(lastUse1))
	}
	list := e.admin("GET", "/v1/api-keys?project_id="+pid, nil).json(t)["items"].([]any)
	for _, it := range list {
		if it.(map[string]any)["last_used_at"] == nil {
			t.Fatalf("list shows no last_used_at for %v", it.(map[string]any)["id"])
		}
	}

	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls, uses := counter.counts(); calls != 1 || uses != 2 {
		t.Fatalf("51 verifications of 2 keys: %d writes of %d uses, want 1 write of 2", calls, uses)
	}
	if got := storedLastUsed(t, counter, id1); got == nil || !got.Equal(lastUse1) {
		t.Fatalf("stored last_used_at = %v, want the latest use %v", got, lastUse1)
	}
	if got := storedLastUsed(t, counter, id2); got == nil || !got.Equal(e.clock.Now()) {
		t.Fatalf("stored last_used_at of the second key = %v", got)
	}
	// Nothing new: a flush writes nothing.
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls, _ := counter.counts(); calls != 1 {
		t.Fatalf("an empty flush wrote (%d writes)", calls)
	}
}

// TestUsageFlushesOnItsOwn: without anyone calling FlushUsage, uses are
// written by the timer within the flush interval, and only once.
func TestUsageFlushesOnItsOwn(t *testing.T) {
	// One verification, so that the flushes the timer happens to run cannot split it: that
	// many uses are written in one batch is TestVerifyWritesNoRow's (a clock-free count).
	const interval = 50 * time.Millisecond
	e, counter := newCountingEnv(t, interval)
	pid := e.createProject("p")
	k, secret := e.createKey(pid, "k", nil)
	verified := time.Now()
	expectStatus(t, e.verify(secret), http.StatusOK)
	for storedLastUsed(t, counter, k["id"].(string)) == nil {
		if time.Since(verified) > 30*time.Second {
			t.Fatal("last_used_at not written 30s after the verification")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("written %v after the verification (interval %v)", time.Since(verified).Round(time.Millisecond), interval)
	// The timer's later flushes found nothing pending, and neither does another one.
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls, uses := counter.counts(); calls != 1 || uses != 1 {
		t.Fatalf("one verification: %d writes of %d uses, want 1 of 1 (a flush with nothing pending wrote)", calls, uses)
	}
}

// TestUsageFlushFailureKeepsUses: a failed write loses nothing; the next
// flush writes the uses.
func TestUsageFlushFailureKeepsUses(t *testing.T) {
	e, counter := newCountingEnv(t, time.Hour)
	pid := e.createProject("p")
	k, secret := e.createKey(pid, "k", nil)
	id := k["id"].(string)
	expectStatus(t, e.verify(secret), http.StatusOK)
	counter.mu.Lock()
	counter.failTouches = true
	counter.mu.Unlock()
	if err := e.svc.FlushUsage(context.Background()); err == nil {
		t.Fatal("failed write reported no error")
	}
	if got := e.admin("GET", "/v1/api-keys/"+id, nil).json(t)["last_used_at"]; got != apiTime(e.clock.Now()) {
		t.Fatalf("use lost from reads after a failed flush: %v", got)
	}
	counter.mu.Lock()
	counter.failTouches = false
	counter.mu.Unlock()
	if err := e.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := storedLastUsed(t, counter, id); got == nil || !got.Equal(e.clock.Now()) {
		t.Fatalf("stored last_used_at after the retry = %v", got)
	}
}
