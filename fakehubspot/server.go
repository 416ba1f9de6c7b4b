package fakehubspot

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Versions are the dated API versions the fake serves. Anything else,
// numbered /v3/ paths included, is 404, so a client that drifts from its
// pinned version fails in tests.
var Versions = []string{"2026-03", "2026-09"}

// DefaultToken is the token New creates, with every scope the fake knows.
const DefaultToken = "pat-na1-00000000-fake-0000-0000-000000000000"

// Option configures a Server; the defaults are HubSpot's.
type Option func(*config)

type config struct {
	clock          func() time.Time
	indexLag       time.Duration
	searchPerSec   int
	burstPer10s    int
	portalID       int64
	uiDomain       string
	sendRetryAfter bool
}

// WithClock injects the clock behind every time the fake keeps: entry
// dates, createdate, when writes become searchable, rate-limit windows.
// Latency faults still wait in real time.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithIndexLag makes each write searchable only d after it happened on
// the fake's clock (0 by default; HubSpot says "a few moments"). Reads by
// id see writes at once, as in HubSpot.
func WithIndexLag(d time.Duration) Option { return func(c *config) { c.indexLag = d } }

// WithSearchRateLimit sets how many searches a second are answered before
// 429 (HubSpot: 5 per account; 0 turns the limit off).
func WithSearchRateLimit(n int) Option { return func(c *config) { c.searchPerSec = n } }

// WithBurstLimit sets how many other requests are answered in any 10
// seconds (HubSpot: 100 on Free and Starter, 190 on Professional and
// Enterprise; default 100; 0 turns the limit off).
func WithBurstLimit(n int) Option { return func(c *config) { c.burstPer10s = n } }

// WithoutRetryAfter makes 429s carry no Retry-After header, only the body's
// policyName (and on non-search calls the X-HubSpot-RateLimit-* headers),
// to test a client's fallback.
func WithoutRetryAfter() Option { return func(c *config) { c.sendRetryAfter = false } }

// Server is a fake HubSpot account behind its API, on a real socket.
type Server struct {
	srv    *httptest.Server
	cfg    config
	closed chan struct{}

	mu       sync.Mutex
	nextID   int64
	contacts map[string]*contact
	owners   []Owner
	props    map[string]*Property
	notes    []Note
	tokens   map[string]map[string]bool
	limits   limiter
	faults   map[string]*activeFault
	requests []Request
}

// New starts a fake account with HubSpot's default contact properties, no
// contacts, no owners, and DefaultToken.
func New(opts ...Option) *Server {
	cfg := config{clock: time.Now, searchPerSec: 5, burstPer10s: 100, portalID: 62515,
		uiDomain: "app.hubspot.com", sendRetryAfter: true}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, closed: make(chan struct{}), nextID: 100, contacts: map[string]*contact{},
		props: defaultProperties(), tokens: map[string]map[string]bool{}, faults: map[string]*activeFault{}}
	s.AddToken(DefaultToken, AllScopes...)
	mux := http.NewServeMux()
	s.routes(mux)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to give the client (HUBSPOT_API_URL).
func (s *Server) URL() string { return s.srv.URL }

// Token is DefaultToken.
func (s *Server) Token() string { return DefaultToken }

// PortalID is the account's id, as in record URLs.
func (s *Server) PortalID() int64 { return s.cfg.portalID }

// Close stops the server, ending any request held by a latency fault.
func (s *Server) Close() {
	close(s.closed)
	s.srv.Close()
}

func (s *Server) now() time.Time { return s.cfg.clock().UTC() }

// route is one API operation: its name (for faults and the request log),
// the scopes that allow it (any one), and whether it is a search.
type route struct {
	op     string
	scopes []string
	search bool
}

func (s *Server) routes(mux *http.ServeMux) {
	read, write := []string{ScopeContactsRead}, []string{ScopeContactsWrite}
	for _, v := range Versions {
		obj := "/crm/objects/" + v
		mux.HandleFunc("POST "+obj+"/contacts/search", s.serve(route{"contacts.search", read, true}, s.searchContacts))
		mux.HandleFunc("GET "+obj+"/contacts/{id}", s.serve(route{"contacts.get", read, false}, s.getContact))
		mux.HandleFunc("PATCH "+obj+"/contacts/{id}", s.serve(route{"contacts.update", write, false}, s.updateContact))
		mux.HandleFunc("POST "+obj+"/contacts", s.serve(route{"contacts.create", write, false}, s.createContact))
		mux.HandleFunc("POST "+obj+"/notes", s.serve(route{"notes.create", write, false}, s.createNote))
		mux.HandleFunc("GET /crm/owners/"+v, s.serve(route{"owners.list", []string{ScopeOwnersRead}, false}, s.listOwners))
		mux.HandleFunc("GET /crm/properties/"+v+"/contacts/{name}", s.serve(route{"properties.get",
			[]string{ScopeContactsRead, ScopeSchemasContactsRead}, false}, s.getProperty))
		mux.HandleFunc("GET /account-info/"+v+"/details", s.serve(route{"account.details", nil, false}, s.accountDetails))
	}
	mux.HandleFunc("POST /oauth/v2/private-apps/get/access-token-info", s.serve(route{"token.info", nil, false}, s.tokenInfo))
}

// serve runs what HubSpot runs before an operation, in its order: faults
// (an outage precedes everything), the token, the rate limit, the scopes.
func (s *Server) serve(rt route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { s.record(rt.op, r, rec.status) }()
		if s.fault(rec, r, rt) {
			return
		}
		token, ok := s.authenticate(rec, r)
		if !ok {
			return
		}
		if !s.admit(rec, rt) {
			return
		}
		if !s.authorize(rec, token, rt.scopes) {
			return
		}
		h(rec, r)
	}
}

// authenticate checks the bearer token: 401 INVALID_AUTHENTICATION with
// HubSpot's wording when it is missing or unknown.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	_, known := s.tokens[token]
	s.mu.Unlock()
	if ok && known {
		return token, true
	}
	writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
		"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
	return "", false
}

// authorize is the scope check: 403 MISSING_SCOPES naming the scopes, in
// the shape HubSpot sends (errors[].context.requiredGranularScopes).
func (s *Server) authorize(w http.ResponseWriter, token string, anyOf []string) bool {
	if len(anyOf) == 0 {
		return true
	}
	s.mu.Lock()
	granted := s.tokens[token]
	s.mu.Unlock()
	for _, sc := range anyOf {
		if granted[sc] {
			return true
		}
	}
	writeError(w, http.StatusForbidden, "MISSING_SCOPES",
		"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
		map[string]any{
			"errors": []map[string]any{{"message": "One or more of the following scopes are required.",
				"context": map[string]any{"requiredGranularScopes": anyOf}}},
			"links": map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
		})
	return false
}

// recorder remembers the status written, for the request log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// wait holds a request for d in real time, unless it or the server ends.
func (s *Server) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.closed:
	}
}

func correlationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
