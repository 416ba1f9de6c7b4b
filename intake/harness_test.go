package intake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/intake/intaketest"
)

// clock is a settable time for the API, so rate limits and occurred_at
// are tested without waiting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer collects log lines from the server's goroutines.
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

// harness is the API on a real socket, with in-memory keys and handoffs,
// and a client that validates every exchange against the OpenAPI document.
type harness struct {
	t        *testing.T
	url      string
	client   *http.Client
	keys     *memKeys
	handoffs *memHandoffs
	clock    *clock
	logs     *syncBuffer
	token    string // a live key named "Website form"
}

func mustStart(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, keys: newMemKeys(), clock: &clock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	h.handoffs = newMemHandoffs(h.clock.Now)
	h.token = h.keys.create("Website form", 0, 0)
	api := intake.New(intake.Config{
		Keys: h.keys, Handoffs: h.handoffs, Now: h.clock.Now,
		Log: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	h.url = srv.URL
	h.client = intaketest.NewClient(t)
	return h
}

// reply is an answer read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes a problem document, failing unless it is one.
func (r reply) problem(t *testing.T) intake.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.body)
	}
	var p intake.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem %s: %v", r.body, err)
	}
	if p.Status != r.status || p.RequestID != r.header.Get("Request-Id") {
		t.Fatalf("problem status %d, request_id %q; answer %d, Request-Id %q", p.Status, p.RequestID, r.status, r.header.Get("Request-Id"))
	}
	return p
}

// send makes one request; header values "" are left out.
func (h *harness) send(method, path string, header map[string]string, body io.Reader) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// post sends body as JSON with the harness's key.
func (h *harness) post(body string) reply {
	h.t.Helper()
	return h.send("POST", "/v1/handoffs", map[string]string{
		"Authorization": "Bearer " + h.token, "Content-Type": "application/json",
	}, strings.NewReader(body))
}

func (h *harness) get(path string) reply {
	h.t.Helper()
	return h.send("GET", path, map[string]string{"Authorization": "Bearer " + h.token}, nil)
}

// mustCreated decodes a 201 or 200 answer.
func mustCreated(t *testing.T, r reply, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
