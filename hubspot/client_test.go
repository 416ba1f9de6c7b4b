package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakehubspot"
	"github.com/handoffbot/handoffbot/hubspot"
)

func TestNewRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct{ url, token string }{
		{"", "t"}, {"api.hubapi.com", "t"}, {"ftp://x", "t"}, {"https://api.hubapi.com", " "},
	} {
		if _, err := hubspot.New(tc.url, tc.token); err == nil {
			t.Errorf("New(%q, %q): no error", tc.url, tc.token)
		}
	}
}

func TestContactReadWriteCreate(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	ctx := context.Background()
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example", "firstname": "Ada", "lifecyclestage": "lead"})

	got, err := c.GetContact(ctx, id, []string{"email", "company", "no_such_property"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["email"] != "ada@acme.example" || got.Properties["company"] != "" {
		t.Errorf("GetContact: %v", got.Properties)
	}
	if _, has := got.Properties["company"]; has {
		t.Error("an unset property (HubSpot's null) should be absent, not empty")
	}
	byEmail, err := c.GetContactByEmail(ctx, "ADA@acme.example", nil)
	if err != nil || byEmail.ID != id {
		t.Errorf("GetContactByEmail: %v, %v", byEmail.ID, err)
	}
	updated, err := c.UpdateContact(ctx, id, map[string]string{"hs_lead_status": "OPEN", "lifecyclestage": "salesqualifiedlead"})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Properties["hs_lead_status"] != "OPEN" || updated.Properties[hubspot.EnteredProperty("salesqualifiedlead")] == "" {
		t.Errorf("UpdateContact: %v", updated.Properties)
	}
	created, err := c.CreateContact(ctx, map[string]string{"email": "grace@navy.example", "firstname": "Grace"})
	if err != nil {
		t.Fatal(err)
	}
	if s.ContactProperties(created.ID)["firstname"] != "Grace" {
		t.Errorf("CreateContact did not reach HubSpot: %v", s.ContactProperties(created.ID))
	}
}

func TestContactRefusals(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	ctx := context.Background()
	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example", "lifecyclestage": "customer"})

	_, err := c.GetContact(ctx, "999999", nil)
	if !errors.Is(err, hubspot.ErrNotFound) || hubspot.IsTransient(err) {
		t.Errorf("missing contact: %v", err)
	}
	_, err = c.GetContactByEmail(ctx, "nobody@acme.example", nil)
	if !errors.Is(err, hubspot.ErrNotFound) || strings.Contains(err.Error(), "nobody") {
		t.Errorf("missing email: %v (the email must not be in the error)", err)
	}
	_, err = c.CreateContact(ctx, map[string]string{"email": "ada@acme.example"})
	assertAPIError(t, err, http.StatusConflict, hubspot.CategoryConflict)

	for _, props := range []map[string]string{
		{"hs_lead_status": "NOT_A_STATUS"},
		{"no_such_property": "x"},
		{"hs_v2_date_entered_lead": "2026-01-01T00:00:00Z"},
		{"lifecyclestage": "lead"}, // backwards from customer
		{"email": "secret-value-not-an-email"},
	} {
		_, err := c.UpdateContact(ctx, id, props)
		assertAPIError(t, err, http.StatusBadRequest, hubspot.CategoryValidation)
		if err != nil && strings.Contains(err.Error(), "secret-value") {
			t.Errorf("the value sent leaked into the error: %v", err)
		}
	}
}

func TestTokenAndScopes(t *testing.T) {
	s, _ := mustFake(t)
	ctx := context.Background()
	const secret = "pat-na1-secret-token-value"
	_, err := mustClient(t, s, secret).AccountDetails(ctx)
	e := assertAPIError(t, err, http.StatusUnauthorized, hubspot.CategoryInvalidAuth)
	if strings.Contains(err.Error(), secret) || (e != nil && e.CorrelationID == "") {
		t.Errorf("401: %v", err)
	}

	s.AddToken("pat-read-only", fakehubspot.ScopeContactsRead)
	ro := mustClient(t, s, "pat-read-only")
	_, err = ro.UpdateContact(ctx, s.AddContact(fakehubspot.Props{"email": "a@b.example"}), map[string]string{"firstname": "x"})
	e = assertAPIError(t, err, http.StatusForbidden, hubspot.CategoryMissingScopes)
	if e != nil && (len(e.MissingScopes) != 1 || e.MissingScopes[0] != "crm.objects.contacts.write") {
		t.Errorf("MissingScopes = %v", e.MissingScopes)
	}
	info, err := ro.TokenInfo(ctx)
	if err != nil || len(info.Scopes) != 1 || info.HubID != s.PortalID() {
		t.Errorf("TokenInfo = %+v, %v", info, err)
	}
}

func TestAccountOwnersPropertiesNotes(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	ctx := context.Background()
	acct, err := c.AccountDetails(ctx)
	if err != nil || acct.PortalID != s.PortalID() {
		t.Fatalf("AccountDetails = %+v, %v", acct, err)
	}
	for i := range 1200 { // three pages of 500
		s.AddOwner(fakehubspot.Owner{Email: "rep" + string(rune('a'+i%26)) + itoa(i) + "@acme.example"})
	}
	bob := s.AddOwner(fakehubspot.Owner{Email: "Bob@Acme.example", FirstName: "Bob", LastName: "Smith"})
	owners, err := c.AllOwners(ctx)
	if err != nil || len(owners) != 1201 {
		t.Fatalf("AllOwners: %d, %v", len(owners), err)
	}
	if o := hubspot.OwnersByEmail(owners)["bob@acme.example"]; o.ID != bob || o.Name() != "Bob Smith" {
		t.Errorf("OwnersByEmail: %+v", o)
	}
	page, err := c.ListOwners(ctx, "bob@acme.example", "")
	if err != nil || len(page.Owners) != 1 || page.Next != "" {
		t.Errorf("ListOwners by email: %+v, %v", page, err)
	}

	p, err := c.GetContactProperty(ctx, "lifecyclestage")
	if err != nil || hubspot.StageOrderOf(p)[2] != mql {
		t.Fatalf("lifecyclestage: %+v, %v", p, err)
	}
	if _, err := c.GetContactProperty(ctx, "no_such_property"); !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("missing property: %v", err)
	}

	id := s.AddContact(fakehubspot.Props{"email": "ada@acme.example"})
	noteID, err := c.CreateNote(ctx, hubspot.NewNote{ContactID: id, Body: "<p>hi</p>", At: t0, OwnerID: bob})
	notes := s.NotesOn(id)
	if err != nil || noteID == "" || len(notes) != 1 || notes[0].Body != "<p>hi</p>" || !notes[0].At.Equal(t0) || notes[0].OwnerID != bob {
		t.Errorf("CreateNote: %q, %v, %+v", noteID, err, notes)
	}
	_, err = c.CreateNote(ctx, hubspot.NewNote{ContactID: "424242", Body: "x", At: t0})
	assertAPIError(t, err, http.StatusBadRequest, hubspot.CategoryValidation)
}

func TestSearchContacts(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	for i := range 5 {
		mustMQL(t, s, "p"+itoa(i)+"@acme.example", t0.Add(time.Duration(i)*time.Minute))
	}
	page, err := c.SearchContacts(context.Background(), hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{
			{PropertyName: hubspot.EnteredProperty(mql), Operator: hubspot.OpGTE, Value: itoa(int(t0.Add(time.Minute).UnixMilli()))},
		}}},
		Sorts:      []hubspot.Sort{{PropertyName: hubspot.EnteredProperty(mql), Direction: "DESCENDING"}},
		Properties: []string{hubspot.EnteredProperty(mql)},
		Limit:      2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 4 || len(page.Contacts) != 2 || page.NextOffset() != 2 {
		t.Fatalf("page: total %d, %d contacts, next %q", page.Total, len(page.Contacts), page.Next)
	}
	if at, _ := page.Contacts[0].EnteredAt(mql); !at.Equal(t0.Add(4 * time.Minute)) {
		t.Errorf("first result entered at %v, want the latest", at)
	}
	_, err = c.SearchContacts(context.Background(), hubspot.SearchRequest{Limit: 201})
	assertAPIError(t, err, http.StatusBadRequest, hubspot.CategoryValidation)
}

func TestTransientFailures(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	ctx := context.Background()

	s.RateLimitStorm("account.details", 1, 3*time.Second)
	_, err := c.AccountDetails(ctx)
	rl, ok := errors.AsType[*hubspot.RateLimitError](err)
	if !ok || rl.RetryAfter != 3*time.Second || rl.Policy != "TEN_SECONDLY_ROLLING" || !hubspot.IsTransient(err) {
		t.Fatalf("429: %v", err)
	}
	if _, ok := errors.AsType[*hubspot.APIError](err); !ok {
		t.Error("a RateLimitError should also be an APIError")
	}

	s.Fault("*", fakehubspot.Fault{Times: 1, Status: http.StatusBadGateway, Body: "<html>Bad gateway</html>"})
	_, err = c.AccountDetails(ctx)
	assertAPIError(t, err, http.StatusBadGateway, "")
	if !hubspot.IsTransient(err) {
		t.Errorf("502 should be transient: %v", err)
	}

	s.Fault("*", fakehubspot.Fault{Times: 1, Latency: time.Minute})
	short, err := hubspot.New(s.URL(), s.Token(), hubspot.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = short.GetContactByEmail(ctx, "who@acme.example", nil)
	if err == nil || !hubspot.IsTransient(err) || strings.Contains(err.Error(), "who@") || strings.Contains(err.Error(), s.Token()) {
		t.Errorf("timeout: %v (transient, with no email or token)", err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.AccountDetails(canceled); err == nil || hubspot.IsTransient(err) {
		t.Errorf("a cancelled call is not transient: %v", err)
	}
}

func TestRateLimitWithoutRetryAfterHeader(t *testing.T) {
	s, _ := mustFake(t, fakehubspot.WithoutRetryAfter(), fakehubspot.WithSearchRateLimit(1))
	c := mustClient(t, s, "")
	if _, err := c.SearchContacts(context.Background(), hubspot.SearchRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.SearchContacts(context.Background(), hubspot.SearchRequest{})
	rl, ok := errors.AsType[*hubspot.RateLimitError](err)
	if !ok || rl.Policy != "SECONDLY" || rl.RetryAfter != time.Second {
		t.Fatalf("want a SECONDLY limit read as 1 s from its policy, got %v", err)
	}
}

// assertAPIError checks err is an APIError of status (and category, if
// given) and returns it.
func assertAPIError(t *testing.T, err error, status int, category string) *hubspot.APIError {
	t.Helper()
	e, ok := errors.AsType[*hubspot.APIError](err)
	if !ok {
		t.Errorf("want an APIError %d, got %v", status, err)
		return nil
	}
	if e.Status != status || (category != "" && e.Category != category) {
		t.Errorf("want %d %s, got %d %s (%v)", status, category, e.Status, e.Category, err)
	}
	return e
}

func itoa(n int) string { return strconv.Itoa(n) }
