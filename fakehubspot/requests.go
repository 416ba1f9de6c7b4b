package fakehubspot

import (
	"net/http"
	"slices"
	"time"
)

// Request is one call the fake received, as tests assert on them: how many
// searches, whether a write happened, in what order.
type Request struct {
	Op     string // see Operations
	Method string
	Path   string
	Status int       // the status answered
	At     time.Time // on the fake's clock
}

func (s *Server) record(op string, r *http.Request, status int) {
	at := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Op: op, Method: r.Method, Path: r.URL.Path, Status: status, At: at})
}

// Requests lists the calls received so far, oldest first; with ops, only
// those operations.
func (s *Server) Requests(ops ...string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if len(ops) == 0 || slices.Contains(ops, r.Op) {
			out = append(out, r)
		}
	}
	return out
}
