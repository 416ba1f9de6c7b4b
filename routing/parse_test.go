package routing

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// mustParse parses a rules file that must be valid.
func mustParse(t testing.TB, name string, data []byte) *Rules {
	t.Helper()
	r, err := Parse(name, data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

// mustReadRules parses a rules file from testdata.
func mustReadRules(t testing.TB, name string) *Rules {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, name, data)
}

// mustProblems parses a file that must be invalid and returns its problems.
func mustProblems(t *testing.T, data string) []Problem {
	t.Helper()
	_, err := Parse("f.yaml", []byte(data))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse: want a *ParseError, got %v", err)
	}
	return pe.Problems
}

func TestParseExampleIsCleanAndComplete(t *testing.T) {
	r := mustReadRules(t, "rules.yaml")
	if len(r.Warnings) != 0 {
		t.Errorf("warnings: %v", r.Warnings)
	}
	if len(r.List) < 10 {
		t.Errorf("the example should have 10+ rules, has %d", len(r.List))
	}
	emea := r.Territories[3]
	if emea.Name != "EMEA" || len(emea.Countries) != 23 {
		t.Errorf("EMEA = %s with %d countries %v, want 23 (nested territories expanded)", emea.Name, len(emea.Countries), emea.Countries)
	}
	pool, ok := r.Pool("EMEA-Enterprise")
	if !ok || pool.Members[0].Weight != 2 || pool.Members[0].MaxOpen != 15 || pool.Members[2].MaxPerDay != 4 || pool.Members[1].MaxPerDay != 0 {
		t.Errorf("emea-enterprise members = %+v, want pool defaults under member settings", pool)
	}
}

// TestParseBadFileNamesEveryProblem is `routing check` on a file with a bit
// of everything wrong: every problem is reported, in line order, placed.
func TestParseBadFileNamesEveryProblem(t *testing.T) {
	data, err := os.ReadFile("testdata/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		text string
	}{
		{1, "version 2 is not known"},
		{2, `unknown key "teritories" in the file (did you mean "territories"?)`},
		{8, "max_open must be 1 or more, not -1"},
		{10, `unknown key "wieght" in pool emea member (did you mean "weight"?)`},
		{11, "weight must be 1 or more, not 0"},
		{12, `"@omar" is neither a Slack user ID (U…) nor a user-group ID (S…)`},
		{13, "U01RIYA is listed twice (first on line 10)"},
		{14, "S01TEAM is a user-group ID; write it as group: S01TEAM"},
		{16, "pool empty: members must be a list with at least one person or group"},
		{20, `unknown territory "EMEA"`},
		{20, `unknown territory "Asia"`},
		{21, `range "1000-50" runs backwards; write 50-1000`},
		{21, `"lots" is not a whole number`},
		{22, `"urgent" is not one of hot, warm, cold`},
		{23, `unknown key "colour"`},
		{24, `unknown pool "emea-enterprise" (pools: emea, empty)`},
		{27, `rule "Enterprise" can never match: every lead it would take goes to rule "Everyone" (line 25) first`},
		{27, `rule name "Enterprise" is used twice (first on line 18)`},
		{31, "on_return must be hold_place or catch_up"},
		{32, "catch_up_limit only applies with on_return: catch_up"},
		{33, `rule "Named" can never match`},
		{34, `person "riya" is not a Slack user ID`},
		{35, "reroute_on_breach needs a pool:"},
		{36, "fallback needs exactly one of pool: or person:"},
	}
	_, err = Parse("bad.yaml", data)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want a *ParseError, got %v", err)
	}
	got := pe.Problems
	for i, w := range want {
		if i >= len(got) {
			t.Errorf("missing problem %d: line %d %q", i, w.line, w.text)
			continue
		}
		if got[i].Line != w.line || !strings.Contains(got[i].Message, w.text) {
			t.Errorf("problem %d = %s, want line %d containing %q", i, got[i], w.line, w.text)
		}
	}
	for _, extra := range got[min(len(want), len(got)):] {
		t.Errorf("unexpected problem: %s", extra)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "bad.yaml: 24 problems\nbad.yaml:1:10: version 2") {
		t.Errorf("Error() starts %q", msg[:min(60, len(msg))])
	}
}

// base is a valid head for small rules files: one territory, two pools.
const base = `territories:
  DACH: [DE, AT, CH]
pools:
  a: {members: [U01A, U01B]}
  b: {members: [{group: S01B}]}
rules:
`

func TestParseProblems(t *testing.T) {
	cases := []struct {
		name, file string
		line       int
		want       string
	}{
		{"yaml syntax", "pools:\n  a: {members: [U01A]}\n  rules: x\n    pool: a\n", 4, "YAML syntax: mapping values are not allowed"},
		{"tab indent", "pools:\n\ta: {members: [U01A]}\n", 2, "YAML syntax: found character that cannot start any token"},
		{"empty file", "", 1, "the file is empty"},
		{"not a mapping", "- a\n- b\n", 1, "the file must be a mapping"},
		{"no rules", "pools:\n  a: {members: [U01A]}\n", 1, "the file has no rules:"},
		{"territory named like a country", "territories:\n  NA: [US, CA]\n" + base[len("territories:\n"):] + "  - {name: x, pool: a}\n", 2, `"NA" is too short`},
		{"UK is not ISO", "territories:\n  Europe: [UK]\n" + base[len("territories:\n"):] + "  - {name: x, pool: a}\n", 2, `"UK" is not an ISO 3166-1 country code; write GB`},
		{"bad country code in a rule", base + "  - {name: x, pool: a, when: {country: [DE, QQ]}}\n", 7, `"QQ" is not an ISO 3166-1 alpha-2 country code`},
		{"territory used before defined", "territories:\n  EMEA: [DACH]\n  DACH: [DE]\npools:\n  a: {members: [U01A]}\nrules:\n  - {name: x, pool: a}\n", 2, `unknown territory "DACH"`},
		{"duplicate pool", base + "  - {name: x, pool: a}\n" + "pools2: 1\n", 8, `unknown key "pools2"`},
		{"duplicate key", "pools:\n  a: {members: [U01A]}\npools:\n  b: {members: [U01B]}\nrules:\n  - {name: x, pool: a}\n", 3, `"pools" is given twice`},
		{"merge key", base + "  - {<<: {name: y}, name: x, pool: a}\n", 7, "merge keys (<<) are not supported"},
		{"both pool and person", base + "  - {name: x, pool: a, person: U01A}\n", 7, "has both pool: and person:"},
		{"neither pool nor person", base + "  - {name: x}\n", 7, "says neither pool: nor person:"},
		{"rule without a name", base + "  - {pool: a}\n", 7, "rule 1 has no name:"},
		{"fallback is its own pool", base + "  - {name: x, pool: a, fallback: {pool: A}}\n", 7, "the fallback is the rule's own pool"},
		{"group as person", base + "  - {name: x, person: S01B}\n", 7, `person "S01B" is not a Slack user ID`},
		{"lone wildcard", base + "  - {name: x, pool: a, when: {source: '*'}}\n", 7, "a lone * matches every source"},
		{"inner wildcard", base + "  - {name: x, pool: a, when: {campaign: 'q*4'}}\n", 7, "only a * at the end"},
		{"bad direction", base + "  - {name: x, pool: a, when: {direction: sales}}\n", 7, `"sales" is not one of to_sales, to_marketing`},
		{"bad domain", base + "  - {name: x, pool: a, when: {email_domain: 'jane@acme'}}\n", 7, "is not an email domain"},
		{"bad boolean", base + "  - {name: x, pool: a, skip_outside_hours: sometimes}\n", 7, "must be true or false"},
		{"negative reroute", base + "  - {name: x, pool: a, reroute_on_breach: -1}\n", 7, "reroute_on_breach must be 0 or more"},
		{"cap of zero", "pools:\n  a:\n    members: [{person: U01A, max_per_day: 0}]\nrules:\n  - {name: x, pool: a}\n", 3, "max_per_day must be 1 or more, not 0 (leave max_per_day out for no cap)"},
		{"weight not a number", "pools:\n  a:\n    members: [{person: U01A, weight: 1.5}]\nrules:\n  - {name: x, pool: a}\n", 3, `weight must be a whole number, not "1.5"`},
		{"member with both", "pools:\n  a:\n    members: [{person: U01A, group: S01B}]\nrules:\n  - {name: x, pool: a}\n", 3, "exactly one of person: or group:"},
		{"pool without members", "pools:\n  a: {weight: 2}\nrules:\n  - {name: x, pool: a}\n", 2, "pool a has no members:"},
		{"specific after general", base + "  - {name: DACH, pool: a, when: {country: DACH}}\n  - {name: Germany big, pool: b, when: {country: DE, employees: 1000+}}\n", 8,
			`rule "Germany big" can never match: every lead it would take goes to rule "DACH" (line 7) first`},
		{"range inside range", base + "  - {name: mid, pool: a, when: {employees: 100-5000}}\n  - {name: big, pool: b, when: {employees: [200-300, 1000-2000]}}\n", 8, `goes to rule "mid"`},
		{"prefix covers", base + "  - {name: events, pool: a, when: {source: 'event*'}}\n  - {name: expo, pool: b, when: {source: [Event expo, events*]}}\n", 8, `goes to rule "events"`},
		{"parent domain covers", base + "  - {name: acme, pool: a, when: {email_domain: acme.com}}\n  - {name: acme eu, pool: b, when: {email_domain: eu.acme.com}}\n", 8, `goes to rule "acme"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := mustProblems(t, c.file)
			for _, p := range ps {
				if p.Line == c.line && strings.Contains(p.Message, c.want) {
					return
				}
			}
			t.Errorf("want line %d containing %q; got %v", c.line, c.want, ps)
		})
	}
}

// TestParseNotShadowed guards the other side of the shadowing check: rules
// that overlap without being covered are fine.
func TestParseNotShadowed(t *testing.T) {
	files := []string{
		"  - {name: DE big, pool: a, when: {country: DE, employees: 1000+}}\n  - {name: DACH, pool: b, when: {country: DACH}}\n",
		"  - {name: mid, pool: a, when: {employees: 100-5000}}\n  - {name: mid or unknown, pool: b, when: {employees: [200-300, unknown]}}\n",
		"  - {name: events, pool: a, when: {source: 'event*'}}\n  - {name: webinars, pool: b, when: {source: [event, webinar]}}\n",
		"  - {name: eu, pool: a, when: {email_domain: eu.acme.com}}\n  - {name: acme, pool: b, when: {email_domain: acme.com}}\n",
		"  - {name: hot sales, pool: a, when: {direction: to_sales, priority: hot}}\n  - {name: sales, pool: b, when: {direction: to_sales}}\n",
	}
	for _, f := range files {
		if _, err := Parse("f.yaml", []byte(base+f)); err != nil {
			t.Errorf("%s\n%v", f, err)
		}
	}
}

func TestParseWarnings(t *testing.T) {
	r := mustParse(t, "f.yaml", []byte(base+"  - {name: sales, pool: a, when: {direction: to_sales}}\n"))
	var got []string
	for _, w := range r.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"no rule catches every lead to_marketing: those that match no rule go to the team's plain rotation",
		`2: territory "DACH" is not used by any rule`,
		`5: pool "b" is not used by any rule`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseFriendlySpellings(t *testing.T) {
	r := mustParse(t, "f.yaml", []byte(base+`  - name: x
    when: {direction: To Sales, priority: [HOT, warm], country: [de, Dach], employees: "1,000+"}
    pool: A
    on_return: Catch up
    skip_outside_hours: yes
  - {name: rest, pool: b}
`))
	rule := r.List[0]
	if rule.Pool.Name != "a" || rule.OnReturn != CatchUp || rule.CatchUpLimit != DefaultCatchUpLimit || !rule.SkipOutsideHours {
		t.Errorf("rule = %+v", rule)
	}
	n := 5000
	if m, err := r.Match(Lead{Direction: "to_sales", Priority: "hot", Country: "AT", Employees: &n}); err != nil || m.Rule != rule {
		t.Errorf("Match = %v, %v; want rule x", m.Rule, err)
	}
}
