package routing

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Account is a company we already sell to, known by its email domain, and
// the rep who owns it: a colleague of an existing customer goes to that
// rep first when a rule says account_owner_first.
type Account struct {
	Domain  string `json:"domain"` // lower-case, such as acme.com
	Company string `json:"company"`
	Owner   string `json:"owner"` // Slack user ID
}

// accountColumns are the columns of an accounts CSV, in any order.
var accountColumns = []string{"domain", "company", "owner"}

// ReadAccounts reads an accounts CSV (a header naming domain, company and
// owner, then one account per row), for `handoffbot accounts import`. It
// reads the whole file and returns every bad row in one *ParseError (line
// numbers count the header as line 1), so an import is all or nothing.
func ReadAccounts(name string, r io.Reader) ([]Account, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ParseError{File: name, Problems: []Problem{{Line: 1, Message: "the file is empty; the first line must be: domain, company, owner"}}}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols, problems := accountHeader(header)
	if len(problems) > 0 {
		return nil, &ParseError{File: name, Problems: problems}
	}
	var out []Account
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		a, bad := accountRow(rec, cols, line)
		if first, dup := seen[a.Domain]; dup && a.Domain != "" {
			bad = append(bad, Problem{Line: line, Message: fmt.Sprintf("%s is already on line %d", a.Domain, first)})
		}
		if len(bad) > 0 {
			problems = append(problems, bad...)
			continue
		}
		seen[a.Domain] = line
		out = append(out, a)
	}
	if len(problems) > 0 {
		return nil, &ParseError{File: name, Problems: sorted(problems)}
	}
	return out, nil
}

// csvError places a CSV syntax error (such as a stray quote).
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Problems: []Problem{{Line: pe.Line, Column: pe.Column, Message: pe.Err.Error()}}}
	}
	return fmt.Errorf("accounts %s: %w", name, err)
}

// accountHeader maps each column name to its index, reporting missing,
// unknown and repeated columns.
func accountHeader(header []string) (map[string]int, []Problem) {
	cols := map[string]int{}
	var problems []Problem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch _, dup := cols[h]; {
		case !contains(accountColumns, h):
			problems = append(problems, Problem{Line: 1, Column: i + 1, Message: fmt.Sprintf("unknown column %q; the columns are domain, company, owner", h)})
		case dup:
			problems = append(problems, Problem{Line: 1, Column: i + 1, Message: fmt.Sprintf("column %q is given twice", h)})
		default:
			cols[h] = i
		}
	}
	for _, c := range accountColumns {
		if _, ok := cols[c]; !ok {
			problems = append(problems, Problem{Line: 1, Message: fmt.Sprintf("column %q is missing; the first line must name domain, company, owner", c)})
		}
	}
	return cols, problems
}

// accountRow reads one row, reporting every bad cell.
func accountRow(rec []string, cols map[string]int, line int) (Account, []Problem) {
	cell := func(c string) string {
		if i := cols[c]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	a := Account{Domain: normDomain(cell("domain")), Company: cell("company"), Owner: cell("owner")}
	var bad []Problem
	at := func(c, format string, args ...any) {
		bad = append(bad, Problem{Line: line, Column: cols[c] + 1, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case a.Domain == "":
		at("domain", "domain is empty")
	case !strings.Contains(a.Domain, ".") || strings.ContainsAny(a.Domain, "@/: "):
		at("domain", "%q is not an email domain such as acme.com", cell("domain"))
	case IsFreeMail(a.Domain):
		at("domain", "%s is a free-mail domain: anyone can have an address there, so it cannot belong to one account", a.Domain)
	}
	if !userIDShape.MatchString(a.Owner) {
		at("owner", "owner %q is not a Slack user ID such as U0123ABCD", a.Owner)
	}
	if len(rec) > len(accountColumns) {
		bad = append(bad, Problem{Line: line, Message: fmt.Sprintf("%d cells; expected %d", len(rec), len(accountColumns))})
	}
	return a, bad
}
