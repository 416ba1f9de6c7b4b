package fakeslack

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// postingBurst is how many chat.postMessage calls a channel takes at once
// before the one-per-second rate applies. Slack allows "short bursts"
// without saying how long; the fake allows three.
const postingBurst = 3

// WithPostingLimit makes chat.postMessage enforce Slack's "special" rate
// tier: about one message per second per channel, short bursts allowed
// (the fake: three at once, then one per second). A post over the limit
// is refused, and not posted, with what Slack answers: HTTP 429, a
// Retry-After header in whole seconds and {"ok":false,"error":
// "ratelimited"}; slack-go returns it as *slack.RateLimitedError. Each
// channel (a DM counts as one) has its own budget, so other channels are
// unaffected. Slack's workspace-wide limit is not modelled. The budget
// refills on the fake's clock (WithClock).
//
// It is off by default: most tests post faster than a person could read,
// and load benchmarks measure the bot, not Slack's throttling.
func WithPostingLimit() Option {
	return func(c *config) { c.postingLimit = true }
}

// rateLimitedError is a refusal Slack answers with HTTP 429.
type rateLimitedError struct {
	retryAfter time.Duration
}

func (e *rateLimitedError) Error() string { return "ratelimited" }

// retryAfterHeader renders the wait as Slack's Retry-After: whole
// seconds, rounded up, at least one.
func (e *rateLimitedError) retryAfterHeader() string {
	return fmt.Sprint(max(1, int(math.Ceil(e.retryAfter.Seconds()))))
}

// takePostingSlot spends one of a channel's chat.postMessage slots, or
// returns a rateLimitedError saying how long to wait. Call with s.mu held.
func (s *Server) takePostingSlot(channel string) error {
	if !s.cfg.postingLimit {
		return nil
	}
	lim, ok := s.posting[channel]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Second), postingBurst)
		s.posting[channel] = lim
	}
	now := s.now()
	r := lim.ReserveN(now, 1)
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return &rateLimitedError{retryAfter: wait}
	}
	return nil
}
