package fakehubspot

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// limiter keeps the accepted requests of each rolling window. Refused
// requests do not count (HubSpot does not say whether they do).
type limiter struct {
	searches []time.Time // last second
	burst    []time.Time // last 10 seconds
}

// admit applies the rate limits on the fake's clock: searches to
// searchPerSec a second (policy SECONDLY, and search answers carry no
// rate-limit headers, as HubSpot's do not), everything else to
// burstPer10s in any 10 seconds (policy TEN_SECONDLY_ROLLING, with the
// X-HubSpot-RateLimit-* headers on every answer).
func (s *Server) admit(w http.ResponseWriter, rt route) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt.search {
		s.limits.searches = prune(s.limits.searches, now, time.Second)
		if s.cfg.searchPerSec > 0 && len(s.limits.searches) >= s.cfg.searchPerSec {
			s.rateLimited(w, "SECONDLY", "You have reached your secondly limit.", s.limits.searches[0].Add(time.Second).Sub(now))
			return false
		}
		s.limits.searches = append(s.limits.searches, now)
		return true
	}
	s.limits.burst = prune(s.limits.burst, now, 10*time.Second)
	limit := s.cfg.burstPer10s
	used := len(s.limits.burst)
	if limit > 0 {
		w.Header().Set("X-HubSpot-RateLimit-Max", strconv.Itoa(limit))
		w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		w.Header().Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(limit-used-1, 0)))
	}
	if limit > 0 && used >= limit {
		s.rateLimited(w, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.", s.limits.burst[0].Add(10*time.Second).Sub(now))
		return false
	}
	s.limits.burst = append(s.limits.burst, now)
	return true
}

// rateLimited is HubSpot's 429: errorType RATE_LIMIT and policyName in the
// body (category RATE_LIMITS), Retry-After in whole seconds, rounded up.
func (s *Server) rateLimited(w http.ResponseWriter, policy, message string, wait time.Duration) {
	if s.cfg.sendRetryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds()))))
	}
	writeError(w, http.StatusTooManyRequests, "RATE_LIMITS", message,
		map[string]any{"errorType": "RATE_LIMIT", "policyName": policy})
}

func prune(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-window)) {
		i++
	}
	return ts[i:]
}
