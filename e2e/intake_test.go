package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/intake/intaketest"
)

// apiClient calls a world's intake API with one key, every exchange
// checked against the OpenAPI document.
type apiClient struct {
	t    *testing.T
	w    *world
	http *http.Client
	key  string
}

// newAPIWorld starts a world with the intake API on a free port.
func newAPIWorld(t *testing.T, opts ...e2etest.Option) *world {
	t.Helper()
	return newWorld(t, append([]e2etest.Option{e2etest.Configure(func(c *config.Config) { c.IntakeAddr = "127.0.0.1:0" })}, opts...)...)
}

// mustKey makes an API key with `handoffbot keys create` and returns a
// client that uses it.
func mustKey(t *testing.T, w *world, name string) *apiClient {
	t.Helper()
	out, err := w.Run("keys", "create", name)
	if err != nil {
		t.Fatalf("keys create %s: %v\n%s", name, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return &apiClient{t: t, w: w, http: intaketest.NewClient(t), key: lines[len(lines)-1]}
}

// answer is an API answer: its status, headers and decoded JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c *apiClient) do(method, path, contentType string, body []byte) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.w.IntakeURL()+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		c.t.Fatalf("%s %s: %d with a body that is not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return a
}

func (c *apiClient) post(body string) answer {
	c.t.Helper()
	return c.do(http.MethodPost, "/v1/handoffs", "application/json", []byte(body))
}

// mustProblem checks that a is the problem document of status and type.
func mustProblem(t *testing.T, a answer, status int, kind string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q of a %d", ct, status)
	}
	if typ, _ := a.body["type"].(string); !strings.HasSuffix(typ, "#problem-"+kind) {
		t.Errorf("problem type %q, want …#problem-%s", typ, kind)
	}
	if a.body["title"] == "" || a.body["detail"] == "" || a.body["status"] != float64(status) {
		t.Errorf("incomplete problem document: %s", a.raw)
	}
}

// A lead posted to the API is a handoff like one made in Slack: when the
// 201 arrives its card is already in the channel ("via web-form", since
// no person handed it off) with its link in the answer, and the owner has
// their DM. The same request again answers the same handoff with 200 and
// posts nothing; GET shows it, the lead's own clock included.
func TestAPICreatesTheCardAndDMs(t *testing.T) {
	t.Parallel()
	w := newAPIWorld(t)
	c := mustKey(t, w, "web-form")
	occurred := e2etest.Start.Add(-7 * time.Minute).Format(time.RFC3339)
	body := fmt.Sprintf(`{"external_id": "form-000123", "lead": {"name": "Dana Scully", "company": "FBI",
		"email": "dana@fbi.example", "country": "US", "employees": 35000}, "source": "web form",
		"assignee": %q, "occurred_at": %q}`, fox, occurred)
	first := c.post(body)
	if first.status != http.StatusCreated {
		t.Fatalf("create: %d %s", first.status, first.raw)
	}
	cardURL, _ := first.body["card_url"].(string)
	if cardURL == "" || first.body["assignee"] != fox || first.body["state"] != "pending" {
		t.Errorf("created: %s", first.raw)
	}
	cards := w.Channel().Messages()
	if len(cards) != 1 || !strings.Contains(cards[0].Text(), "via web-form") {
		t.Fatalf("when the 201 came, the channel held %d messages, want the card saying via web-form", len(cards))
	}
	w.Channel().ExpectMessage(t, "via web-form")
	w.User(fox).ExpectDM(t, "New lead for you via web-form: *Dana Scully* (FBI)")

	again := c.post(body)
	if again.status != http.StatusOK || again.body["id"] != first.body["id"] {
		t.Errorf("replay: %d %s, want 200 with id %v", again.status, again.raw, first.body["id"])
	}
	id := strconv.FormatFloat(first.body["id"].(float64), 'f', 0, 64)
	got := c.do(http.MethodGet, "/v1/handoffs/"+id, "", nil)
	if got.status != http.StatusOK || got.body["occurred_at"] != occurred || got.body["card_url"] != cardURL {
		t.Errorf("GET: %d %s", got.status, got.raw)
	}
	w.Finish() // the replay posted nothing
}

// Every refusal is a problem document of its own type, and none of them
// creates or posts anything.
func TestAPIRefusalsAreProblemDocuments(t *testing.T) {
	t.Parallel()
	w := newAPIWorld(t)
	c := mustKey(t, w, "crm")
	if a := c.post(`{"external_id": "x-1", "lead": {"name": "Dana Scully", "email": "dana@fbi.example"}, "assignee": "` + fox + `"}`); a.status != http.StatusCreated {
		t.Fatalf("setup: %d %s", a.status, a.raw)
	}
	w.Channel().ExpectMessage(t, "Dana Scully")
	w.User(fox).ExpectDM(t, "Dana Scully")

	anon := &apiClient{t: t, w: w, http: intaketest.NewClient(t)}
	mustProblem(t, anon.post(`{"lead": {"name": "A"}}`), http.StatusUnauthorized, "unauthorized")
	wrong := &apiClient{t: t, w: w, http: intaketest.NewClient(t), key: "hbk_not-a-key"}
	mustProblem(t, wrong.post(`{"lead": {"name": "A"}}`), http.StatusUnauthorized, "unauthorized")

	mustProblem(t, c.post(`{"external_id": "x-1", "lead": {"name": "Someone Else"}}`), http.StatusConflict, "external-id-conflict")
	dup := c.post(`{"lead": {"name": "Dana", "email": "DANA@fbi.example"}}`)
	mustProblem(t, dup, http.StatusConflict, "duplicate-lead")
	if open, _ := dup.body["open_handoff"].(map[string]any); open["state"] != "pending" || open["card_url"] == "" {
		t.Errorf("duplicate without the open handoff: %s", dup.raw)
	}
	mustProblem(t, c.do(http.MethodPost, "/v1/handoffs", "application/json", bytes.Repeat([]byte(" "), 65<<10)),
		http.StatusRequestEntityTooLarge, "body-too-large")
	mustProblem(t, c.do(http.MethodPost, "/v1/handoffs", "", []byte(`{"lead": {"name": "A"}}`)),
		http.StatusUnsupportedMediaType, "unsupported-media-type")
	bad := c.post(`{"lead": {"name": "A",}}`)
	mustProblem(t, bad, http.StatusBadRequest, "malformed-json")
	if bad.body["offset"] == nil {
		t.Errorf("malformed JSON without its offset: %s", bad.raw)
	}
	invalid := c.post(`{"lead": {"name": "A", "email": "not an email"}, "colour": "red"}`)
	mustProblem(t, invalid, http.StatusUnprocessableEntity, "invalid-fields")
	if !strings.Contains(invalid.raw, `"field":"lead.email"`) || !strings.Contains(invalid.raw, `"field":"colour"`) {
		t.Errorf("422 without both fields named: %s", invalid.raw)
	}
	mustProblem(t, c.post(`{"lead": {"name": "A"}, "assignee": "nobody@nowhere.example"}`), http.StatusUnprocessableEntity, "invalid-fields")

	// The key's burst is 50 and the world's clock stands still: the 51st
	// request in a row is over the limit.
	var limited answer
	for range 60 {
		if limited = c.do(http.MethodGet, "/v1/handoffs/1", "", nil); limited.status == http.StatusTooManyRequests {
			break
		}
	}
	mustProblem(t, limited, http.StatusTooManyRequests, "rate-limited")
	if limited.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	w.Finish() // nothing refused was posted
}

// Five hundred calls at once, ten for each of fifty leads, from five keys
// whose bursts cannot take them all: the client waits out each 429 (the
// clock moves on by its Retry-After) and tries again. Exactly fifty
// handoffs exist afterwards, and every call for a lead answered the same
// handoff.
func TestConcurrentCallsMakeOneHandoffPerExternalID(t *testing.T) {
	t.Parallel()
	w := newAPIWorld(t)
	var clients []*apiClient
	for i := range 5 {
		clients = append(clients, mustKey(t, w, fmt.Sprintf("key-%d", i)))
	}
	var advancing sync.Mutex
	ids := make([][]float64, 50)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for call := range 500 {
		lead := call % 50
		c := clients[call%5]
		wg.Go(func() {
			body := fmt.Sprintf(`{"external_id": "lead-%d", "lead": {"name": "Lead %d", "email": "lead%d@acme.example"}}`, lead, lead, lead)
			for {
				a := c.post(body)
				if a.status == http.StatusTooManyRequests {
					wait, _ := strconv.Atoi(a.header.Get("Retry-After"))
					advancing.Lock()
					w.Clock.Advance(time.Duration(wait) * time.Second)
					advancing.Unlock()
					continue
				}
				if a.status != http.StatusCreated && a.status != http.StatusOK {
					t.Errorf("lead %d: %d %s", lead, a.status, a.raw)
					return
				}
				mu.Lock()
				ids[lead] = append(ids[lead], a.body["id"].(float64))
				mu.Unlock()
				return
			}
		})
	}
	wg.Wait()
	for lead, got := range ids {
		for _, id := range got {
			if id != got[0] {
				t.Errorf("lead %d answered as handoffs %v", lead, got)
				break
			}
		}
	}
	var n int
	if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM handoffs`).Scan(&n); err != nil || n != 50 {
		t.Errorf("%d handoffs (%v), want 50", n, err)
	}
}

// `handoffbot check` sees the running bot's intake API, and fails until
// there is a key to call it with.
func TestCheckSeesTheIntakeAPI(t *testing.T) {
	t.Parallel()
	w := newAPIWorld(t)
	w.Config.IntakeAddr = strings.TrimPrefix(w.IntakeURL(), "http://")
	out, err := w.Run("check")
	if err == nil {
		t.Errorf("check passed without any API key:\n%s", out)
	}
	mustContain(t, "check", out, "✓ intake API (INTAKE_ADDR "+w.Config.IntakeAddr+"): the running bot answers",
		"✗ intake API keys: none, so every call is refused\n    fix: create one: handoffbot keys create NAME")
	mustKey(t, w, "web-form")
	out, _ = w.Run("check")
	mustContain(t, "check", out, "✓ intake API keys: 1 live")
}
