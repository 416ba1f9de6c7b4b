package routing

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

const pickFile = `pools:
  team:
    members:
      - {person: U01A, weight: 2, max_open: 3}
      - {person: U01B, max_per_day: 2}
      - U01C
  backup: {members: [U01D]}
rules:
  - {name: owner, when: {source: owner}, account_owner_first: true, pool: team, fallback: {pool: backup}}
  - {name: hours, when: {source: hours}, pool: team, skip_outside_hours: true, fallback: {person: U01E}}
  - {name: named, when: {source: named}, person: U01E, fallback: {pool: backup}}
  - {name: plain, pool: team}
`

// now is the instant of every decision in these tests.
var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// everyone returns a status for each user: available, nothing open.
func everyone(users ...string) map[string]Person {
	m := map[string]Person{}
	for _, u := range users {
		m[u] = Person{}
	}
	return m
}

// skipsOf lists "user reason" for each skip, for compact comparison.
func skipsOf(d Decision) string {
	var out []string
	for _, s := range d.Skipped {
		out = append(out, s.User+" "+s.Words())
	}
	return strings.Join(out, "; ")
}

func TestDecide(t *testing.T) {
	r := mustParse(t, "pick.yaml", []byte(pickFile))
	acme := &Account{Domain: "acme.com", Company: "Acme", Owner: "U01C"}
	cases := []struct {
		name     string
		lead     Lead
		creator  string
		account  *Account
		change   func(map[string]Person)
		assignee string
		via      Via
		fallback bool
		skips    string
	}{
		{name: "heaviest weight goes first", assignee: "U01A", via: ViaRotation},
		{name: "away until a date", change: func(p map[string]Person) { p["U01A"] = Person{Away: true, AwayUntil: now.AddDate(0, 0, 3)} },
			assignee: "U01B", via: ViaRotation, skips: "U01A away until Mon 7 Dec"},
		{name: "away with no end", change: func(p map[string]Person) { p["U01A"] = Person{Away: true} },
			assignee: "U01B", via: ViaRotation, skips: "U01A away"},
		{name: "back from away", change: func(p map[string]Person) { p["U01A"] = Person{Away: true, AwayUntil: now} },
			assignee: "U01A", via: ViaRotation},
		{name: "deactivated", change: func(p map[string]Person) { p["U01A"] = Person{Deactivated: true, Away: true} },
			assignee: "U01B", via: ViaRotation, skips: "U01A deactivated"},
		{name: "the creator", creator: "U01A", assignee: "U01B", via: ViaRotation, skips: "U01A handing it off"},
		{name: "open cap", change: func(p map[string]Person) { p["U01A"] = Person{Open: 3} },
			assignee: "U01B", via: ViaRotation, skips: "U01A capped: 3 of 3 open"},
		{name: "daily cap", change: func(p map[string]Person) {
			p["U01A"] = Person{Open: 5}
			p["U01B"] = Person{Today: 2}
		}, assignee: "U01C", via: ViaRotation, skips: "U01A capped: 5 of 3 open; U01B capped: 2 of 2 today"},
		{name: "hours ignored unless the rule asks", change: func(p map[string]Person) { p["U01A"] = Person{OutsideHours: true} },
			assignee: "U01A", via: ViaRotation},
		{name: "outside hours", lead: Lead{Source: "hours"}, change: func(p map[string]Person) { p["U01A"] = Person{OutsideHours: true} },
			assignee: "U01B", via: ViaRotation, skips: "U01A outside working hours"},
		{name: "fallback person ignores hours", lead: Lead{Source: "hours"}, change: func(p map[string]Person) {
			for _, u := range []string{"U01A", "U01B", "U01C", "U01E"} {
				p[u] = Person{OutsideHours: true}
			}
		}, assignee: "U01E", via: ViaPerson, fallback: true,
			skips: "U01A outside working hours; U01B outside working hours; U01C outside working hours"},
		{name: "nobody and no fallback", change: func(p map[string]Person) {
			for _, u := range []string{"U01A", "U01B", "U01C"} {
				p[u] = Person{Away: true}
			}
		}, via: ViaNobody, skips: "U01A away; U01B away; U01C away"},
		{name: "account owner", lead: Lead{Source: "owner", Email: "jo@acme.com"}, account: acme, assignee: "U01C", via: ViaOwner},
		{name: "account owner away", lead: Lead{Source: "owner", Email: "jo@acme.com"}, account: acme,
			change:   func(p map[string]Person) { p["U01C"] = Person{Away: true, AwayUntil: now.AddDate(0, 0, 1)} },
			assignee: "U01A", via: ViaRotation, skips: "U01C account owner, away until Sat 5 Dec; U01C away until Sat 5 Dec"},
		{name: "account owner capped by their seat", lead: Lead{Source: "owner", Email: "jo@acme.com"},
			account: &Account{Domain: "acme.com", Owner: "U01A"}, change: func(p map[string]Person) { p["U01A"] = Person{Open: 3} },
			assignee: "U01B", via: ViaRotation, skips: "U01A account owner, capped: 3 of 3 open; U01A capped: 3 of 3 open"},
		{name: "account owner outside the pool", lead: Lead{Source: "owner", Email: "jo@acme.com"},
			account: &Account{Domain: "acme.com", Owner: "U01Z"}, assignee: "U01Z", via: ViaOwner},
		{name: "account owner handing it off", lead: Lead{Source: "owner", Email: "jo@acme.com"}, account: acme, creator: "U01C",
			assignee: "U01A", via: ViaRotation, skips: "U01C account owner, handing it off; U01C handing it off"},
		{name: "free mail never an account", lead: Lead{Source: "owner", Email: "jo@gmail.com"}, account: acme, assignee: "U01A", via: ViaRotation},
		{name: "fallback pool", lead: Lead{Source: "owner"}, change: func(p map[string]Person) {
			for _, u := range []string{"U01A", "U01B", "U01C"} {
				p[u] = Person{Deactivated: true}
			}
		}, assignee: "U01D", via: ViaRotation, fallback: true, skips: "U01A deactivated; U01B deactivated; U01C deactivated"},
		{name: "named person", lead: Lead{Source: "named"}, assignee: "U01E", via: ViaPerson},
		{name: "named person away", lead: Lead{Source: "named"}, change: func(p map[string]Person) { p["U01E"] = Person{Away: true} },
			assignee: "U01D", via: ViaRotation, fallback: true, skips: "U01E away"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := r.Match(c.lead)
			if err != nil {
				t.Fatal(err)
			}
			people := everyone("U01A", "U01B", "U01C", "U01D", "U01E", "U01Z")
			if c.change != nil {
				c.change(people)
			}
			out, err := Decide(m, Snapshot{Now: now, Creator: c.creator, People: people, Account: c.account})
			if err != nil {
				t.Fatal(err)
			}
			d := out.Decision
			if d.Assignee != c.assignee || d.Via != c.via || d.FallbackUsed != c.fallback || skipsOf(d) != c.skips {
				t.Errorf("got %s by %s (fallback %v), skipped %q\nwant %s by %s (fallback %v), skipped %q",
					d.Assignee, d.Via, d.FallbackUsed, skipsOf(d), c.assignee, c.via, c.fallback, c.skips)
			}
		})
	}
}

func TestDecideOwnerNotes(t *testing.T) {
	r := mustParse(t, "pick.yaml", []byte(pickFile))
	for email, want := range map[string]string{
		"":             "the lead has no email, so no account",
		"jo@gmail.com": "gmail.com is a free-mail domain, never an account",
		"jo@beta.io":   "no account for beta.io",
	} {
		m, _ := r.Match(Lead{Source: "owner", Email: email})
		out, err := Decide(m, Snapshot{Now: now, People: everyone("U01A", "U01B", "U01C", "U01D")})
		if err != nil {
			t.Fatal(err)
		}
		if out.Decision.OwnerNote != want || out.Decision.Account != nil {
			t.Errorf("%q: note %q, want %q", email, out.Decision.OwnerNote, want)
		}
	}
}

// TestDecideLeavesInputsAlone: a decision is state in, state out; the
// caller's maps are not changed, and an owner pick does not take a turn.
func TestDecideLeavesInputsAlone(t *testing.T) {
	r := mustParse(t, "pick.yaml", []byte(pickFile))
	m, _ := r.Match(Lead{Source: "owner", Email: "jo@acme.com"})
	in := map[string]State{"team": {Members: map[string]Standing{"U01A": {Current: 2}, "U01B": {Current: -1}, "U01C": {Current: -1}}}}
	keep := maps.Clone(in["team"].Members)
	snap := Snapshot{Now: now, People: everyone("U01A", "U01B", "U01C", "U01D"), States: in,
		Account: &Account{Domain: "acme.com", Owner: "U01C"}}
	out, err := Decide(m, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(in["team"].Members, keep) || !maps.Equal(out.States["team"].Members, keep) {
		t.Errorf("an account-owner pick changed the rotation: in %v, out %v", in["team"].Members, out.States["team"].Members)
	}
	if out.Decision.Via != ViaOwner {
		t.Fatalf("want an account-owner pick, got %+v", out.Decision)
	}
	snap.Account = nil
	out, err = Decide(m, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(in["team"].Members, keep) || maps.Equal(out.States["team"].Members, keep) {
		t.Errorf("a rotation pick must return a new state and leave the input alone: in %v, out %v", in["team"].Members, out.States["team"].Members)
	}
	if _, ok := out.States["backup"]; !ok {
		t.Errorf("states for every pool of the rule are returned, got %v", out.States)
	}
}

func TestDecideNeedsEveryStatus(t *testing.T) {
	r := mustParse(t, "pick.yaml", []byte(pickFile))
	m, _ := r.Match(Lead{})
	if _, err := Decide(m, Snapshot{Now: now, People: everyone("U01A", "U01B")}); err == nil || !strings.Contains(err.Error(), "U01C") {
		t.Errorf("Decide without U01C's status: %v", err)
	}
	if _, err := Decide(Match{}, Snapshot{}); err != ErrNoRule {
		t.Errorf("Decide with no rule: %v", err)
	}
}

// TestDecisionJSONRoundTrip: the decision is stored with the assignment
// event and read back for /handoff routing and re-routes.
func TestDecisionJSONRoundTrip(t *testing.T) {
	d := Decision{Rule: "EMEA", Pool: "emea", Assignee: "U01A", Via: ViaRotation, From: "emea", Account: &Account{Domain: "a.com", Owner: "U01B"},
		Skipped: []Skip{{User: "U01B", Reason: ReasonAway, Until: now, Pool: "emea", AccountOwner: true}, {User: "U01C", Reason: ReasonCappedOpen, Count: 3, Limit: 3}}}
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, d) || back.Line() != d.Line() {
		t.Errorf("round trip:\n%s\n%+v", data, back)
	}
}
