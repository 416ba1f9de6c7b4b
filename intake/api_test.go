package intake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake"
)

func TestOpenAPIDocumentIsServedWithoutAKey(t *testing.T) {
	h := mustStart(t)
	r := h.send("GET", "/v1/openapi.json", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || !bytes.Equal(r.body, intake.OpenAPIDocument()) {
		t.Fatalf("%d %s: not the embedded document", r.status, r.header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, %v", doc.OpenAPI, err)
	}
}

// TestRequestIDsAndLogs: every answer names its request, the log line
// carries the same id and the key's name, and no body content, token or
// problem field name is logged.
func TestRequestIDsAndLogs(t *testing.T) {
	h := mustStart(t)
	ok := h.post(fullBody)
	bad := h.post(`{"lead":{"name":"Dana","secret_field":"x"}}`)
	ids := []string{ok.header.Get("Request-Id"), bad.header.Get("Request-Id")}
	if ids[0] == "" || ids[0] == ids[1] || bad.problem(t).RequestID != ids[1] {
		t.Fatalf("request ids %q", ids)
	}
	logs := h.logs.String()
	for _, want := range append(ids, `"key":"Website form"`, `"handoff_id":1`, `"problem":"invalid-fields"`, `"bad_fields":1`) {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"Dana", "dana@fbi.example", "secret_field", "demo", h.token, h.token[4:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

// TestOtherPathsAndMethods: answered with problem documents too. These
// exchanges are outside the OpenAPI document (it cannot describe a method
// a path lacks), so they go through a plain client.
func TestOtherPathsAndMethods(t *testing.T) {
	h := mustStart(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/handoffs", 405, "POST"},
		{"DELETE", "/v1/handoffs/1", 405, "GET"},
		{"POST", "/v1/openapi.json", 405, "GET"},
		{"GET", "/v2/handoffs", 404, ""},
		{"GET", "/", 404, ""},
	} {
		req, err := http.NewRequest(tc.method, h.url+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d Allow %q %s", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), resp.Header.Get("Content-Type"))
		}
	}
}

// TestKeyStoreDown: a key store that cannot answer is not a bad key: 503,
// without WWW-Authenticate, and the client may retry.
func TestKeyStoreDown(t *testing.T) {
	h := mustStart(t)
	h.keys.mu.Lock()
	h.keys.fail = fmt.Errorf("find key: %w", domain.Errorf(domain.EUNAVAIL, "The database is not answering; try again shortly."))
	h.keys.mu.Unlock()
	r := h.post(`{"lead":{"name":"Dana"}}`)
	if p := r.problem(t); p.Status != 503 || r.header.Get("WWW-Authenticate") != "" || r.header.Get("Retry-After") == "" {
		t.Errorf("%+v, headers %v", p, r.header)
	}
}
