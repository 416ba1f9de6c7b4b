package intake_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/intake"
)

// TestChecksInContractOrder sends requests with two faults each: the one
// contract.md checks first must be the answer (401 → 429 → 415 → 413 →
// 400 → 422 → 409), and none may reach the application.
func TestChecksInContractOrder(t *testing.T) {
	h := mustStart(t)
	mustCreated(t, h.post(`{"lead":{"name":"Dana","email":"dana@fbi.example"}}`), http.StatusCreated)
	revoked := h.keys.create("Old form", 0, 0)
	h.keys.revoke(revoked)
	slow := h.keys.create("Slow", 1, 1)
	h.send("GET", "/v1/handoffs/1", map[string]string{"Authorization": "Bearer " + slow}, nil) // spends its one request

	big := `{"lead":{"name":"` + strings.Repeat("x", intake.MaxBody) + `"}}`
	malformed := `{"lead":{"name":"Dana",}}`
	invalidDup := `{"lead":{"name":"Dana","email":"dana@fbi.example","nick":"D"}}`
	for _, tc := range []struct {
		name, auth, contentType, body string
		status                        int
		problem                       string
	}{
		{"no key, malformed", "", "application/json", malformed, 401, "unauthorized"},
		{"not a bearer, malformed", "Basic ZGFuYTpzY3VsbHk=", "application/json", malformed, 401, "unauthorized"},
		{"malformed key, not JSON", "Bearer hbk_short", "text/plain", "x", 401, "unauthorized"},
		{"unknown key, too large", "Bearer " + strings.Replace(h.token, h.token[4:8], "AAAA", 1), "application/json", big, 401, "unauthorized"},
		{"revoked key, malformed", "Bearer " + revoked, "application/json", malformed, 401, "unauthorized"},
		{"over the limit, not JSON", "Bearer " + slow, "text/plain", "x", 429, "rate-limited"},
		{"not JSON, too large", "Bearer " + h.token, "text/csv", big, 415, "unsupported-media-type"},
		{"no Content-Type, malformed", "Bearer " + h.token, "", malformed, 415, "unsupported-media-type"},
		{"too large, malformed", "Bearer " + h.token, "application/json", big[:len(big)-1], 413, "body-too-large"},
		{"malformed, unknown field", "Bearer " + h.token, "application/json", `{"nick":"D",}`, 400, "malformed-json"},
		{"unknown field, duplicate lead", "Bearer " + h.token, "application/json", invalidDup, 422, "invalid-fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := h.handoffs.callCount()
			r := h.send("POST", "/v1/handoffs", map[string]string{"Authorization": tc.auth, "Content-Type": tc.contentType}, strings.NewReader(tc.body))
			p := r.problem(t)
			if p.Status != tc.status || p.Type != intake.ProblemTypeBase+tc.problem {
				t.Errorf("%d %s, want %d %s (%s)", p.Status, p.Type, tc.status, tc.problem, p.Detail)
			}
			if (tc.status == 401) != (r.header.Get("WWW-Authenticate") != "") {
				t.Errorf("WWW-Authenticate = %q on a %d", r.header.Get("WWW-Authenticate"), tc.status)
			}
			if h.handoffs.callCount() != calls {
				t.Error("a refused request reached the application")
			}
		})
	}
	if n := h.handoffs.postedCount(); n != 1 {
		t.Errorf("%d handoffs posted, want only the first", n)
	}
}

func TestContentTypes(t *testing.T) {
	h := mustStart(t)
	for _, tc := range []struct {
		contentType string
		status      int
	}{
		{"application/json", 201},
		{"application/json; charset=utf-8", 201},
		{"Application/JSON;charset=UTF-8", 201},
		{"application/vnd.handoff+json", 201},
		{"", 415},
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"application/json; charset=iso-8859-1", 415},
		{"application/jsonx", 415},
		{"json", 415},
	} {
		r := h.send("POST", "/v1/handoffs", map[string]string{"Authorization": "Bearer " + h.token, "Content-Type": tc.contentType},
			strings.NewReader(`{"lead":{"name":"Dana"}}`))
		if r.status != tc.status {
			t.Errorf("Content-Type %q: %d, want %d", tc.contentType, r.status, tc.status)
		}
	}
}

// TestBodySizeBoundary: 64 KB is allowed, one byte more is not, whether
// the client says the length or streams the body.
func TestBodySizeBoundary(t *testing.T) {
	h := mustStart(t)
	body := func(size int) string {
		b := `{"lead":{"name":"Dana"}}`
		return b + strings.Repeat(" ", size-len(b)) // spaces after the value are still one JSON text
	}
	for _, tc := range []struct {
		name    string
		size    int
		chunked bool
		status  int
	}{
		{"exactly 64 KB", intake.MaxBody, false, 201},
		{"one byte over", intake.MaxBody + 1, false, 413},
		{"exactly 64 KB, no length", intake.MaxBody, true, 201},
		{"one byte over, no length", intake.MaxBody + 1, true, 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reader = strings.NewReader(body(tc.size))
			req, err := http.NewRequest("POST", h.url+"/v1/handoffs", struct{ *strings.Reader }{reader})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.chunked {
				req.ContentLength = int64(tc.size)
			}
			req.Header.Set("Authorization", "Bearer "+h.token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%d bytes: %d, want %d", tc.size, resp.StatusCode, tc.status)
			}
		})
	}
}

func TestMalformedJSONNamesTheByteOffset(t *testing.T) {
	h := mustStart(t)
	for _, tc := range []struct {
		name, body string
		offset     int64
		detail     string
	}{
		{"empty", "", 0, "the body is empty"},
		{"only spaces", "  \n", 0, "the body is empty"},
		{"trailing comma", `{"lead":{"name":"Dana",}}`, 23, "invalid character '}'"},
		{"unclosed", `{"lead":{"name":"Dana"}`, 23, "unexpected end of JSON input"},
		{"two values", `{"lead":{"name":"Dana"}} {}`, 25, "after top-level value"},
		{"single quotes", `{'lead':1}`, 1, "invalid character '\\''"},
		{"not UTF-8", "{\"lead\":{\"name\":\"Dan\xe1\"}}", 20, "not UTF-8"},
		{"a name twice", `{"lead":{"name":"Dana"}, "lead":{"name":"Fox"}}`, 25, `the name "lead" appears twice`},
		{"a name twice, nested", `{"lead":{"name":"Dana","email":"a@b.example","name":"Fox"}}`, 45, `the name "name" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := h.post(tc.body).problem(t)
			if p.Status != 400 || p.Offset == nil || *p.Offset != tc.offset || !strings.Contains(p.Detail, tc.detail) ||
				!strings.Contains(p.Detail, fmt.Sprintf("byte offset %d", tc.offset)) {
				t.Errorf("%+v (offset %v), want offset %d and %q", p, deref(p.Offset), tc.offset, tc.detail)
			}
		})
	}
}

func TestUnknownAndInvalidFieldsAreNamed(t *testing.T) {
	h := mustStart(t)
	p := h.post(`{"lead":{"name":"","email":"dana","nick":"D","employees":-1,"country":"UK"},
		"priority":"urgent","notes":42,"colour":"red","occurred_at":"2026-12-04T10:06:00Z","crm_url":"javascript:alert(1)"}`).problem(t)
	want := []string{"colour", "lead.nick", "lead.name", "lead.email", "lead.employees", "lead.country",
		"priority", "notes", "crm_url", "occurred_at"}
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Field)
	}
	if p.Status != 422 || !sameSet(got, want) {
		t.Errorf("fields %v, want %v (%+v)", got, want, p)
	}
}

// TestRateLimitUnderConcurrency: with the clock standing still, a key gets
// exactly its burst, however many requests race for it; a second later it
// gets one second's worth more.
func TestRateLimitUnderConcurrency(t *testing.T) {
	h := mustStart(t)
	mustCreated(t, h.post(`{"lead":{"name":"Dana"}}`), http.StatusCreated) // one of the 50
	statuses := make(chan reply, 60)
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() { statuses <- h.get("/v1/handoffs/1") })
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for r := range statuses {
		count[r.status]++
		if r.status == 429 && r.header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After = %q, want 1 (a token comes every 100 ms)", r.header.Get("Retry-After"))
		}
	}
	if count[200] != intake.DefaultBurst-1 || count[429] != 60-(intake.DefaultBurst-1) {
		t.Errorf("answers %v, want %d × 200 and the rest 429", count, intake.DefaultBurst-1)
	}
	other := h.keys.create("CRM", 0, 0)
	if r := h.send("GET", "/v1/handoffs/1", map[string]string{"Authorization": "Bearer " + other}, nil); r.status != 200 {
		t.Errorf("another key is limited too: %d", r.status)
	}
	h.clock.advance(time.Second)
	for i := range intake.DefaultRate + 1 {
		want := 200
		if i == intake.DefaultRate {
			want = 429
		}
		if r := h.get("/v1/handoffs/1"); r.status != want {
			t.Errorf("request %d a second later: %d, want %d", i+1, r.status, want)
		}
	}
}

func TestRateLimitOfTheKey(t *testing.T) {
	h := mustStart(t)
	slow := h.keys.create("Nightly sync", 0.1, 2) // one request every 10 s
	get := func() reply {
		return h.send("GET", "/v1/handoffs/1", map[string]string{"Authorization": "Bearer " + slow}, nil)
	}
	get()
	get()
	r := get()
	if r.status != 429 || r.header.Get("Retry-After") != "10" {
		t.Errorf("third request: %d Retry-After %q, want 429 and 10", r.status, r.header.Get("Retry-After"))
	}
	h.clock.advance(9500 * time.Millisecond)
	if r := get(); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("9.5 s later: %d Retry-After %q, want 429 and 1 (rounded up)", r.status, r.header.Get("Retry-After"))
	}
	h.clock.advance(500 * time.Millisecond)
	if r := get(); r.status != 404 {
		t.Errorf("10 s later: %d, want through to the 404", r.status)
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func sameSet(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
