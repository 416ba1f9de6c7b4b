package fakehubspot

import (
	"sync"
	"time"
)

// Clock is a manual clock for WithClock: time moves only when a test says,
// so minutes of polling, index lag and rate-limit windows take no time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// After advances the clock by d and returns a channel that has fired: a
// retry loop given the clock as its timer (hubspot.RetryPolicy.Timer)
// waits out Retry-After on the fake's time, instantly.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}
