package intake

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters holds one token bucket per key, in this process only: with
// several replicas a key may make its limit's worth of requests at each
// (contract.md: rate limits are per key and per process).
type limiters struct {
	mu    sync.Mutex
	byKey map[int64]*rate.Limiter
	rate  rate.Limit
	burst int
}

func newLimiters(r rate.Limit, burst int) *limiters {
	return &limiters{byKey: map[int64]*rate.Limiter{}, rate: r, burst: burst}
}

// take spends one request of key's budget at now, or reports how long
// until one is available. A refused request spends nothing.
func (l *limiters) take(key Key, now time.Time) (wait time.Duration, ok bool) {
	lim := l.of(key)
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if wait = res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return wait, false
	}
	return 0, true
}

// of is key's bucket, made on first use with the key's own limit or the
// defaults. Buckets are never dropped: there is one per key ever used,
// and keys are few.
func (l *limiters) of(key Key) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byKey[key.ID]
	if !ok {
		r, burst := l.rate, l.burst
		if key.Rate > 0 {
			r = rate.Limit(key.Rate)
		}
		if key.Burst > 0 {
			burst = key.Burst
		}
		lim = rate.NewLimiter(r, burst)
		l.byKey[key.ID] = lim
	}
	return lim
}
