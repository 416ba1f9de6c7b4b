package routing

import (
	"fmt"
	"strings"
	"testing"
)

const returnFile = `pools:
  trio: {members: [U01A, U01B, U01C]}
rules:
  - {name: hold, when: {source: hold}, pool: trio}
  - {name: catch, when: {source: catch}, pool: trio, on_return: catch_up, catch_up_limit: 4}
`

// rotation drives one rule's pool turn by turn through Decide, carrying
// the state as storage would.
type rotation struct {
	t      *testing.T
	match  Match
	people map[string]Person
	state  State
}

func newRotation(t *testing.T, rule string) *rotation {
	r := mustParse(t, "return.yaml", []byte(returnFile))
	m, err := r.Match(Lead{Source: rule})
	if err != nil {
		t.Fatal(err)
	}
	return &rotation{t: t, match: m, people: everyone("U01A", "U01B", "U01C")}
}

// turns makes n assignments and returns who got each, as "ABCA…".
func (r *rotation) turns(n int) string {
	var b strings.Builder
	for range n {
		out, err := Decide(r.match, Snapshot{Now: now, People: r.people, States: map[string]State{"trio": r.state}})
		if err != nil {
			r.t.Fatal(err)
		}
		r.state = out.States["trio"]
		b.WriteString(strings.TrimPrefix(out.Decision.Assignee, "U01"))
	}
	return b.String()
}

func TestHoldPlaceAndCatchUp(t *testing.T) {
	cases := []struct {
		rule  string
		away  int    // turns A misses
		after string // who gets the next turns once A is back
	}{
		// Held place: A comes back into the rotation, no burst.
		{"hold", 2, "ABCABC"},
		{"hold", 300, "ABCABC"},
		// Catch-up: a third of each missed turn is owed, whole ones paid first.
		{"catch", 2, "ABCABC"},
		{"catch", 3, "ACABCA"},
		{"catch", 7, "AACABC"},
		// ... bounded by catch_up_limit (4), however long the absence.
		{"catch", 300, "AAAAABCABC"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s after %d", c.rule, c.away), func(t *testing.T) {
			r := newRotation(t, c.rule)
			if got := r.turns(6); got != "ABCABC" {
				t.Fatalf("before: %s", got)
			}
			r.people["U01A"] = Person{Away: true}
			if got := r.turns(c.away); strings.Contains(got, "A") {
				t.Fatalf("A got a turn while away: %s", got)
			}
			r.people["U01A"] = Person{}
			if got := r.turns(len(c.after)); got != c.after {
				t.Errorf("after return: %s, want %s", got, c.after)
			}
		})
	}
}

// TestReturnBurstIsBounded checks the documented bound in every window after
// a return at any point of the cycle: with hold place a person gets at most
// one turn more than their share, with catch-up at most catch_up_limit more.
func TestReturnBurstIsBounded(t *testing.T) {
	for _, rule := range []string{"hold", "catch"} {
		for lead := range 9 {
			for _, away := range []int{1, 5, 50} {
				r := newRotation(t, rule)
				r.turns(lead)
				r.people["U01B"] = Person{Away: true}
				r.turns(away)
				r.people["U01B"] = Person{}
				got := r.turns(30)
				extra := 1
				if rule == "catch" {
					extra += r.match.Rule.CatchUpLimit
				}
				for k := 1; k <= len(got); k++ {
					if n := strings.Count(got[:k], "B"); n > (k+2)/3+extra {
						t.Errorf("%s, %d turns in, away %d: B got %d of the first %d turns back (%s)", rule, lead, away, n, k, got)
						break
					}
				}
			}
		}
	}
}
