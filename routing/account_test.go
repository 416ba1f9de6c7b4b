package routing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadAccounts(t *testing.T) {
	in := "\ufeffDomain, Company, Owner\nAcme.com, \"Acme, Inc.\", U01DANA\n@globex.com, Globex, U01FOX\n"
	got, err := ReadAccounts("accounts.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Account{{"acme.com", "Acme, Inc.", "U01DANA"}, {"globex.com", "Globex", "U01FOX"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestReadAccountsNamesEveryBadRow(t *testing.T) {
	in := strings.Join([]string{
		"owner,domain,company",
		"U01DANA,acme.com,Acme",
		"dana,acme,Acme",
		"U01FOX,gmail.com,Gmail",
		"U01FOX,ACME.com,Acme again",
		",,",
		"U01FOX,beta.io,Beta,extra",
	}, "\n")
	want := []string{
		`3:1: owner "dana" is not a Slack user ID such as U0123ABCD`,
		`3:2: "acme" is not an email domain such as acme.com`,
		"4:2: gmail.com is a free-mail domain",
		"5: acme.com is already on line 2",
		`6:1: owner "" is not a Slack user ID`,
		"6:2: domain is empty",
		"7: 4 cells; expected 3",
	}
	_, err := ReadAccounts("a.csv", strings.NewReader(in))
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Problems) != len(want) {
		t.Fatalf("got %v", err)
	}
	for i, w := range want {
		if got := pe.Problems[i].String(); !strings.HasPrefix(got, w) {
			t.Errorf("problem %d = %q, want %q…", i, got, w)
		}
	}
}

func TestReadAccountsBadHeaderOrSyntax(t *testing.T) {
	cases := map[string]string{
		"":                                  "a.csv:1: the file is empty",
		"domain,company\nacme.com,Acme\n":   "a.csv: 1 problem\na.csv:1: column \"owner\" is missing",
		"domain,company,owner,region\n":     `a.csv:1:4: unknown column "region"`,
		"domain,domain,owner,company\n":     `a.csv:1:2: column "domain" is given twice`,
		"domain,company,owner\na\"b,c,U01A": `a.csv:2:2: bare " in non-quoted-field`,
	}
	for in, want := range cases {
		_, err := ReadAccounts("a.csv", strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
