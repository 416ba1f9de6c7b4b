package hubspot_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/hubspot"
)

func TestParseStatusMap(t *testing.T) {
	def := hubspot.DefaultStatusMap()
	for _, tc := range []struct {
		in    string
		state domain.State
		want  hubspot.Target
		gone  bool
	}{
		{"", domain.StateAccepted, def[domain.StateAccepted], false},
		{"accepted=IN_PROGRESS", domain.StateAccepted, hubspot.Target{LeadStatus: "IN_PROGRESS"}, false},
		{" Qualified = OPEN_DEAL/salesqualifiedlead ", domain.StateQualified, hubspot.Target{LeadStatus: "OPEN_DEAL", Lifecycle: "salesqualifiedlead"}, false},
		{"won=/customer,", domain.StateWon, hubspot.Target{Lifecycle: "customer"}, false},
		{"lost=UNQUALIFIED", domain.StateLost, hubspot.Target{LeadStatus: "UNQUALIFIED"}, false},
		{"returned=-", domain.StateReturned, hubspot.Target{}, true},
		{"won=/1234567", domain.StateWon, hubspot.Target{Lifecycle: "1234567"}, false}, // a custom stage's id
		{"accepted=OPEN,contacted=ATTEMPTED_TO_CONTACT", domain.StateContacted, hubspot.Target{LeadStatus: "ATTEMPTED_TO_CONTACT"}, false},
	} {
		m, err := hubspot.ParseStatusMap(tc.in)
		if err != nil {
			t.Errorf("ParseStatusMap(%q): %v", tc.in, err)
			continue
		}
		got, ok := m[tc.state]
		if got != tc.want || ok == tc.gone {
			t.Errorf("ParseStatusMap(%q)[%s] = %+v (present %v), want %+v (present %v)", tc.in, tc.state, got, ok, tc.want, !tc.gone)
		}
	}
}

func TestParseStatusMapRefusals(t *testing.T) {
	for _, tc := range []struct{ in, says string }{
		{"acepted=OPEN", `unknown state "acepted"`},
		{"accepted", "want state=LEAD_STATUS"},
		{"accepted=", "no value for accepted"},
		{"accepted=/", "no value for accepted"},
		{"accepted=IN PROGRESS", "not a HubSpot internal value"},
		{"won=/customer/evangelist", "not a HubSpot internal value"},
	} {
		_, err := hubspot.ParseStatusMap(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.HasPrefix(err.Error(), "HUBSPOT_STATUS_MAP: ") {
			t.Errorf("ParseStatusMap(%q) = %v, want an error naming the setting and saying %q", tc.in, err, tc.says)
		}
	}
}

func TestStatusMapStringRoundTrips(t *testing.T) {
	m, err := hubspot.ParseStatusMap("lost=UNQUALIFIED,returned=-,qualified=OPEN_DEAL/salesqualifiedlead")
	if err != nil {
		t.Fatal(err)
	}
	back, err := hubspot.ParseStatusMap(m.String())
	if err != nil || !maps.Equal(m, back) {
		t.Errorf("%q parsed back to %v (%v), want %v", m.String(), back, err, m)
	}
}

var order = hubspot.StageOrder{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"}

func TestStageOrderNeverMovesBackwards(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"", "lead", true},
		{"lead", "salesqualifiedlead", true},
		{"marketingqualifiedlead", "customer", true},
		{"customer", "salesqualifiedlead", false},
		{"salesqualifiedlead", "salesqualifiedlead", false},
		{"opportunity", "salesqualifiedlead", false},
		{"retired-stage", "customer", false}, // unknown current: backwards cannot be ruled out
		{"lead", "no-such-stage", false},
	} {
		if got := order.Forward(tc.from, tc.to); got != tc.want {
			t.Errorf("Forward(%q, %q) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestChanges(t *testing.T) {
	m := hubspot.DefaultStatusMap()
	contact := func(props map[string]string) hubspot.Contact { return hubspot.Contact{ID: "1", Properties: props} }
	for _, tc := range []struct {
		name    string
		current map[string]string
		state   domain.State
		owner   string
		want    map[string]string
	}{
		{"accept sets owner and status", map[string]string{"lifecyclestage": "marketingqualifiedlead"}, domain.StateAccepted, "77",
			map[string]string{"hubspot_owner_id": "77", "hs_lead_status": "OPEN"}},
		{"the same move again writes nothing", map[string]string{"hubspot_owner_id": "77", "hs_lead_status": "OPEN"}, domain.StateAccepted, "77",
			map[string]string{}},
		{"an owner with no HubSpot owner leaves the owner", map[string]string{"hubspot_owner_id": "5"}, domain.StateContacted, "",
			map[string]string{"hs_lead_status": "CONNECTED"}},
		{"qualified moves the stage on", map[string]string{"lifecyclestage": "marketingqualifiedlead"}, domain.StateQualified, "",
			map[string]string{"lifecyclestage": "salesqualifiedlead"}},
		{"qualified never moves a customer back", map[string]string{"lifecyclestage": "customer"}, domain.StateQualified, "",
			map[string]string{}},
		{"won makes a customer", map[string]string{"lifecyclestage": "opportunity"}, domain.StateWon, "",
			map[string]string{"lifecyclestage": "customer"}},
		{"lost writes nothing by default", map[string]string{}, domain.StateLost, "", map[string]string{}},
	} {
		got := hubspot.Changes(m, order, contact(tc.current), tc.state, tc.owner)
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: Changes = %v, want %v", tc.name, got, tc.want)
		}
	}
}
