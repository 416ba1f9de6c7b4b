package fakeslack

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes Web API calls fail the way Slack fails, for tests of the
// bot's retries and error handling. Fields combine: Latency delays the
// reply, then Status/RetryAfter/Error decide it (none of them: the call
// succeeds late).
//
// Applied models the worst failure for a sender: Slack accepted the call
// and it took effect (the message is posted or updated, users see it,
// history has it), but the reply was lost: a 502 from Slack's edge
// (Status 502), or no reply before the client gave up (a Latency longer
// than the client waits). A client that retries, such as slack-go with
// NewServerErrorRetryHandler, then posts the message twice; a bot must
// instead look before it resends (conversations.history with metadata).
type Fault struct {
	Times      int           // how many calls it affects; 0 = until cleared
	Error      string        // reply 200 {"ok":false,"error":Error}, e.g. "channel_not_found"
	Status     int           // reply this HTTP status, e.g. 500 or 503
	RetryAfter time.Duration // reply 429 with Retry-After in whole seconds (rounded up); Status 429 alone sends no header
	Latency    time.Duration // delay before replying (after the call took effect, with Applied)
	Applied    bool          // the call takes effect first; Call.Applied records that it did
}

type activeFault struct {
	Fault
	left int // calls left when Times > 0
}

type faultState struct {
	byMethod map[string]*activeFault
	offline  bool
	revoked  map[string]string // token → the error Slack now answers for it
}

func (f *faultState) init() {
	f.byMethod = map[string]*activeFault{}
	f.revoked = map[string]string{}
}

// Fault installs a fault for a Web API method, replacing any earlier one.
// method "*" affects every Web API method except apps.connections.open and
// the pseudo-methods "response_url" and "files.upload" (the response_url
// and upload posts), which are affected only when named.
func (s *Server) Fault(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flt.byMethod[method] = &activeFault{Fault: f, left: f.Times}
}

// ClearFaults removes every fault installed with Fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.flt.byMethod)
}

// takeFault returns the fault that applies to this call of method, if
// any, and counts the call against its Times.
func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := method
	f, ok := s.flt.byMethod[method]
	if !ok && !isPseudoMethod(method) {
		key = "*"
		f, ok = s.flt.byMethod["*"]
	}
	if !ok {
		return Fault{}, false
	}
	if f.Times > 0 {
		f.left--
		if f.left <= 0 {
			delete(s.flt.byMethod, key)
		}
	}
	return f.Fault, true
}

func isPseudoMethod(m string) bool {
	return m == "apps.connections.open" || m == "response_url" || m == "files.upload"
}

// serveFaulted runs a call (run) under the fault installed for its
// method, if any. A fault that is not Applied answers before the call
// runs; an Applied one lets it take effect, then answers. It reports
// whether the fault answered; if not, the caller writes the call's reply.
func (s *Server) serveFaulted(w http.ResponseWriter, r *http.Request, call *Call, run func() error) bool {
	f, faulted := s.takeFault(call.Method)
	if faulted && !f.Applied {
		s.sleep(f.Latency, r.Context().Done())
		if f.decides() {
			s.writeFault(w, call, f)
			return true
		}
	}
	err := run()
	if faulted && f.Applied {
		s.sleep(f.Latency, r.Context().Done())
		if f.decides() {
			call.Applied = err == nil
			s.writeFault(w, call, f)
			return true
		}
	}
	return false
}

// decides reports whether the fault replies in place of the call.
func (f Fault) decides() bool { return f.Status != 0 || f.RetryAfter != 0 || f.Error != "" }

// writeFault answers with the fault and records the call.
func (s *Server) writeFault(w http.ResponseWriter, call *Call, f Fault) {
	switch {
	case f.RetryAfter > 0 || f.Status == http.StatusTooManyRequests:
		// Without RetryAfter the 429 has no Retry-After header, which
		// slack-go reports as a StatusCodeError rather than a
		// RateLimitedError.
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
		}
		call.Status, call.Error = http.StatusTooManyRequests, "ratelimited"
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
	case f.Status != 0:
		call.Status, call.Error = f.Status, http.StatusText(f.Status)
		http.Error(w, "<html><body>fakeslack: injected "+http.StatusText(f.Status)+"</body></html>", f.Status)
	default:
		call.Status, call.Error = http.StatusOK, f.Error
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": f.Error})
	}
	s.log.Debug("fakeslack: injected fault", "method", call.Method, "status", call.Status, "error", call.Error)
	s.record(*call)
}

// SetOffline simulates an outage. While offline every HTTP request (Web
// API, apps.connections.open, response_url, uploads, WebSocket dials)
// gets 503 and open sockets are closed abruptly, without a close frame.
// Back online, slack-go reconnects on its own after its backoff.
func (s *Server) SetOffline(off bool) {
	s.mu.Lock()
	s.flt.offline = off
	s.notify()
	s.mu.Unlock()
	if off {
		s.dropAll(true)
	}
}

// RevokeToken makes later calls with token fail with token_revoked,
// silently. When it is the app token, open sockets are dropped too, and
// slack-go's reconnect then fails for good (RunContext returns the
// error). RevokeBotToken and UninstallApp also tell the app, as Slack
// does, with tokens_revoked and app_uninstalled events.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	s.flt.revoked[token] = "token_revoked"
	s.notify()
	s.mu.Unlock()
	if token == s.cfg.appToken {
		s.dropAll(true)
	}
}

func (s *Server) offlineGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		off := s.flt.offline
		s.mu.Unlock()
		if off {
			s.recordOffline(r)
			http.Error(w, "fakeslack: offline", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recordOffline records a request refused during an outage, so a test can
// see that the bot tried (and retried) while Slack was down.
func (s *Server) recordOffline(r *http.Request) {
	var method string
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/"):
		method = strings.TrimPrefix(p, "/api/")
	case strings.HasPrefix(p, "/response/"):
		method = "response_url"
	case strings.HasPrefix(p, "/upload/"):
		method = "files.upload"
	default:
		return
	}
	s.record(Call{Method: method, At: s.now(), Status: http.StatusServiceUnavailable, Error: "offline"})
}
