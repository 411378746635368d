package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func claim(t *testing.T, s store.Store, owner string, now time.Time, limit int) []string {
	t.Helper()
	events, err := s.ClaimOutboxEvents(context.Background(), store.OutboxClaim{Owner: owner, Now: now, Until: now.Add(time.Minute), Limit: limit})
	if err != nil {
		t.Fatalf("claim as %s: %v", owner, err)
	}
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// testOutboxClaims: a claim leases due events, oldest attempt first; a lease keeps them from
// every other claim until it runs out; only the lease holder settles; a delivered or given-up
// event is never claimed again, a rescheduled one not before its time.
func testOutboxClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	var events []store.OutboxEvent
	for i := range 4 {
		e := outboxEvent(fmt.Sprintf("evt_%d", i), "prj_1", "api_key.created")
		e.CreatedAt = base.Add(time.Duration(3-i) * time.Second) // evt_3 is the oldest
		events = append(events, e)
	}
	if err := s.RecordChanges(ctx, store.Changes{Outbox: events}); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, "a", base.Add(-time.Second), 10); len(got) != 0 {
		t.Fatalf("events claimed before they are due: %v", got)
	}
	now := base.Add(10 * time.Second)
	if got, want := claim(t, s, "a", now, 2), []string{"evt_3", "evt_2"}; !slices.Equal(got, want) {
		t.Fatalf("first claim = %v, want %v (oldest first)", got, want)
	}
	if got, want := claim(t, s, "b", now, 10), []string{"evt_1", "evt_0"}; !slices.Equal(got, want) {
		t.Fatalf("second claim = %v, want %v: the leased ones are not claimed again", got, want)
	}
	if got := claim(t, s, "c", now.Add(59*time.Second), 10); len(got) != 0 {
		t.Fatalf("claimed while leased: %v", got)
	}

	// a delivers evt_3, gives up evt_2 ... but b's settle of a's event is refused.
	settled, err := s.ListOutboxEvents(ctx, store.OutboxFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.OutboxEvent{}
	for _, e := range settled {
		byID[e.ID] = e
	}
	e3 := byID["evt_3"]
	e3.Attempts, e3.DeliveredAt = 1, ptr(now)
	if err := s.SettleOutboxAttempt(ctx, "b", e3); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("settle by a non-holder: %v, want ErrConflict", err)
	}
	if err := s.SettleOutboxAttempt(ctx, "a", e3); err != nil {
		t.Fatal(err)
	}
	e2 := byID["evt_2"]
	e2.Attempts, e2.FailedAt, e2.LastError = 9, ptr(now), "receiver answered 500"
	if err := s.SettleOutboxAttempt(ctx, "a", e2); err != nil {
		t.Fatal(err)
	}
	// b reschedules evt_1 an hour later and leaves evt_0's lease to run out (a crash).
	e1 := byID["evt_1"]
	e1.Attempts, e1.NextAttemptAt, e1.LastError = 1, now.Add(time.Hour), "receiver answered 503"
	if err := s.SettleOutboxAttempt(ctx, "b", e1); err != nil {
		t.Fatal(err)
	}
	if got, want := claim(t, s, "c", now.Add(2*time.Minute), 10), []string{"evt_0"}; !slices.Equal(got, want) {
		t.Fatalf("after b's lease ran out: claim = %v, want %v", got, want)
	}
	if err := s.SettleOutboxAttempt(ctx, "b", byID["evt_0"]); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("settle by the holder of an expired lease that was taken over: %v, want ErrConflict", err)
	}
	if got, want := claim(t, s, "d", now.Add(2*time.Hour), 10), []string{"evt_0", "evt_1"}; !slices.Equal(got, want) {
		t.Fatalf("two hours later: claim = %v, want %v (c's lease ran out too; the rest are settled)", got, want)
	}

	got, err := s.ListOutboxEvents(ctx, store.OutboxFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range got {
		switch e.ID {
		case "evt_3":
			if e.DeliveredAt == nil || !e.DeliveredAt.Equal(now) || e.Attempts != 1 {
				t.Errorf("evt_3 = %+v, want delivered at %v after 1 attempt", e, now)
			}
		case "evt_2":
			if e.FailedAt == nil || e.Attempts != 9 || e.LastError != "receiver answered 500" {
				t.Errorf("evt_2 = %+v, want given up after 9 attempts", e)
			}
		case "evt_1":
			if !e.NextAttemptAt.Equal(now.Add(time.Hour)) || e.LastError != "receiver answered 503" {
				t.Errorf("evt_1 = %+v, want rescheduled", e)
			}
		}
	}

	n, err := s.DeleteSettledOutboxEvents(ctx, now.Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("DeleteSettledOutboxEvents = %d, %v; want 2 (evt_3 and evt_2)", n, err)
	}
	if got := outboxIDs(allOutboxEvents(t, s)); !slices.Equal(got, []string{"evt_0", "evt_1"}) {
		t.Errorf("left %v, want [evt_0 evt_1]", got)
	}
}

// testConcurrentOutboxClaims: claimers racing over the same due events each get a disjoint
// share, and together all of them.
func testConcurrentOutboxClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	changesFixture(t, s)
	const events, claimers = 60, 6
	var outbox []store.OutboxEvent
	for i := range events {
		outbox = append(outbox, outboxEvent(fmt.Sprintf("evt_%02d", i), "prj_1", "api_key.created"))
	}
	if err := s.RecordChanges(ctx, store.Changes{Outbox: outbox}); err != nil {
		t.Fatal(err)
	}
	now := base.Add(time.Second)
	var (
		mu      sync.Mutex
		claimed = map[string]string{}
		wg      sync.WaitGroup
	)
	for c := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("replica-%d", c)
			for {
				got, err := s.ClaimOutboxEvents(ctx, store.OutboxClaim{Owner: owner, Now: now, Until: now.Add(time.Minute), Limit: 4})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					if prev, dup := claimed[e.ID]; dup {
						t.Errorf("%s claimed by %s and %s", e.ID, prev, owner)
					}
					claimed[e.ID] = owner
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != events {
		t.Fatalf("%d events claimed, want %d", len(claimed), events)
	}
}
