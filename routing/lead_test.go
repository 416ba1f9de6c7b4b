package routing

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseLeadFlags(t *testing.T) {
	l, rest, err := ParseLeadFlags([]string{"--country", "de", "--employees", "2,500", "--email", "Jo@Acme.com", "--source", "web form", "extra"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Lead{Direction: "to_sales", Priority: "warm", Country: "de", Employees: intp(2500), Email: "Jo@Acme.com", Source: "web form"}
	if !reflect.DeepEqual(l, want) || len(rest) != 1 || rest[0] != "extra" {
		t.Errorf("got %+v %v", l, rest)
	}
	if l.Domain() != "acme.com" || l.AccountDomain() != "acme.com" {
		t.Errorf("domain %q", l.Domain())
	}
	l, _, err = ParseLeadFlags([]string{"--json", `{"country":"FR","employees":12}`}, io.Discard)
	if err != nil || l.Country != "FR" || *l.Employees != 12 {
		t.Errorf("--json: %+v, %v", l, err)
	}
	for _, bad := range [][]string{{"--json", `{"country":"FR"}`, "--country", "DE"}, {"--employees", "many"}, {"--country", "UK"}, {"--priority", "urgent"}, {"--direction", "sales"}, {"--colour", "red"}} {
		if _, _, err := ParseLeadFlags(bad, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestParseLeadJSON(t *testing.T) {
	l, err := ParseLeadJSON([]byte(`{"direction":"to_marketing","country":"US","region":"CA","employees":null,"email":"a@gmail.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	if l.Direction != "to_marketing" || l.Employees != nil || l.Region != "CA" || l.AccountDomain() != "" {
		t.Errorf("got %+v (account domain %q)", l, l.AccountDomain())
	}
	cases := map[string]string{
		`{"contry":"US"}`:     `unknown field "contry"`,
		`{"employees":-3}`:    "employees cannot be negative",
		`{"country":"USA"}`:   `country "USA" is not an ISO 3166-1 alpha-2 code`,
		`{"country":"US"} {}`: "more than one JSON value",
		`[1]`:                 "cannot unmarshal array",
	}
	for in, want := range cases {
		if _, err := ParseLeadJSON([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

func TestLineEscapesNamesFromTheFile(t *testing.T) {
	d := Decision{Rule: "<!channel> & friends", Assignee: "U01A", Via: ViaOwner, Account: &Account{Domain: "a<b>.com"}}
	want := "Routed by *&lt;!channel&gt; &amp; friends* → <@U01A> (account owner, *a&lt;b&gt;.com*)"
	if got := d.Line(); got != want {
		t.Errorf("Line:\n got %s\nwant %s", got, want)
	}
}

func TestShares(t *testing.T) {
	seats := []Seat{{User: "U01A", Weight: 2}, {User: "U01B", Weight: 1}, {User: "U01C", Weight: 1}}
	got := Shares(seats, map[string]int{"U01A": 30, "U01B": 10, "U01GONE": 99})
	want := []Share{{"U01A", 2, 30, 0.75, 0.5}, {"U01B", 1, 10, 0.25, 0.25}, {"U01C", 1, 0, 0, 0.25}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := Shares(seats, nil); got[0].Share != 0 || got[0].Expected != 0.5 {
		t.Errorf("no handoffs: %+v", got)
	}
}

// TestDefaultIsThePlainTeamRotation: without a file each team takes
// handoffs in turn, groups included, as the old rotation did.
func TestDefaultIsThePlainTeamRotation(t *testing.T) {
	r, err := Default([]string{"U01S2", "S01SALES"}, []string{"U01M"})
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{"S01SALES": {"U01S3", "U01S1"}}
	people := everyone("U01S1", "U01S2", "U01S3", "U01M")
	var state State
	var got []string
	for range 6 {
		m, err := r.Match(Lead{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := Decide(m, Snapshot{Now: now, Groups: groups, People: people, States: map[string]State{"sales": state}})
		if err != nil {
			t.Fatal(err)
		}
		state = out.States["sales"]
		got = append(got, out.Decision.Assignee)
	}
	if strings.Join(got, " ") != "U01S2 U01S1 U01S3 U01S2 U01S1 U01S3" {
		t.Errorf("sales rotation: %v", got)
	}
	if m, _ := r.Match(Lead{Direction: "to_marketing"}); m.Rule.Pool.Name != "marketing" {
		t.Errorf("marketing lead went to %s", m.Rule.Name)
	}
	if _, err := Default([]string{"@sales"}, nil); err == nil {
		t.Error("a name instead of an ID must be refused")
	}
}
