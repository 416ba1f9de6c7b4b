package fakehubspot

import (
	"net/http"
	"time"
)

// Fault makes calls fail the way HubSpot fails, for tests of retries and
// of "HubSpot down never delays Slack". Latency delays the answer (real
// time); then Status, if set, decides it: 429 is a rate limit in HubSpot's
// format (with RetryAfter), any other status an error body (or Body, e.g.
// an HTML outage page). No Status: the call succeeds, late.
type Fault struct {
	Times      int           // calls affected; 0 = until cleared
	Status     int           // e.g. 429, 500, 502, 503
	RetryAfter time.Duration // for 429: the Retry-After sent (default 1 s)
	Latency    time.Duration
	Body       string // replaces the JSON error body
}

type activeFault struct {
	Fault
	left int
}

// Operations names every operation the fake serves, for Fault.
var Operations = []string{"contacts.search", "contacts.get", "contacts.update", "contacts.create",
	"notes.create", "owners.list", "properties.get", "account.details", "token.info"}

// Fault installs f for op (one of Operations, or "*" for all), replacing
// any fault installed for op before.
func (s *Server) Fault(op string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = &activeFault{Fault: f, left: f.Times}
}

// RateLimitStorm answers the next n calls of op with 429, asking to retry
// after wait: what a busy account, or another app sharing its limits, does.
func (s *Server) RateLimitStorm(op string, n int, wait time.Duration) {
	s.Fault(op, Fault{Times: n, Status: http.StatusTooManyRequests, RetryAfter: wait})
}

// Outage answers every call with 503 until ClearFaults.
func (s *Server) Outage() { s.Fault("*", Fault{Status: http.StatusServiceUnavailable}) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault finds the fault for op (its own, else "*") and counts the call.
func (s *Server) takeFault(op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := op
	f, ok := s.faults[op]
	if !ok {
		key, f, ok = "*", s.faults["*"], s.faults["*"] != nil
	}
	if !ok {
		return Fault{}, false
	}
	if f.Times > 0 {
		if f.left--; f.left <= 0 {
			delete(s.faults, key)
		}
	}
	return f.Fault, true
}

// fault applies the fault for rt, reporting whether it answered.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, rt route) bool {
	f, ok := s.takeFault(rt.op)
	if !ok {
		return false
	}
	if f.Latency > 0 {
		s.wait(r.Context(), f.Latency)
	}
	switch {
	case f.Status == 0:
		return false
	case f.Body != "":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
	case f.Status == http.StatusTooManyRequests:
		policy, msg := "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."
		if rt.search {
			policy, msg = "SECONDLY", "You have reached your secondly limit."
		}
		s.rateLimited(w, policy, msg, max(f.RetryAfter, time.Second))
	default:
		writeError(w, f.Status, "INTERNAL_ERROR", http.StatusText(f.Status), nil)
	}
	return true
}
