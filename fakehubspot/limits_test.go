package fakehubspot_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
)

func TestSearchIsLimitedToFiveASecond(t *testing.T) {
	s, clock := mustServer(t)
	for i := range 5 {
		if a := mustCall(t, s, s.Token(), "POST", search, map[string]any{}); a.status != 200 || a.header.Get("X-HubSpot-RateLimit-Max") != "" {
			t.Fatalf("search %d: %d, rate-limit headers %q (search answers carry none)", i, a.status, a.header.Get("X-HubSpot-RateLimit-Max"))
		}
	}
	a := mustCall(t, s, s.Token(), "POST", search, map[string]any{})
	wantError(t, a, 429, "RATE_LIMITS")
	if a.header.Get("Retry-After") != "1" || a.body["policyName"] != "SECONDLY" || a.body["errorType"] != "RATE_LIMIT" {
		t.Errorf("429: Retry-After %q, body %v", a.header.Get("Retry-After"), a.body)
	}
	clock.Advance(time.Second)
	if a := mustCall(t, s, s.Token(), "POST", search, map[string]any{}); a.status != 200 {
		t.Errorf("a second later: %d", a.status)
	}
}

func TestOtherCallsAreLimitedPerTenSeconds(t *testing.T) {
	s, clock := mustServer(t, fakehubspot.WithBurstLimit(3))
	for i, want := range []string{"2", "1", "0"} {
		a := mustCall(t, s, s.Token(), "GET", "/account-info/2026-09/details", nil)
		if a.status != 200 || a.header.Get("X-HubSpot-RateLimit-Remaining") != want ||
			a.header.Get("X-HubSpot-RateLimit-Max") != "3" || a.header.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" {
			t.Fatalf("call %d: %d, headers %v", i, a.status, a.header)
		}
	}
	clock.Advance(4 * time.Second)
	a := mustCall(t, s, s.Token(), "GET", "/account-info/2026-09/details", nil)
	wantError(t, a, 429, "RATE_LIMITS")
	if a.header.Get("Retry-After") != "6" || a.body["policyName"] != "TEN_SECONDLY_ROLLING" {
		t.Errorf("429: Retry-After %q, %v", a.header.Get("Retry-After"), a.body)
	}
	clock.Advance(6 * time.Second)
	if a := mustCall(t, s, s.Token(), "GET", "/account-info/2026-09/details", nil); a.status != 200 {
		t.Errorf("after the window: %d", a.status)
	}
}

func TestFaults(t *testing.T) {
	s, _ := mustServer(t)
	s.RateLimitStorm("contacts.search", 2, 5*time.Second)
	for range 2 {
		a := mustCall(t, s, s.Token(), "POST", search, map[string]any{})
		if a.status != 429 || a.header.Get("Retry-After") != "5" || a.body["policyName"] != "SECONDLY" {
			t.Fatalf("storm: %d %q %v", a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	if a := mustCall(t, s, s.Token(), "POST", search, map[string]any{}); a.status != 200 {
		t.Errorf("after the storm: %d", a.status)
	}

	s.Outage()
	wantError(t, mustCall(t, s, "", "GET", "/crm/owners/2026-09", nil), 503, "INTERNAL_ERROR") // before the token is looked at
	s.ClearFaults()

	s.Fault("owners.list", fakehubspot.Fault{Times: 1, Status: http.StatusBadGateway, Body: "<html>502</html>"})
	if a := mustCall(t, s, s.Token(), "GET", "/crm/owners/2026-09", nil); a.status != 502 || a.body != nil {
		t.Errorf("HTML outage page: %d %v", a.status, a.body)
	}

	s.Fault("account.details", fakehubspot.Fault{Times: 1, Latency: 20 * time.Millisecond})
	start := time.Now()
	if a := mustCall(t, s, s.Token(), "GET", "/account-info/2026-09/details", nil); a.status != 200 || time.Since(start) < 20*time.Millisecond {
		t.Errorf("slow answer: %d after %v", a.status, time.Since(start))
	}

	got := s.Requests("contacts.search")
	if len(got) != 3 || got[0].Status != 429 || got[2].Status != 200 || got[0].Method != "POST" {
		t.Errorf("request log: %+v", got)
	}
}
