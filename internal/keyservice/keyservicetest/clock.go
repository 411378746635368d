package keyservicetest

import (
	"sync"
	"time"
)

// Clock is the one test clock: a fixed time (NewClock) or the wall clock (WallClock), plus an
// offset that a test moves forward to cross expiry, grace periods and rotation schedules. The
// server, its rate limits and the provider under test each take its Now.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // zero: the wall clock
	offset time.Duration
}

// NewClock returns a clock that stands at start until it is advanced.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// WallClock returns a clock that runs with real time, plus what it is advanced by.
func WallClock() *Clock { return &Clock{} }

// Now returns the current time as the test sees it, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.start
	if t.IsZero() {
		t = time.Now()
	}
	return t.Add(c.offset).UTC()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
