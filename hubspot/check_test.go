package hubspot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/fakehubspot"
	"github.com/handoffbot/handoffbot/hubspot"
)

func checkWith(t *testing.T, s *fakehubspot.Server, token, statusMap string, people ...hubspot.Person) hubspot.Report {
	t.Helper()
	m, err := hubspot.ParseStatusMap(statusMap)
	if err != nil {
		t.Fatal(err)
	}
	return hubspot.Check(context.Background(), mustClient(t, s, token), hubspot.CheckConfig{MQLStage: mql, StatusMap: m, People: people})
}

// problem finds the problem whose What contains what.
func problem(r hubspot.Report, what string) (hubspot.Problem, bool) {
	for _, p := range r.Problems {
		if strings.Contains(p.What, what) {
			return p, true
		}
	}
	return hubspot.Problem{}, false
}

func TestCheckPassesAGoodSetup(t *testing.T) {
	s, _ := mustFake(t)
	s.AddOwner(fakehubspot.Owner{Email: "bob@acme.example"})
	r := checkWith(t, s, "", "", hubspot.Person{SlackID: "UBOB", Email: "Bob@acme.example"})
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %+v", r.Problems)
	}
	if len(r.Passed) < 10 {
		t.Errorf("passed only: %q", r.Passed)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	s, _ := mustFake(t)
	s.AddToken("pat-no-owners", fakehubspot.ScopeContactsRead, fakehubspot.ScopeContactsWrite)
	s.RemoveOption("hs_lead_status", "BAD_TIMING")
	s.AddOwner(fakehubspot.Owner{Email: "bob@acme.example"})
	for _, tc := range []struct {
		name, token, statusMap string
		people                 []hubspot.Person
		what, fix              string
	}{
		{"missing scope", "pat-no-owners", "", nil, "lacks the scope crm.objects.owners.read", "add crm.objects.owners.read"},
		{"owners refused by 403", "pat-no-owners", "", []hubspot.Person{{SlackID: "UBOB", Email: "bob@acme.example"}},
			"refuses to list the HubSpot owners", "crm.objects.owners.read"},
		{"removed lead status", "", "", nil, "returned writes the lead status BAD_TIMING", "add the option BAD_TIMING"},
		{"unknown lifecycle stage", "", "won=/champion", nil, "won writes the lifecycle stage champion", "customer"},
		{"person with no owner", "", "", []hubspot.Person{{SlackID: "UCAROL", Email: "carol@acme.example"}},
			"UCAROL (carol@acme.example) is no HubSpot owner", "Users & Teams"},
		{"person with no email", "", "", []hubspot.Person{{SlackID: "UDAN"}}, "UDAN shows no email", "users:read.email"},
	} {
		r := checkWith(t, s, tc.token, tc.statusMap, tc.people...)
		p, ok := problem(r, tc.what)
		if !ok || !strings.Contains(p.Fix, tc.fix) {
			t.Errorf("%s: want a problem %q fixed by %q, got %+v", tc.name, tc.what, tc.fix, r.Problems)
		}
	}
}

func TestCheckMQLStage(t *testing.T) {
	s, _ := mustFake(t)
	r := hubspot.Check(context.Background(), mustClient(t, s, ""), hubspot.CheckConfig{MQLStage: "mql", StatusMap: hubspot.DefaultStatusMap()})
	if p, ok := problem(r, "HUBSPOT_MQL_STAGE=mql is no lifecycle stage"); !ok || !strings.Contains(p.Fix, "marketingqualifiedlead") {
		t.Errorf("problems: %+v", r.Problems)
	}
	s.AddLifecycleStage("1234567", "Product qualified lead")
	r = hubspot.Check(context.Background(), mustClient(t, s, ""), hubspot.CheckConfig{MQLStage: "1234567", StatusMap: hubspot.DefaultStatusMap()})
	if len(r.Problems) > 0 {
		t.Errorf("a custom stage as the MQL stage: %+v", r.Problems)
	}
}

func TestCheckBadTokenStopsEarly(t *testing.T) {
	s, _ := mustFake(t)
	r := checkWith(t, s, "pat-wrong", "")
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].What, "refuses HUBSPOT_TOKEN") ||
		!strings.Contains(r.Problems[0].Fix, "Service Key") || len(r.Skipped) != 1 {
		t.Errorf("report: %+v", r)
	}
	if strings.Contains(r.Problems[0].What+r.Problems[0].Fix, "pat-wrong") {
		t.Error("the token appears in the report")
	}
	s.Outage()
	r = checkWith(t, s, "", "")
	if _, ok := problem(r, "cannot be reached"); !ok {
		t.Errorf("outage: %+v", r.Problems)
	}
}

func TestCheckWhenScopesCannotBeListed(t *testing.T) {
	s, _ := mustFake(t)
	s.Fault("token.info", fakehubspot.Fault{Status: http.StatusNotFound})
	r := checkWith(t, s, "", "")
	if len(r.Problems) > 0 || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0], "did not list") {
		t.Errorf("report: %+v", r)
	}
}
