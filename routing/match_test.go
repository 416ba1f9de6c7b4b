package routing

import (
	"errors"
	"testing"
)

// intp is a head count for a Lead.
func intp(n int) *int { return &n }

const matchFile = `territories:
  DACH: [DE, AT, CH]
pools:
  a: {members: [U01A]}
rules:
  - {name: marketing, pool: a, when: {direction: to_marketing}}
  - {name: web q4, pool: a, when: {source: [Web Form], campaign: 'Q4*'}}
  - {name: cold, pool: a, when: {priority: cold}}
  - {name: dach, pool: a, when: {country: DACH}}
  - {name: california, pool: a, when: {country: US, region: [CA, California]}}
  - {name: small, pool: a, when: {employees: 1-49}}
  - {name: retail unknown size, pool: a, when: {employees: unknown, industry: retail}}
  - {name: acme, pool: a, when: {email_domain: acme.com}}
  - {name: rest, pool: a, when: {direction: to_sales}}
`

func TestMatch(t *testing.T) {
	r := mustParse(t, "match.yaml", []byte(matchFile))
	cases := []struct {
		name string
		lead Lead
		want string
	}{
		{"direction", Lead{Direction: "to_marketing", Priority: "cold"}, "marketing"},
		{"empty direction is to sales", Lead{Priority: "cold"}, "cold"},
		{"source and campaign fold case and spaces", Lead{Source: " web  FORM", Campaign: "q4 Security"}, "web q4"},
		{"campaign prefix must hold too", Lead{Source: "web form", Campaign: "Q3 security"}, "rest"},
		{"priority", Lead{Priority: "Cold"}, "cold"},
		{"territory", Lead{Country: "at"}, "dach"},
		{"country outside the territory", Lead{Country: "FR"}, "rest"},
		{"region", Lead{Country: "US", Region: "california"}, "california"},
		{"region without country", Lead{Region: "CA"}, "rest"},
		{"range low edge", Lead{Employees: intp(1)}, "small"},
		{"range high edge", Lead{Employees: intp(49)}, "small"},
		{"above range", Lead{Employees: intp(50)}, "rest"},
		{"unknown head count", Lead{Industry: "Retail"}, "retail unknown size"},
		{"known head count is not unknown", Lead{Industry: "Retail", Employees: intp(500)}, "rest"},
		{"domain", Lead{Email: "Jane@ACME.com"}, "acme"},
		{"subdomain", Lead{Email: "jane@eu.acme.com"}, "acme"},
		{"lookalike domain", Lead{Email: "jane@notacme.com"}, "rest"},
		{"no email", Lead{}, "rest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := r.Match(c.lead)
			if err != nil {
				t.Fatal(err)
			}
			if m.Rule.Name != c.want {
				t.Errorf("rule = %q, want %q; misses %v", m.Rule.Name, c.want, m.Misses)
			}
		})
	}
}

func TestMatchSaysWhyEachRuleMissed(t *testing.T) {
	r := mustParse(t, "match.yaml", []byte(matchFile))
	m, err := r.Match(Lead{Country: "FR", Source: "web form", Employees: intp(200)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"direction is to_sales, the rule wants to_marketing",
		"campaign is not given, the rule wants Q4*",
		"priority is warm, the rule wants cold",
		"country is FR, the rule wants DACH",
		"country is FR, the rule wants US",
		"employees is 200, the rule wants 1-49",
		"employees is 200, the rule wants unknown",
		"email_domain is not given, the rule wants acme.com",
	}
	if len(m.Misses) != len(want) {
		t.Fatalf("misses = %v", m.Misses)
	}
	for i, w := range want {
		if m.Misses[i].Why != w {
			t.Errorf("miss %d (%s) = %q, want %q", i, m.Misses[i].Rule, m.Misses[i].Why, w)
		}
	}
}

func TestMatchNoRule(t *testing.T) {
	r := mustParse(t, "f.yaml", []byte("pools:\n  a: {members: [U01A]}\nrules:\n  - {name: de, pool: a, when: {country: DE}}\n"))
	m, err := r.Match(Lead{Country: "FR"})
	if !errors.Is(err, ErrNoRule) || len(m.Misses) != 1 {
		t.Errorf("Match = %+v, %v; want ErrNoRule with one miss", m, err)
	}
}
