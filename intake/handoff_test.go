package intake_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/intake"
)

// fullBody uses every field of POST /v1/handoffs.
const fullBody = `{
  "external_id": "form-2026-000123",
  "direction": "to_sales",
  "lead": {"name": " Dana Scully ", "company": "FBI", "email": "dana@fbi.example",
           "phone": "+1 202 555 0143", "country": "us", "region": "DC",
           "employees": 35000, "industry": "Government"},
  "source": "web form", "campaign": "Q4 security", "priority": "hot",
  "assignee": "fox@fbi.example",
  "notes": "Asked for a demo.", "crm_url": "https://crm.example/leads/123",
  "occurred_at": "2026-12-04T10:12:00+01:00",
  "allow_duplicate": false
}`

func TestCreateWithEveryField(t *testing.T) {
	h := mustStart(t)
	r := h.post(fullBody)
	got := mustCreated(t, r, http.StatusCreated)
	if r.header.Get("Location") != "/v1/handoffs/1" {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	want := map[string]any{"id": 1.0, "state": "pending", "assignee": "U0FOX0001",
		"card_url": "https://acme.slack.com/archives/C0HANDOFF/p1764839527000101", "created_at": "2026-12-04T10:00:00Z"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer %v, want %v", got, want)
	}
	c := h.handoffs.lastCall()
	occurred := time.Date(2026, 12, 4, 9, 12, 0, 0, time.UTC)
	employees := int64(35000)
	wantReq := intake.Request{
		ExternalID: "form-2026-000123", Direction: domain.ToSales,
		Lead: intake.Lead{Name: "Dana Scully", Company: "FBI", Email: "dana@fbi.example", Phone: "+1 202 555 0143",
			Country: "US", Region: "DC", Employees: &employees, Industry: "Government"},
		Source: "web form", Campaign: "Q4 security", Priority: domain.Hot, Assignee: "fox@fbi.example",
		Notes: "Asked for a demo.", CRMURL: "https://crm.example/leads/123", OccurredAt: &occurred,
		BodyHash: c.req.BodyHash,
	}
	if !equalJSON(c.req, wantReq) || !c.req.OccurredAt.Equal(occurred) || c.req.BodyHash == "" {
		t.Errorf("the application got %+v\nwant %+v", c.req, wantReq)
	}
	if c.key.Name != "Website form" {
		t.Errorf("created in the name of %q, want the key's name", c.key.Name)
	}
}

func TestCreateAppliesDefaults(t *testing.T) {
	h := mustStart(t)
	mustCreated(t, h.post(`{"lead":{"name":"Walter Skinner"}}`), http.StatusCreated)
	req := h.handoffs.lastCall().req
	if req.Direction != domain.ToSales || req.Priority != domain.Warm || req.AllowDuplicate || req.OccurredAt != nil || req.Lead.Employees != nil {
		t.Errorf("defaults: %+v", req)
	}
	mustCreated(t, h.post(`{"lead":{"name":"Walter Skinner","email":null},"direction":null,"priority":null,"notes":null}`), http.StatusCreated)
	if req := h.handoffs.lastCall().req; req.Direction != domain.ToSales || req.Priority != domain.Warm {
		t.Errorf("null fields should read as absent: %+v", req)
	}
}

func TestReplayWithJSONEqualBody(t *testing.T) {
	h := mustStart(t)
	first := mustCreated(t, h.post(fullBody), http.StatusCreated)
	// The same body: other member order, spacing, escapes and number spelling.
	same := `{"allow_duplicate":false,"occurred_at":"2026-12-04T10:12:00+01:00","crm_url":"https:\/\/crm.example\/leads\/123",
	  "notes":"Asked for a demo.","assignee":"fox@fbi.example","priority":"hot","campaign":"Q4 security","source":"web form",
	  "lead":{"industry":"Government","employees":3.5e4,"region":"DC","country":"us","phone":"+1 202 555 0143",
	  "email":"dana@fbi.example","company":"FBI","name":" Dana \u0053cully "},"direction":"to_sales","external_id":"form-2026-000123"}`
	r := h.post(same)
	again := mustCreated(t, r, http.StatusOK)
	if fmt.Sprint(again) != fmt.Sprint(first) || r.header.Get("Location") != "" {
		t.Errorf("replay answered %v (Location %q), want %v", again, r.header.Get("Location"), first)
	}
	if n := h.handoffs.postedCount(); n != 1 {
		t.Errorf("%d handoffs posted, want 1", n)
	}

	// A different body under the same external_id: refused, nothing posted.
	p := h.post(strings.Replace(fullBody, `"priority": "hot"`, `"priority": "cold"`, 1)).problem(t)
	if p.Status != http.StatusConflict || p.Type != intake.ProblemTypeBase+"external-id-conflict" || p.OpenHandoff != nil {
		t.Errorf("reuse of external_id: %+v", p)
	}
	// Trimming makes these equal handoffs, but not equal JSON: a conflict too.
	p = h.post(strings.Replace(fullBody, `" Dana Scully "`, `"Dana Scully"`, 1)).problem(t)
	if p.Status != http.StatusConflict {
		t.Errorf("a body that differs only in spaces inside a string: %d, want 409", p.Status)
	}
	if n := h.handoffs.postedCount(); n != 1 {
		t.Errorf("%d handoffs posted, want 1", n)
	}
}

func TestDuplicateLead(t *testing.T) {
	h := mustStart(t)
	mustCreated(t, h.post(`{"lead":{"name":"Dana","email":"Dana@FBI.example"}}`), http.StatusCreated)
	p := h.post(`{"lead":{"name":"Dana Scully","email":"dana+q4@fbi.example"}}`).problem(t)
	want := intake.OpenHandoff{ID: 1, State: domain.StatePending, CardURL: "https://acme.slack.com/archives/C0HANDOFF/p1764839527000101"}
	if p.Status != http.StatusConflict || p.Type != intake.ProblemTypeBase+"duplicate-lead" || p.OpenHandoff == nil || *p.OpenHandoff != want {
		t.Fatalf("duplicate: %+v, want open_handoff %+v", p, want)
	}
	mustCreated(t, h.post(`{"lead":{"name":"Dana Scully","email":"dana+q4@fbi.example"},"allow_duplicate":true}`), http.StatusCreated)
	if n := h.handoffs.postedCount(); n != 2 {
		t.Errorf("%d handoffs posted, want 2", n)
	}
}

func TestGetHandoff(t *testing.T) {
	h := mustStart(t)
	mustCreated(t, h.post(fullBody), http.StatusCreated)
	r := h.get("/v1/handoffs/1")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]any{"id": 1.0, "external_id": "form-2026-000123", "state": "pending",
		"occurred_at": "2026-12-04T09:12:00Z", "accepted_at": nil, "reason": "", "assignee": "U0FOX0001"} {
		if fmt.Sprint(got[field]) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", field, got[field], want)
		}
	}
	lead, _ := got["lead"].(map[string]any)
	if lead["country"] != "US" || lead["employees"] != 35000.0 {
		t.Errorf("lead = %v", lead)
	}
	for _, path := range []string{"/v1/handoffs/2", "/v1/handoffs/0", "/v1/handoffs/abc", "/v1/handoffs/99999999999999999999"} {
		if p := h.get(path).problem(t); p.Status != http.StatusNotFound || p.Type != intake.ProblemTypeBase+"not-found" {
			t.Errorf("GET %s: %+v", path, p)
		}
	}
}

func TestApplicationErrors(t *testing.T) {
	const generic = "Something went wrong on our side. Quote the request_id if you report it."
	for _, tc := range []struct {
		name      string
		err       error
		status    int
		detail    string
		getStatus int // reading can only be not found or unavailable; the rest is a bug
	}{
		{"unavailable", domain.Errorf(domain.EUNAVAIL, "The database is not answering; try again shortly."), 503,
			"The database is not answering; try again shortly.", 503},
		{"internal", fmt.Errorf("insert handoff: %w", errors.New(`pq: password authentication failed for user "hb" at 10.0.0.7`)), 500,
			generic, 500},
		{"conflict", domain.Errorf(domain.ECONFLICT, "Someone changed it first."), 409, "Someone changed it first.", 500},
		{"invalid", domain.Errorf(domain.EINVALID, "No Sales team is configured to rotate through."), 422,
			"No Sales team is configured to rotate through.", 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := mustStart(t)
			h.handoffs.failWith(tc.err)
			r := h.post(`{"lead":{"name":"Dana"}}`)
			p := r.problem(t)
			if p.Status != tc.status || p.Detail != tc.detail {
				t.Errorf("%d %q, want %d %q", p.Status, p.Detail, tc.status, tc.detail)
			}
			if tc.status == 503 && r.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if g := h.get("/v1/handoffs/1").problem(t); g.Status != tc.getStatus {
				t.Errorf("GET: %d, want %d", g.Status, tc.getStatus)
			}
			if strings.Contains(h.logs.String(), "password") != (tc.name == "internal") {
				t.Errorf("an internal error is logged (and only then):\n%s", h.logs.String())
			}
		})
	}
}

func TestApplicationFieldErrors(t *testing.T) {
	h := mustStart(t)
	p := h.post(`{"lead":{"name":"Dana"},"assignee":"nobody@fbi.example"}`).problem(t)
	want := []intake.FieldProblem{{Field: "assignee", Message: "No one in the workspace has this email."}}
	if p.Status != http.StatusUnprocessableEntity || fmt.Sprint(p.Errors) != fmt.Sprint(want) {
		t.Errorf("%+v, want errors %v", p, want)
	}
	if h.handoffs.postedCount() != 0 {
		t.Error("a refused request posted a handoff")
	}
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
