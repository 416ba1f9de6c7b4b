// Package clock is the time the bot runs on: the wall clock in production,
// and in tests and the demo a simulated one that runs at real speed from a
// chosen moment and can jump ahead, so that an SLA of hours is watched in
// seconds and a story's "Monday 09:12" is what the bot sees.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// Sim is a simulated clock: it starts at a chosen moment, runs at the wall
// clock's speed (so timeouts and leases behave), and jumps forward on
// Advance. It is safe for concurrent use. It also satisfies River's time
// generator, so scheduled jobs fall due on simulated time.
type Sim struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewSim starts a simulated clock at start.
func NewSim(start time.Time) *Sim {
	return &Sim{offset: time.Until(start)}
}

// Now is the simulated time.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

// Advance jumps the clock forward by d.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// NowOrNil is Now, for River: a non-nil time tells River to use it in its
// queries instead of the database's clock.
func (s *Sim) NowOrNil() *time.Time {
	t := s.Now()
	return &t
}

// AdvanceTo moves the clock forward to t; a t already past changes
// nothing (a simulated clock never runs backwards).
func (s *Sim) AdvanceTo(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := time.Until(t) - s.offset; d > 0 {
		s.offset += d
	}
}
