package acctest

import (
	"sync"
	"time"
)

// Clock is real time plus an offset that a test can move forward, shared by the in-process
// server and the provider so that age-based behaviour (expiry, rotation_days) can be tested.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the current time as the test sees it.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
