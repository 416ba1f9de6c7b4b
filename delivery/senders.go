package delivery

import (
	"context"
	"slices"
	"sync"

	"github.com/handoffbot/handoffbot/domain"
)

// maxSenders bounds how many channels one process delivers at once. A
// sender holds a database connection for its channel's lock while it posts
// (storage.LockChannel) and needs a second one for each query; with no
// bound, as many senders as the pool has connections would each hold a
// lock and wait for a second connection forever. The load benchmark found
// this: at 1,000 envelopes/s handlers and delivery jobs spent minutes
// waiting for connections.
const maxSenders = 8

// senders is this process's side of "one sender per channel". A caller
// that finds its channel being delivered here joins that delivery instead
// of asking the database (every new handoff asks to deliver the handoff
// channel), and at most maxSenders channels are delivered at once.
type senders struct {
	mu      sync.Mutex
	running map[string]*sending
	slots   chan struct{}
}

// sending is one delivery of a channel in progress, and what the callers
// who joined it wait for: their own messages posted, or the end.
type sending struct {
	done   chan struct{}
	joined bool // someone joined since the sender last found the outbox empty
	// Guarded by senders.mu: what the sender got past so far (the highest
	// outbox id, and what it posted), and a channel closed at each step.
	upTo   int64
	posted []domain.Posted
	step   chan struct{}
	res    domain.Delivery
	err    error
}

func newSenders() senders {
	return senders{running: map[string]*sending{}, slots: make(chan struct{}, maxSenders)}
}

// join returns the channel's delivery in progress, with mine false, or a
// new one that the caller must run and then finish, with mine true.
func (s *senders) join(channel string) (r *sending, mine bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.running[channel]; r != nil {
		r.joined = true
		return r, false
	}
	r = &sending{done: make(chan struct{}), step: make(chan struct{})}
	s.running[channel] = r
	return r, true
}

// progress records that the sender of r got past outbox message id,
// having posted p (nil when it was given up), and wakes those waiting.
func (s *senders) progress(r *sending, id int64, p *domain.Posted) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.upTo = id
	if p != nil {
		r.posted = append(r.posted, *p)
	}
	close(r.step)
	r.step = make(chan struct{})
}

// again tells the sender of r, which found the outbox empty, whether to
// look once more: a caller who joined after its last look may have
// committed a message since. Saying no ends the delivery for joiners, in
// the same critical section, so none can join a sender that has stopped
// looking.
func (s *senders) again(channel string, r *sending) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.joined {
		r.joined = false
		return true
	}
	delete(s.running, channel)
	return false
}

// finish records what the delivery did and wakes those who joined it.
func (s *senders) finish(channel string, r *sending, res domain.Delivery, err error) {
	s.mu.Lock()
	if s.running[channel] == r {
		delete(s.running, channel) // it stopped early: Later or an error
	}
	r.res, r.err = res, err
	s.mu.Unlock()
	close(r.done)
}

// waitFor is what a caller who joined a delivery gets once the sender
// got past outbox message upTo (every message the caller committed): what
// was posted so far; or, if the delivery ended first, its result.
func (s *senders) waitFor(ctx context.Context, r *sending, upTo int64) (domain.Delivery, error) {
	for {
		s.mu.Lock()
		step, reached := r.step, r.upTo >= upTo
		posted := slices.Clone(r.posted)
		s.mu.Unlock()
		if reached {
			return domain.Delivery{Posted: posted}, nil
		}
		select {
		case <-r.done:
			return r.res, r.err
		case <-step:
		case <-ctx.Done():
			return domain.Delivery{}, ctx.Err()
		}
	}
}

// slot waits for one of this process's maxSenders places.
func (s *senders) slot(ctx context.Context) (release func(), err error) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
