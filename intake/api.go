// Package intake is the HTTP intake API: other systems (web forms, CRMs,
// Zapier, Make, n8n) create handoffs with POST /v1/handoffs and read them
// with GET /v1/handoffs/{id}, authenticated by API keys, answered with RFC
// 9457 problem documents when refused, and described by the OpenAPI
// document served at GET /v1/openapi.json.
//
// The package is the HTTP edge only: what a handoff is and what creating
// one does belong to the application, reached through the small Keys and
// Handoffs interfaces declared here.
package intake

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// Default rate limit of a key that has none of its own (contract.md).
const (
	DefaultRate  = 10 // requests per second
	DefaultBurst = 50
)

// Config is what the API is built from.
type Config struct {
	Keys     Keys
	Handoffs Handoffs
	// Log receives one line per request; slog.Default when nil.
	Log *slog.Logger
	// Now is the clock of rate limits and of occurred_at's "not in the
	// future"; time.Now when nil.
	Now func() time.Time
}

// API is the intake API's http.Handler. Serve it on its own listener
// (INTAKE_ADDR), apart from health and metrics.
type API struct {
	keys     Keys
	handoffs Handoffs
	log      *slog.Logger
	now      func() time.Time
	limits   *limiters
	mux      *http.ServeMux
}

// New builds the API from cfg.
func New(cfg Config) *API {
	a := &API{
		keys: cfg.Keys, handoffs: cfg.Handoffs,
		log:    cmp.Or(cfg.Log, slog.Default()),
		now:    cfg.Now,
		limits: newLimiters(rate.Limit(DefaultRate), DefaultBurst),
		mux:    http.NewServeMux(),
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.mux.HandleFunc("POST /v1/handoffs", a.authenticated(a.createHandoff))
	a.mux.HandleFunc("GET /v1/handoffs/{id}", a.authenticated(a.getHandoff))
	a.mux.HandleFunc("GET /v1/openapi.json", serveOpenAPI)
	for path, allow := range map[string]string{"/v1/handoffs": "POST", "/v1/handoffs/{id}": "GET", "/v1/openapi.json": "GET"} {
		a.mux.HandleFunc(path, methodNotAllowed(allow))
	}
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem(r, probNotFound, "There is no such API path; see /v1/openapi.json."))
	})
	return a
}

// ServeHTTP gives each request an id (the Request-Id header and the logs)
// and logs one line when it is answered, without any of its body.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := a.now()
	x := &exchange{id: newRequestID()}
	x.log = a.log.With("request_id", x.id)
	r = r.WithContext(withExchange(r.Context(), x))
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("Request-Id", x.id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { // the handler's way to drop the connection
				panic(v)
			}
			x.log.ErrorContext(r.Context(), "intake handler panicked", "panic", v)
			if sw.status == 0 {
				writeProblem(sw, r, problem(r, probInternal, genericDetail))
			}
		}
		x.logDone(r, sw.status, a.now().Sub(start))
	}()
	a.mux.ServeHTTP(sw, r)
}

// authenticated runs h for a request with a live key that is within its
// rate limit: 401, then 429, come before anything about the body.
func (a *API) authenticated(h func(http.ResponseWriter, *http.Request, Key)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := a.authenticate(r)
		if err != nil {
			if errors.Is(err, errNoToken) || errors.Is(err, ErrUnknownKey) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="handoffbot"`)
				writeProblem(w, r, problem(r, probUnauthorized, "Send Authorization: Bearer <key>, with a key from `handoffbot keys create`."))
				return
			}
			writeProblem(w, r, appProblem(w, r, err))
			return
		}
		exchangeOf(r.Context()).key = key.Name
		if wait, ok := a.limits.take(key, a.now()); !ok {
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			writeProblem(w, r, problem(r, probRateLimited, "This key is over its rate limit; retry after the number of seconds in Retry-After."))
			return
		}
		h(w, r, key)
	}
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeProblem(w, r, problem(r, probMethod, "This path answers "+allow+" only."))
	}
}

// statusWriter remembers the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
