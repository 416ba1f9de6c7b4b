package hubspot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/hubspot"
)

func TestNewLead(t *testing.T) {
	entered := "2026-12-04T09:12:00.000Z"
	acct := hubspot.Account{PortalID: 62515, UIDomain: "app-eu1.hubspot.com"}
	base := func(extra map[string]string) hubspot.Contact {
		p := map[string]string{hubspot.EnteredProperty(mql): entered}
		for k, v := range extra {
			p[k] = v
		}
		return hubspot.Contact{ID: "501", Properties: p}
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		check func(hubspot.Lead) bool
	}{
		{"name from first and last", map[string]string{"firstname": "Dana", "lastname": "Scully"},
			func(l hubspot.Lead) bool { return l.Name == "Dana Scully" }},
		{"name falls back to the email", map[string]string{"email": "dana@fbi.example"},
			func(l hubspot.Lead) bool { return l.Name == "dana@fbi.example" && l.Email == "dana@fbi.example" }},
		{"name falls back to the record", nil,
			func(l hubspot.Lead) bool { return l.Name == "HubSpot contact 501" }},
		{"mobile when no phone", map[string]string{"mobilephone": "+1 202 555 0143"},
			func(l hubspot.Lead) bool { return l.Phone == "+1 202 555 0143" }},
		{"paid search campaign is drill-down 1", map[string]string{"hs_analytics_source": "PAID_SEARCH", "hs_analytics_source_data_1": "q4-security", "hs_analytics_source_data_2": "kw"},
			func(l hubspot.Lead) bool {
				return l.Source == "Paid search" && l.OriginalSource == "PAID_SEARCH" && l.Campaign == "q4-security"
			}},
		{"organic social campaign is drill-down 2", map[string]string{"hs_analytics_source": "SOCIAL_MEDIA", "hs_analytics_source_data_1": "LinkedIn", "hs_analytics_source_data_2": "launch"},
			func(l hubspot.Lead) bool { return l.Source == "Organic social" && l.Campaign == "launch" }},
		{"direct traffic has no campaign", map[string]string{"hs_analytics_source": "DIRECT_TRAFFIC", "hs_analytics_source_data_1": "https://acme.example/"},
			func(l hubspot.Lead) bool { return l.Campaign == "" }},
		{"country code preferred", map[string]string{"country": "United States", "hs_country_region_code": "us", "state": "District of Columbia", "hs_state_code": "DC"},
			func(l hubspot.Lead) bool { return l.Country == "US" && l.Region == "DC" }},
		{"free-text country only if a code", map[string]string{"country": "Germany"},
			func(l hubspot.Lead) bool { return l.Country == "" }},
		{"employees from a range", map[string]string{"numemployees": "25-50", "industry": "Government"},
			func(l hubspot.Lead) bool { return l.Employees == 25 && l.Industry == "Government" }},
		{"employees from an open range", map[string]string{"numemployees": "1000+"},
			func(l hubspot.Lead) bool { return l.Employees == 1000 }},
		{"long company clipped to the intake limit", map[string]string{"company": strings.Repeat("é", 300)},
			func(l hubspot.Lead) bool { return len([]rune(l.Company)) == 200 }},
		{"owner and link", map[string]string{"hubspot_owner_id": "77"},
			func(l hubspot.Lead) bool {
				return l.OwnerID == "77" && l.CRMURL == "https://app-eu1.hubspot.com/contacts/62515/record/0-1/501"
			}},
	} {
		l, err := hubspot.NewLead(base(tc.props), mql, acct)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !tc.check(l) {
			t.Errorf("%s: %+v", tc.name, l)
		}
		want := time.Date(2026, 12, 4, 9, 12, 0, 0, time.UTC)
		if !l.OccurredAt.Equal(want) || l.ExternalID != "hubspot:501:"+itoa(int(want.UnixMilli())) {
			t.Errorf("%s: occurred %v, external id %q", tc.name, l.OccurredAt, l.ExternalID)
		}
	}
	if _, err := hubspot.NewLead(hubspot.Contact{ID: "9"}, mql, acct); err == nil {
		t.Error("a contact without its entry date made a lead")
	}
}

func TestLeadDomain(t *testing.T) {
	l := hubspot.Lead{Name: "Dana", Company: "FBI", Email: "d@fbi.example", Phone: "1", CRMURL: "https://x.example/1"}
	if d := l.Domain(); d.Name != "Dana" || d.Company != "FBI" || d.Email != l.Email || d.Phone != "1" || d.CRMURL != l.CRMURL {
		t.Errorf("Domain() = %+v", d)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want time.Time
	}{
		{"2026-12-04T09:12:00.123Z", true, time.Date(2026, 12, 4, 9, 12, 0, 123e6, time.UTC)},
		{"1765271520000", true, time.UnixMilli(1765271520000).UTC()},
		{"", false, time.Time{}},
		{"yesterday", false, time.Time{}},
		{"12abc", false, time.Time{}},
	} {
		got, ok := hubspot.ParseTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v", tc.in, got, ok)
		}
	}
}
