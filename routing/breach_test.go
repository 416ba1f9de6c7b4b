package routing

import "testing"

func TestNextOnBreach(t *testing.T) {
	r := mustReadRules(t, "rules.yaml")
	hot, _ := r.Rule("hot demo requests") // re-routes at most twice
	emea, _ := r.Rule("EMEA commercial")  // never re-routes
	cases := []struct {
		name     string
		rule     *Rule
		had      []string
		reroutes int
		change   func(map[string]Person)
		want     string // assignee, or "escalate"
		line     string
	}{
		{name: "first re-route", rule: hot, had: []string{"U01ZOE"}, want: "U01LIAM",
			line: "Re-routed by *Hot demo requests* after the accept SLA breach (1 of 2) → <@U01LIAM>; skipped <@U01ZOE> (already had it)"},
		{name: "second skips both earlier owners", rule: hot, had: []string{"U01ZOE", "U01LIAM"}, reroutes: 1, want: "U01NOAH"},
		{name: "limit reached", rule: hot, had: []string{"U01ZOE", "U01LIAM", "U01NOAH"}, reroutes: 2, want: "escalate",
			line: "*Hot demo requests* re-routed it 2 times already: escalated"},
		{name: "nobody left", rule: hot, had: []string{"U01ZOE"}, change: func(p map[string]Person) {
			p["U01LIAM"] = Person{Away: true}
			p["U01NOAH"] = Person{Open: 30}
		}, want: "escalate",
			line: "Re-routed by *Hot demo requests* after the accept SLA breach (1 of 2) → nobody left to re-route to: escalated; " +
				"skipped <@U01ZOE> (already had it), <@U01LIAM> (away), <@U01NOAH> (capped: 30 of 30 open)"},
		{name: "rule does not re-route", rule: emea, had: []string{"U01ELLA"}, want: "escalate",
			line: "*EMEA commercial* does not re-route after a breach: escalated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			groups, people, _ := acmeWorld()
			people["U01ZOE"] = Person{}
			if c.change != nil {
				c.change(people)
			}
			out, err := NextOnBreach(c.rule, Snapshot{Now: now, Groups: groups, People: people}, c.had, c.reroutes)
			if err != nil {
				t.Fatal(err)
			}
			d := out.Decision
			got := d.Assignee
			if d.Escalate {
				got = "escalate"
			}
			if got != c.want || (d.Escalate && d.Assignee != "") {
				t.Errorf("got %s (%+v), want %s", got, d, c.want)
			}
			if c.line != "" && d.Line() != c.line {
				t.Errorf("Line:\n got %s\nwant %s", d.Line(), c.line)
			}
		})
	}
}
