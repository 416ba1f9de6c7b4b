package routing

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// acmeWorld is the state of Acme's revenue team on Friday 4 December at
// 10:00 UTC, for the realistic rules file: who is in which group, who is
// away, capped or off work, and which accounts exist.
func acmeWorld() (groups map[string][]string, people map[string]Person, accounts map[string]*Account) {
	groups = map[string][]string{
		"S01EMEAREPS":  {"U01ERIK", "U01ELLA"}, // Slack's order; seats sort them
		"S01NORAMREPS": {"U01NORA", "U01NICK"},
		"S01MARKETING": {"U01MAYA", "U01MARK"},
	}
	people = everyone("U01PAT", "U01ZOE", "U01LIAM", "U01NOAH", "U01JONAS", "U01LENA", "U01RIYA", "U01SAM", "U01OMAR",
		"U01ERIK", "U01ELLA", "U01DANA", "U01FOX", "U01WALTER", "U01NORA", "U01NICK", "U01MIA", "U01KENJI", "U01PRIYA",
		"U01EVA", "U01MAYA", "U01MARK", "U01GINA", "U01HUGO")
	people["U01RIYA"] = Person{Away: true, AwayUntil: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	people["U01SAM"] = Person{Open: 15}
	people["U01ZOE"] = Person{OutsideHours: true}
	people["U01KENJI"] = Person{OutsideHours: true}
	people["U01DANA"] = Person{Away: true}
	accounts = map[string]*Account{
		"bigco.de":    {Domain: "bigco.de", Company: "BigCo GmbH", Owner: "U01LENA"},
		"globex.com":  {Domain: "globex.com", Company: "Globex", Owner: "U01FOX"},
		"initech.com": {Domain: "initech.com", Company: "Initech", Owner: "U01DANA"},
	}
	return groups, people, accounts
}

// resultLine and ruleLine read Explain's answer back, as a manager reads it.
var (
	resultLine = regexp.MustCompile(`(?m)^Result:\s+(\S+)`)
	ruleLine   = regexp.MustCompile(`(?m)^Rule:\s+line \d+ "([^"]+)"`)
)

// TestRealisticRulesLandWhereExplainSays routes leads of every territory
// and segment through the example file: each lands with the expected
// person, and Explain, what `routing explain` prints, says the same.
func TestRealisticRulesLandWhereExplainSays(t *testing.T) {
	rules := mustReadRules(t, "rules.yaml")
	cases := []struct {
		name   string
		lead   Lead
		change func(map[string]Person)
		rule   string
		want   string // assignee, or "nobody"
		line   string // the one-line explanation, when checked
	}{
		{name: "partner referral", lead: Lead{Source: "Partner portal", Country: "DE", Employees: intp(5000)},
			rule: "Partner referrals", want: "U01PAT"},
		{name: "partner away goes to fallback", lead: Lead{Source: "partner"}, change: func(p map[string]Person) { p["U01PAT"] = Person{Away: true} },
			rule: "Partner referrals", want: "U01GINA",
			line: "Routed by *Partner referrals* → <@U01GINA> (fallback pool *sales-general*); skipped <@U01PAT> (away)"},
		{name: "hot demo request skips the SDR off work", lead: Lead{Source: "demo request", Priority: "hot", Country: "US"},
			rule: "Hot demo requests", want: "U01LIAM", line: "Routed by *Hot demo requests* → <@U01LIAM>; skipped <@U01ZOE> (outside working hours)"},
		{name: "warm demo request is NORAM commercial", lead: Lead{Source: "demo request", Priority: "warm", Country: "US", Employees: intp(200)},
			rule: "NORAM commercial", want: "U01MIA"},
		{name: "DACH enterprise account owner", lead: Lead{Country: "DE", Employees: intp(12000), Email: "cto@bigco.de"},
			rule: "DACH enterprise", want: "U01LENA", line: "Routed by *DACH enterprise* → <@U01LENA> (account owner, *bigco.de*)"},
		{name: "DACH enterprise free mail", lead: Lead{Country: "AT", Employees: intp(1000), Email: "cto.bigco@gmail.com"},
			rule: "DACH enterprise", want: "U01JONAS"},
		{name: "DACH team away falls back to EMEA enterprise", lead: Lead{Country: "CH", Employees: intp(3000)},
			change: func(p map[string]Person) {
				p["U01JONAS"] = Person{Away: true}
				p["U01LENA"] = Person{Deactivated: true}
			}, rule: "DACH enterprise", want: "U01OMAR",
			line: "Routed by *DACH enterprise* → <@U01OMAR> (fallback pool *emea-enterprise*); skipped <@U01JONAS> (away), <@U01LENA> (deactivated), " +
				"<@U01RIYA> (away until Mon 7 Dec), <@U01SAM> (capped: 15 of 15 open)"},
		{name: "EMEA enterprise", lead: Lead{Country: "fr", Employees: intp(5000), Email: "dsi@bank.fr"},
			rule: "EMEA enterprise", want: "U01OMAR"},
		{name: "EMEA enterprise full falls back to commercial", lead: Lead{Country: "SE", Employees: intp(5000)},
			change: func(p map[string]Person) { p["U01OMAR"] = Person{Today: 4} }, rule: "EMEA enterprise", want: "U01ELLA"},
		{name: "EMEA commercial, unknown size", lead: Lead{Country: "GB"}, rule: "EMEA commercial", want: "U01ELLA"},
		{name: "EMEA commercial skips hours", lead: Lead{Country: "IE", Employees: intp(40)},
			change: func(p map[string]Person) { p["U01ELLA"] = Person{OutsideHours: true} }, rule: "EMEA commercial", want: "U01ERIK"},
		{name: "NORAM public sector", lead: Lead{Country: "US", Region: "DC", Industry: "Government", Employees: intp(35000)},
			rule: "NORAM public sector", want: "U01WALTER"},
		{name: "NORAM enterprise account owner", lead: Lead{Country: "CA", Employees: intp(2000), Email: "it@globex.com"},
			rule: "NORAM enterprise", want: "U01FOX"},
		{name: "NORAM enterprise owner away", lead: Lead{Country: "US", Employees: intp(9000), Email: "ceo@initech.com"},
			rule: "NORAM enterprise", want: "U01FOX",
			line: "Routed by *NORAM enterprise* → <@U01FOX>; skipped <@U01DANA> (account owner, away)"},
		{name: "APAC skips hours", lead: Lead{Country: "JP", Employees: intp(800)}, rule: "APAC", want: "U01PRIYA"},
		{name: "APAC asleep goes to fallback", lead: Lead{Country: "AU"},
			change: func(p map[string]Person) { p["U01PRIYA"] = Person{OutsideHours: true} }, rule: "APAC", want: "U01GINA"},
		{name: "outside every territory", lead: Lead{Country: "BR", Employees: intp(3000)}, rule: "Everything else to sales", want: "U01GINA"},
		{name: "no country, existing customer", lead: Lead{Email: "ops@globex.com"}, rule: "Everything else to sales", want: "U01FOX"},
		{name: "event contact to marketing", lead: Lead{Direction: "to_marketing", Source: "Event: Web Summit"},
			rule: "Event contacts to marketing", want: "U01EVA"},
		{name: "other marketing", lead: Lead{Direction: "to_marketing", Source: "referral"}, rule: "Everything else to marketing", want: "U01MARK"},
		{name: "marketing all away", lead: Lead{Direction: "to_marketing"}, change: func(p map[string]Person) {
			p["U01MARK"] = Person{Away: true}
			p["U01MAYA"] = Person{Away: true}
		}, rule: "Everything else to marketing", want: "nobody",
			line: "Routed by *Everything else to marketing* → nobody available; skipped <@U01MARK> (away), <@U01MAYA> (away)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			groups, people, accounts := acmeWorld()
			if c.change != nil {
				c.change(people)
			}
			m, err := rules.Match(c.lead)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Decide(m, Snapshot{Now: now, Groups: groups, People: people, Account: accounts[m.Lead.AccountDomain()]})
			if err != nil {
				t.Fatal(err)
			}
			d := out.Decision
			got := d.Assignee
			if got == "" {
				got = "nobody"
			}
			if d.Rule != c.rule || got != c.want {
				t.Errorf("routed by %q to %s, want %q to %s", d.Rule, got, c.rule, c.want)
			}
			text := Explain(m, d)
			if r := ruleLine.FindStringSubmatch(text); r == nil || r[1] != d.Rule {
				t.Errorf("Explain names rule %v, the decision %q:\n%s", r, d.Rule, text)
			}
			if r := resultLine.FindStringSubmatch(text); r == nil || r[1] != got {
				t.Errorf("Explain's result %v, the decision %s:\n%s", r, got, text)
			}
			if c.line != "" && d.Line() != c.line {
				t.Errorf("Line:\n got %s\nwant %s", d.Line(), c.line)
			}
		})
	}
}

func TestExplainText(t *testing.T) {
	rules := mustReadRules(t, "rules.yaml")
	groups, people, accounts := acmeWorld()
	m, err := rules.Match(Lead{Country: "US", Employees: intp(9000), Email: "ceo@initech.com", Source: "web form"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decide(m, Snapshot{Now: now, Groups: groups, People: people, Account: accounts["initech.com"]})
	if err != nil {
		t.Fatal(err)
	}
	want := `Lead:      to_sales · priority warm · source web form · country US · employees 9000 · domain initech.com
Missed:    line 68 "Partner referrals": source is web form, the rule wants partner*
           line 76 "Hot demo requests": priority is warm, the rule wants hot
           line 85 "DACH enterprise": country is US, the rule wants DACH
           line 94 "EMEA enterprise": country is US, the rule wants EMEA
           line 106 "EMEA commercial": country is US, the rule wants EMEA
           line 114 "NORAM public sector": industry is not given, the rule wants government, education, public sector
Rule:      line 122 "NORAM enterprise": direction to_sales; country NORAM; employees 1000+
Sends to:  the account's owner, else pool noram-enterprise (fallback pool noram-commercial) — re-routes up to 1× on an accept breach
Account:   initech.com (Initech), owner U01DANA
Skipped:   U01DANA: account owner, away
           U01DANA in pool noram-enterprise: away
Result:    U01FOX by rotation of pool noram-enterprise
`
	if got := Explain(m, out.Decision); got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(want, "<@") {
		t.Error("the CLI text must show plain user IDs")
	}
}
