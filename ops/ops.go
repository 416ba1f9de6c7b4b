// Package ops is what whoever runs the bot looks at over HTTP: /healthz
// (the process is alive), /readyz (it can do its job: 503 with the reason
// when not), /metrics for Prometheus, and, only when asked for,
// /debug/pprof/. It knows nothing of Slack or Postgres: readiness is a list
// of named probes that the wiring supplies.
package ops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// probeTimeout bounds one readiness probe: a probe that hangs is a failure,
// and a container runtime's probe gives up after a second or so anyway.
const probeTimeout = 2 * time.Second

// Probe is one thing readiness depends on. Check returns nil when it is
// fine. Its error goes to the log and never to /readyz, which says Down
// instead: whoever can reach the port should learn what is down, not the
// hosts, users and driver messages in the error.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
	// Down is what /readyz says while Check fails, e.g. "not answering;
	// see the logs for why". Empty: "failing; see the logs for why".
	Down string
}

// Options say what the endpoints serve.
type Options struct {
	// Gatherer is served on /metrics; nil serves no /metrics.
	Gatherer prometheus.Gatherer
	// Ready are the probes /readyz runs, all at once.
	Ready []Probe
	// Pprof mounts net/http/pprof on /debug/pprof/. It exposes the
	// program's internals, so it is off unless the operator turns it on.
	Pprof bool
	// Log receives the server's own errors; nil discards them.
	Log *slog.Logger
}

// Handler routes the endpoints.
func Handler(o Options) http.Handler {
	o.Log = orDiscard(o.Log)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /readyz", readiness(o.Ready, o.Log))
	if o.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{
			ErrorLog:      slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
			ErrorHandling: promhttp.ContinueOnError, // one failed query must not hide every metric
			Timeout:       10 * time.Second,
		}))
	}
	if o.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// readiness runs every probe concurrently and answers 200 when all pass,
// else 503; the body has one line per probe either way, and the log the
// error of each that failed.
func readiness(probes []Probe, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
		defer cancel()
		errs := make([]error, len(probes))
		var wg sync.WaitGroup
		for i, p := range probes {
			wg.Go(func() { errs[i] = p.Check(ctx) })
		}
		wg.Wait()
		var body strings.Builder
		status := http.StatusOK
		for i, p := range probes {
			if errs[i] != nil {
				status = http.StatusServiceUnavailable
				log.WarnContext(r.Context(), "readiness probe failed", "probe", p.Name, "error", errs[i])
				fmt.Fprintf(&body, "%s: %s\n", p.Name, cmp.Or(p.Down, "failing; see the logs for why"))
			} else {
				fmt.Fprintf(&body, "%s: ok\n", p.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		fmt.Fprint(w, body.String())
	})
}

// Server is a running HTTP server: the health and metrics endpoint, or
// the intake API.
type Server struct {
	name   string
	srv    *http.Server
	addr   net.Addr
	served chan error
	log    *slog.Logger
}

// Start listens on addr (":8080", "127.0.0.1:0", …) and serves the health
// and metrics endpoint in the background. It logs the address it bound,
// which is how a caller that asked for port 0 learns the port.
func Start(addr string, o Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("health and metrics endpoint: %w", err)
	}
	o.Log = orDiscard(o.Log)
	o.Log.Info("health and metrics endpoint listening", "addr", ln.Addr().String(), "pprof", o.Pprof)
	return Serve("health and metrics endpoint", ln, Handler(o), o.Log), nil
}

// Serve serves h on ln in the background until Stop; name says which
// server it is in its log lines and errors.
func Serve(name string, ln net.Listener, h http.Handler, log *slog.Logger) *Server {
	log = orDiscard(log)
	s := &Server{
		name: name,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout:       time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		addr:   ln.Addr(),
		served: make(chan error, 1),
		log:    log,
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s
}

// Addr is the address the server listens on, with the real port.
func (s *Server) Addr() net.Addr {
	return s.addr
}

// Stop shuts the server down gracefully: no new connections, in-flight
// requests finish until ctx ends, then whatever is left is closed. A nil
// *Server (the endpoint disabled) stops at once.
func (s *Server) Stop(ctx context.Context) error {
	if s == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		s.log.Warn(s.name + ": requests still running at shutdown; closing them")
		err = s.srv.Close()
	}
	if serveErr := <-s.served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("%s: %w", s.name, serveErr))
	}
	return err
}

func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
