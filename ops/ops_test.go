package ops

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func start(t *testing.T, o Options) string {
	t.Helper()
	srv, err := Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return "http://" + srv.Addr().String()
}

// Readiness is 503 with a line saying what is down for every failing
// probe until all pass; liveness does not depend on them.
func TestReadinessReportsEachProbe(t *testing.T) {
	var slackUp, dbUp atomic.Bool
	base := start(t, Options{Ready: []Probe{
		{Name: "slack", Down: "not connected", Check: func(context.Context) error {
			if !slackUp.Load() {
				return errors.New("socket closed")
			}
			return nil
		}},
		{Name: "database", Down: "not answering; see the logs for why", Check: func(context.Context) error {
			if !dbUp.Load() {
				return errors.New("ping database:\nconnection refused")
			}
			return nil
		}},
	}})
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	code, body := get(t, base+"/readyz")
	if code != 503 || body != "slack: not connected\ndatabase: not answering; see the logs for why\n" {
		t.Errorf("/readyz with both down = %d %q", code, body)
	}
	slackUp.Store(true)
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "slack: ok\n") {
		t.Errorf("/readyz with the database down = %d %q", code, body)
	}
	dbUp.Store(true)
	if code, body := get(t, base+"/readyz"); code != 200 || body != "slack: ok\ndatabase: ok\n" {
		t.Errorf("/readyz with both up = %d %q", code, body)
	}
}

// /readyz never shows a probe's error, which may name hosts, users or
// worse (a driver's message, a URL) to whoever can reach the port: it says
// what is down, and the error goes to the log.
func TestReadinessShowsNoErrorText(t *testing.T) {
	var logs syncBuffer
	raw := errors.New(`dial tcp 10.1.2.3:5432: pq: password authentication failed for user "bot"`)
	base := start(t, Options{Log: slog.New(slog.NewTextHandler(&logs, nil)), Ready: []Probe{
		{Name: "database", Down: "not answering; see the logs for why", Check: func(context.Context) error { return raw }},
		{Name: "cache", Check: func(context.Context) error { return raw }},
	}})
	code, body := get(t, base+"/readyz")
	if code != 503 || body != "database: not answering; see the logs for why\ncache: failing; see the logs for why\n" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	for _, probe := range []string{"probe=database", "probe=cache"} {
		if !strings.Contains(logs.String(), probe) || !strings.Contains(logs.String(), "password authentication failed") {
			t.Errorf("the log lacks %s's error:\n%s", probe, logs.String())
		}
	}
}

// A probe that hangs fails the probe at its deadline instead of hanging
// the request.
func TestHangingProbeFails(t *testing.T) {
	var logs syncBuffer
	base := start(t, Options{Log: slog.New(slog.NewTextHandler(&logs, nil)), Ready: []Probe{{Name: "db", Down: "not answering", Check: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}}})
	code, body := get(t, base+"/readyz")
	if code != 503 || body != "db: not answering\n" || !strings.Contains(logs.String(), "deadline exceeded") {
		t.Errorf("/readyz = %d %q; logs:\n%s", code, body, logs.String())
	}
}

func TestMetricsAndPprofAreServedOnlyWhenConfigured(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_things_total", Help: "Things."})
	reg.MustRegister(c)
	c.Add(3)
	off := start(t, Options{})
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if code, _ := get(t, off+path); code != 404 {
			t.Errorf("%s without configuration = %d, want 404", path, code)
		}
	}
	on := start(t, Options{Gatherer: reg, Pprof: true})
	if code, body := get(t, on+"/metrics"); code != 200 || !strings.Contains(body, "test_things_total 3") {
		t.Errorf("/metrics = %d\n%s", code, body)
	}
	if code, body := get(t, on+"/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/ = %d", code)
	}
}

// Stop waits for a request in flight, within its deadline, and then the
// port is closed.
func TestStopIsGraceful(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv, err := Start("127.0.0.1:0", Options{Ready: []Probe{{Name: "slow", Check: func(context.Context) error {
		close(entered)
		<-release
		return nil
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addr().String()
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop(context.Background()) }()
	waitRefused(t, srv.Addr().String()) // shutdown has begun, the request still runs
	close(release)
	if err := <-stopped; err != nil {
		t.Errorf("Stop: %v", err)
	}
	if code := <-answered; code != 200 {
		t.Errorf("in-flight request got %d, want 200", code)
	}
	var nilServer *Server
	if err := nilServer.Stop(context.Background()); err != nil {
		t.Errorf("disabled endpoint Stop: %v", err)
	}
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitRefused polls until addr no longer accepts connections.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after Stop")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
