package fakehubspot_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

const search = "/crm/objects/2026-09/contacts/search"

func mustServer(t *testing.T, opts ...fakehubspot.Option) (*fakehubspot.Server, *fakehubspot.Clock) {
	t.Helper()
	clock := fakehubspot.NewClock(t0)
	s := fakehubspot.New(append([]fakehubspot.Option{fakehubspot.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(s.Close)
	return s, clock
}

// answer is a decoded HTTP answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// mustCall sends method path with body (JSON unless a string) and token.
func mustCall(t *testing.T, s *fakehubspot.Server, token, method, path string, body any) answer {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(raw, &a.body) // some answers (404 of unknown paths) are not JSON
	return a
}

// wantError checks HubSpot's error format: status "error", a message, a
// correlationId and the category.
func wantError(t *testing.T, a answer, status int, category string) {
	t.Helper()
	if a.status != status || a.body["status"] != "error" || a.body["category"] != category ||
		a.body["message"] == "" || a.body["correlationId"] == "" {
		t.Errorf("want %d %s in HubSpot's format, got %d %v", status, category, a.status, a.body)
	}
}

func TestAuthenticationAndScopes(t *testing.T) {
	s, _ := mustServer(t)
	wantError(t, mustCall(t, s, "", "GET", "/account-info/2026-09/details", nil), 401, "INVALID_AUTHENTICATION")
	wantError(t, mustCall(t, s, "pat-wrong", "GET", "/account-info/2026-09/details", nil), 401, "INVALID_AUTHENTICATION")

	s.AddToken("pat-ro", fakehubspot.ScopeContactsRead)
	a := mustCall(t, s, "pat-ro", "GET", "/crm/owners/2026-09", nil)
	wantError(t, a, 403, "MISSING_SCOPES")
	errs, _ := a.body["errors"].([]any)
	if len(errs) != 1 || !strings.Contains(toJSON(errs[0]), `"requiredGranularScopes":["crm.objects.owners.read"]`) {
		t.Errorf("403 names no scope: %v", a.body)
	}
	if a := mustCall(t, s, "pat-ro", "GET", "/crm/properties/2026-09/contacts/email", nil); a.status != 200 {
		t.Errorf("contacts read allows reading property definitions: %d", a.status)
	}
	s.RevokeToken("pat-ro")
	wantError(t, mustCall(t, s, "pat-ro", "GET", "/account-info/2026-09/details", nil), 401, "INVALID_AUTHENTICATION")

	info := mustCall(t, s, s.Token(), "POST", "/oauth/v2/private-apps/get/access-token-info", map[string]string{"tokenKey": s.Token()})
	if info.status != 200 || len(info.body["scopes"].([]any)) != len(fakehubspot.AllScopes) {
		t.Errorf("token info: %d %v", info.status, info.body)
	}
}

func TestOnlyDatedVersionsAreServed(t *testing.T) {
	s, _ := mustServer(t)
	for path, want := range map[string]int{
		"/crm/v3/objects/contacts/search":      404,
		"/crm/objects/2025-09/contacts/search": 404,
		"/crm/objects/2026-03/contacts/search": 200,
		search:                                 200,
	} {
		if a := mustCall(t, s, s.Token(), "POST", path, map[string]any{}); a.status != want {
			t.Errorf("POST %s: %d, want %d", path, a.status, want)
		}
	}
}

func TestStageMovesKeepHistory(t *testing.T) {
	s, clock := mustServer(t)
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example", "lifecyclestage": "lead"})
	if got := s.ContactProperties(id)["hs_v2_date_entered_lead"]; got != "2026-12-01T09:00:00.000Z" {
		t.Errorf("entered lead at %q", got)
	}
	clock.Advance(time.Hour)
	s.MoveToStage(id, "marketingqualifiedlead", t0.Add(30*time.Minute))
	p := s.ContactProperties(id)
	if p["lifecyclestage"] != "marketingqualifiedlead" || p["hs_v2_date_entered_marketingqualifiedlead"] != "2026-12-01T09:30:00.000Z" ||
		p["hs_v2_date_exited_lead"] != "2026-12-01T09:30:00.000Z" {
		t.Errorf("after the move: %v", p)
	}

	backwards := mustCall(t, s, s.Token(), "PATCH", "/crm/objects/2026-09/contacts/"+id,
		map[string]any{"properties": map[string]string{"lifecyclestage": "lead"}})
	wantError(t, backwards, 400, "VALIDATION_ERROR")
	cleared := mustCall(t, s, s.Token(), "PATCH", "/crm/objects/2026-09/contacts/"+id,
		map[string]any{"properties": map[string]string{"lifecyclestage": ""}})
	again := mustCall(t, s, s.Token(), "PATCH", "/crm/objects/2026-09/contacts/"+id,
		map[string]any{"properties": map[string]string{"lifecyclestage": "lead"}})
	if cleared.status != 200 || again.status != 200 {
		t.Errorf("clearing first lets the stage move back: %d, %d", cleared.status, again.status)
	}
}

func TestWritesAreValidated(t *testing.T) {
	s, _ := mustServer(t)
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example"})
	for props, code := range map[string]string{
		`{"hs_lead_status":"MAYBE"}`:                         "INVALID_OPTION",
		`{"nope":"x"}`:                                       "PROPERTY_DOESNT_EXIST",
		`{"hs_object_id":"7"}`:                               "READ_ONLY_VALUE",
		`{"email":"not an email"}`:                           "INVALID_EMAIL",
		`{"hubspot_owner_id":"123"}`:                         "INVALID_OPTION",
		`{"hs_v2_date_entered_lead":"2026-01-01T00:00:00Z"}`: "READ_ONLY_VALUE",
	} {
		a := mustCall(t, s, s.Token(), "PATCH", "/crm/objects/2026-09/contacts/"+id, `{"properties":`+props+`}`)
		wantError(t, a, 400, "VALIDATION_ERROR")
		if !strings.Contains(toJSON(a.body["errors"]), `"code":"`+code+`"`) {
			t.Errorf("%s: want code %s, got %v", props, code, a.body["errors"])
		}
	}
	wantError(t, mustCall(t, s, s.Token(), "PATCH", "/crm/objects/2026-09/contacts/"+id, `{"propertys":{}}`), 400, "VALIDATION_ERROR")
	wantError(t, mustCall(t, s, s.Token(), "POST", "/crm/objects/2026-09/contacts",
		map[string]any{"properties": map[string]string{"email": "ADA@acme.example"}}), 409, "CONFLICT")
	wantError(t, mustCall(t, s, s.Token(), "GET", "/crm/objects/2026-09/contacts/99999", nil), 404, "OBJECT_NOT_FOUND")
}

func TestReadsReturnNullForUnsetAndSkipUnknown(t *testing.T) {
	s, _ := mustServer(t)
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example"})
	a := mustCall(t, s, s.Token(), "GET", "/crm/objects/2026-09/contacts/ada@acme.example?idProperty=email&properties=email,company,nope", nil)
	props, _ := a.body["properties"].(map[string]any)
	if a.status != 200 || a.body["id"] != id || props["email"] != "ada@acme.example" {
		t.Fatalf("%d %v", a.status, a.body)
	}
	if v, ok := props["company"]; !ok || v != nil {
		t.Errorf("company: want null, got %v (present %v)", v, ok)
	}
	if _, ok := props["nope"]; ok {
		t.Error("an unknown property was returned")
	}
}

func TestNotesNeedTimestampAndContactAssociation(t *testing.T) {
	s, _ := mustServer(t)
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example"})
	note := func(props map[string]string, typeID int, to string) answer {
		return mustCall(t, s, s.Token(), "POST", "/crm/objects/2026-09/notes", map[string]any{
			"properties": props,
			"associations": []any{map[string]any{"to": map[string]string{"id": to},
				"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}}},
		})
	}
	wantError(t, note(map[string]string{"hs_note_body": "x"}, 202, id), 400, "VALIDATION_ERROR")
	wantError(t, note(map[string]string{"hs_timestamp": "1764579600000"}, 190, id), 400, "VALIDATION_ERROR")
	wantError(t, note(map[string]string{"hs_timestamp": "1764579600000"}, 202, "4040"), 400, "VALIDATION_ERROR")
	if a := note(map[string]string{"hs_timestamp": "1764579600000", "hs_note_body": "<p>hi</p>"}, 202, id); a.status != 201 {
		t.Fatalf("note: %d %v", a.status, a.body)
	}
	if n := s.NotesOn(id); len(n) != 1 || n[0].Body != "<p>hi</p>" || !n[0].At.Equal(time.UnixMilli(1764579600000)) {
		t.Errorf("notes: %+v", n)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
