package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testOTPSteps: a project accepts each time step once, in increasing order only, per project;
// a new (or no) secret starts over; a deleted or unknown project accepts none.
func testOTPSteps(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := mustProject(t, s, "prj_a", "a")
	b := mustProject(t, s, "prj_b", "b")
	consume := func(project string, step int64, want bool) {
		t.Helper()
		got, err := s.ConsumeOTPStep(ctx, project, step)
		if err != nil || got != want {
			t.Fatalf("ConsumeOTPStep(%s, %d) = %t, %v; want %t", project, step, got, err, want)
		}
	}
	consume(a.ID, 100, true)
	consume(a.ID, 100, false) // the same step again
	consume(a.ID, 99, false)  // an earlier one
	consume(b.ID, 100, true)  // another project keeps its own
	consume(a.ID, 101, true)
	if err := s.SetProjectOTPSecret(ctx, a.ID, []byte("new secret"), base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	consume(a.ID, 101, true) // a new secret's codes start over
	if err := s.SetProjectOTPSecret(ctx, a.ID, nil, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	consume(a.ID, 50, true)
	consume("prj_x", 1, false)
	if err := s.DeleteProject(ctx, b.ID, base, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	consume(b.ID, 200, false)
}

// testConcurrentOTPStep: of many requests taking the same step at once, exactly one does.
func testConcurrentOTPStep(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := mustProject(t, s, "prj_1", "one")
	var taken atomic.Int32
	errs := race(racers, func(int) error {
		ok, err := s.ConsumeOTPStep(ctx, p.ID, 7)
		if ok {
			taken.Add(1)
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	if n := taken.Load(); n != 1 {
		t.Fatalf("%d of %d racers took the same step, want 1", n, racers)
	}
}

// testOTPFailures: failures count per project and credential within a window that starts at
// the first; one at or after the window's end starts a new window at 1; concurrent failures
// are all counted; a failure is forgiven only in the window it was counted in, never below 0.
func testOTPFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	const window = 15 * time.Minute
	record := func(project, credential string, at time.Time, wantCount int, wantStart time.Time) {
		t.Helper()
		f, err := s.RecordOTPFailure(ctx, project, credential, at, at.Add(-window))
		if err != nil || f.Count != wantCount || !f.WindowStart.Equal(wantStart) {
			t.Fatalf("RecordOTPFailure(%s, %s, %v) = %+v, %v; want %d since %v", project, credential, at, f, err, wantCount, wantStart)
		}
		got, err := s.OTPFailures(ctx, project, credential)
		if err != nil || got.Count != f.Count || !got.WindowStart.Equal(f.WindowStart) {
			t.Fatalf("OTPFailures(%s, %s) = %+v, %v; want %+v", project, credential, got, err, f)
		}
	}
	if f, err := s.OTPFailures(ctx, "prj_a", "admin"); err != nil || f.Count != 0 || !f.WindowStart.IsZero() {
		t.Fatalf("OTPFailures with none = %+v, %v", f, err)
	}
	record("prj_a", "key:key_1", base, 1, base)
	record("prj_a", "key:key_1", base.Add(time.Minute), 2, base)
	record("prj_a", "key:key_2", base.Add(time.Minute), 1, base.Add(time.Minute)) // another credential
	record("prj_b", "key:key_1", base.Add(time.Minute), 1, base.Add(time.Minute)) // another project
	record("prj_a", "key:key_1", base.Add(window-time.Microsecond), 3, base)
	record("prj_a", "key:key_1", base.Add(window), 1, base.Add(window)) // the window has passed

	forgive := func(windowStart time.Time, wantCount int) {
		t.Helper()
		if err := s.ForgiveOTPFailure(ctx, "prj_a", "key:key_1", windowStart); err != nil {
			t.Fatal(err)
		}
		if f, err := s.OTPFailures(ctx, "prj_a", "key:key_1"); err != nil || f.Count != wantCount {
			t.Fatalf("after ForgiveOTPFailure(%v): %+v, %v; want a count of %d", windowStart, f, err, wantCount)
		}
	}
	forgive(base, 1) // a window that has passed: the current one keeps its count
	forgive(base.Add(window), 0)
	forgive(base.Add(window), 0) // never below zero
	if err := s.ForgiveOTPFailure(ctx, "prj_x", "admin", base); err != nil {
		t.Fatalf("forgiving where nothing was counted: %v", err)
	}

	errs := race(racers, func(int) error {
		_, err := s.RecordOTPFailure(ctx, "prj_c", "admin", base, base.Add(-window))
		return err
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if f, err := s.OTPFailures(ctx, "prj_c", "admin"); err != nil || f.Count != racers {
		t.Fatalf("after %d concurrent failures: %+v, %v", racers, f, err)
	}
}
