package intaketest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/handoffbot/handoffbot/intake/intaketest"
)

// recorder is a test that keeps the failures reported to it.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, format)
}

const goodCreated = `{"id":1,"state":"pending","assignee":"U1","card_url":"","created_at":"2026-12-04T10:00:00Z"}`

// TestTransportCatchesDrift: a server that strays from the document in
// any of these ways fails the test that talks to it.
func TestTransportCatchesDrift(t *testing.T) {
	validBody := `{"lead":{"name":"Dana"}}`
	for _, tc := range []struct {
		name     string
		body     string // the request
		status   int
		header   map[string]string
		response string
		fails    bool
	}{
		{"as documented", validBody, 201, map[string]string{"Location": "/v1/handoffs/1"}, goodCreated, false},
		{"undocumented field", validBody, 201, map[string]string{"Location": "/v1/handoffs/1"},
			strings.Replace(goodCreated, `"id":1`, `"id":1,"secret":2`, 1), true},
		{"missing field", validBody, 201, map[string]string{"Location": "/v1/handoffs/1"},
			strings.Replace(goodCreated, `"state":"pending",`, ``, 1), true},
		{"missing Location", validBody, 201, nil, goodCreated, true},
		{"undeclared header", validBody, 201, map[string]string{"Location": "/v1/handoffs/1", "X-Debug": "1"}, goodCreated, true},
		{"undocumented status", validBody, 202, nil, goodCreated, true},
		{"accepts what the document refuses", `{"lead":{"name":"Dana"},"colour":"red"}`, 201,
			map[string]string{"Location": "/v1/handoffs/1"}, goodCreated, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Request-Id", "req_0123456789abcdef01234567")
				w.Header().Set("Content-Type", "application/json")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.response))
			}))
			defer srv.Close()
			rec := &recorder{TB: t}
			client := &http.Client{Transport: intaketest.NewTransport(rec, http.DefaultTransport)}
			req, err := http.NewRequest("POST", srv.URL+"/v1/handoffs", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer hbk_x")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if failed := len(rec.failures) > 0; failed != tc.fails {
				t.Errorf("failed = %v, want %v: %v", failed, tc.fails, rec.failures)
			}
		})
	}
}
