package bot

import (
	"context"
	"sync"
)

// maxSenders bounds how many channels one process delivers at once. A
// sender holds a database connection for its channel's lock while it posts
// (storage.LockChannel) and needs a second one for each query; with no
// bound, as many senders as the pool has connections (20, storage.Open)
// would each hold a lock and wait for a second connection forever. The
// load benchmark found this: at 1,000 envelopes/s handlers and delivery
// jobs (32 + 20 of them) spent minutes waiting for connections.
const maxSenders = 8

// senders is this process's side of "one sender per channel": a channel
// already being delivered here is answered ErrBusy without asking the
// database (every handler asks to deliver the handoff channel), and at
// most maxSenders channels are delivered at once.
type senders struct {
	mu     sync.Mutex
	active map[string]bool
	slots  chan struct{}
}

func newSenders() senders {
	return senders{active: map[string]bool{}, slots: make(chan struct{}, maxSenders)}
}

// take claims channel for this caller and waits for a free slot; release
// gives both back. ErrBusy means another goroutine here has the channel.
func (s *senders) take(ctx context.Context, channel string) (release func(), err error) {
	s.mu.Lock()
	if s.active[channel] {
		s.mu.Unlock()
		return nil, ErrBusy
	}
	s.active[channel] = true
	s.mu.Unlock()
	unclaim := func() {
		s.mu.Lock()
		delete(s.active, channel)
		s.mu.Unlock()
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		unclaim()
		return nil, ctx.Err()
	}
	return func() {
		<-s.slots
		unclaim()
	}, nil
}
