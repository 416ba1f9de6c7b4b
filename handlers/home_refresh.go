package handlers

import (
	"context"
	"sync"
	"time"
)

// homeRefreshTimeout bounds one background App Home refresh.
const homeRefreshTimeout = 15 * time.Second

// homeQueue republishes App Homes in the background, one at a time, each
// person at most once per turn however many changes concerned them
// meanwhile. Publishing a Home is the costliest thing a change does (the
// load benchmark: 29% of the bot's CPU at 200 envelopes/s, four
// views.publish per handoff), nobody waits for it, and Slack allows about
// 100 views.publish a minute (Tier 4): so it is taken off the request's
// path, folded per person, and paced by Slack itself (a 429 holds the
// queue, not a handler). A person added while their refresh is queued is
// refreshed once, after every change so far; one added while theirs is
// being published is queued again, so no Home is left stale. The goroutine
// runs only while there is work. The zero value is ready to use.
type homeQueue struct {
	mu      sync.Mutex
	waiting []string
	queued  map[string]bool
	running bool
}

// add queues users and starts the worker if it is idle; publish refreshes
// one person's Home.
func (q *homeQueue) add(publish func(ctx context.Context, user string), users ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued == nil {
		q.queued = map[string]bool{}
	}
	for _, u := range users {
		if u != "" && !q.queued[u] {
			q.queued[u] = true
			q.waiting = append(q.waiting, u)
		}
	}
	if !q.running && len(q.waiting) > 0 {
		q.running = true
		go q.work(publish)
	}
}

func (q *homeQueue) work(publish func(ctx context.Context, user string)) {
	for {
		q.mu.Lock()
		if len(q.waiting) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		u := q.waiting[0]
		q.waiting = q.waiting[1:]
		delete(q.queued, u) // a change from now on queues u again
		q.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), homeRefreshTimeout)
		publish(ctx, u)
		cancel()
	}
}
