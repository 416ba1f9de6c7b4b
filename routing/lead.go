package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Lead is what routing looks at in a handoff: the fields a rule can test.
// It is deliberately flat and free of storage types so that `routing
// explain` can build one from flags or JSON exactly as the bot builds one
// from a new handoff, and both get the same answer.
type Lead struct {
	Direction string `json:"direction"` // to_sales or to_marketing
	Source    string `json:"source"`
	Campaign  string `json:"campaign"`
	Priority  string `json:"priority"` // hot, warm or cold
	Country   string `json:"country"`  // ISO 3166-1 alpha-2
	Region    string `json:"region"`   // state or province
	Employees *int   `json:"employees"`
	Industry  string `json:"industry"`
	Email     string `json:"email"`
}

// Domain is the lead's email domain, lower-cased, or "" without a usable
// email. Rules on email_domain compare against it.
func (l Lead) Domain() string {
	at := strings.LastIndexByte(l.Email, '@')
	if at < 0 {
		return ""
	}
	return normDomain(l.Email[at+1:])
}

// AccountDomain is the domain to look up in the accounts table, or "" when
// there is none to look up: no email, or a free-mail domain, which says
// nothing about the lead's employer.
func (l Lead) AccountDomain() string {
	d := l.Domain()
	if IsFreeMail(d) {
		return ""
	}
	return d
}

// normDomain lower-cases a domain and drops a leading @ or trailing dot, so
// "@Acme.com." and "acme.com" are the same account.
func normDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(d, "@")
	return strings.TrimSuffix(d, ".")
}

// fold is how text is compared wherever a person would not care about case
// or spacing: "Web  Form " and "web form" are the same source.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// ParseLeadJSON reads a lead from a JSON object with the field names of
// Lead (the names the CSV and the intake API use). Unknown fields are
// refused, so a misspelt field cannot silently match nothing.
func ParseLeadJSON(data []byte) (Lead, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lead
	if err := dec.Decode(&l); err != nil {
		return Lead{}, fmt.Errorf("lead json: %w", err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return Lead{}, errors.New("lead json: more than one JSON value")
	}
	return l, l.validate()
}

// ParseLeadFlags reads a lead from command-line flags (--country DE
// --employees 2500 …) or from one --json object, for `handoffbot routing
// explain`. It returns the arguments left after the flags; usage goes to out.
func ParseLeadFlags(args []string, out io.Writer) (Lead, []string, error) {
	fs := flag.NewFlagSet("routing explain", flag.ContinueOnError)
	fs.SetOutput(out)
	var l Lead
	var employees, asJSON string
	fs.StringVar(&asJSON, "json", "", "the lead as a JSON object with the field names below, instead of the field flags")
	fs.StringVar(&l.Direction, "direction", "to_sales", "to_sales or to_marketing")
	fs.StringVar(&l.Source, "source", "", "lead source, such as `web form`")
	fs.StringVar(&l.Campaign, "campaign", "", "campaign name")
	fs.StringVar(&l.Priority, "priority", "warm", "hot, warm or cold")
	fs.StringVar(&l.Country, "country", "", "ISO 3166-1 alpha-2 code, such as DE")
	fs.StringVar(&l.Region, "region", "", "state or province")
	fs.StringVar(&employees, "employees", "", "company head count (empty: unknown)")
	fs.StringVar(&l.Industry, "industry", "", "industry")
	fs.StringVar(&l.Email, "email", "", "the lead's email address")
	if err := fs.Parse(args); err != nil {
		return Lead{}, nil, fmt.Errorf("lead flags: %w", err)
	}
	if asJSON != "" {
		if fs.NFlag() > 1 {
			return Lead{}, nil, errors.New("lead flags: give either --json or the field flags, not both")
		}
		l, err := ParseLeadJSON([]byte(asJSON))
		return l, fs.Args(), err
	}
	if employees != "" {
		n, err := parseCount(employees)
		if err != nil {
			return Lead{}, nil, fmt.Errorf("lead flags: --employees: %w", err)
		}
		l.Employees = &n
	}
	return l, fs.Args(), l.validate()
}

// validate refuses values no lead can have, so that a typo in `routing
// explain` is reported instead of quietly matching nothing.
func (l Lead) validate() error {
	var bad []string
	if d := fold(l.Direction); d != "" && d != dirSales && d != dirMarketing {
		bad = append(bad, fmt.Sprintf("direction %q is not to_sales or to_marketing", l.Direction))
	}
	if p := fold(l.Priority); p != "" && !validPriority[p] {
		bad = append(bad, fmt.Sprintf("priority %q is not hot, warm or cold", l.Priority))
	}
	if l.Country != "" && !IsCountry(l.Country) {
		bad = append(bad, fmt.Sprintf("country %q is not an ISO 3166-1 alpha-2 code", l.Country))
	}
	if l.Employees != nil && *l.Employees < 0 {
		bad = append(bad, "employees cannot be negative")
	}
	if len(bad) > 0 {
		return fmt.Errorf("lead: %s", strings.Join(bad, "; "))
	}
	return nil
}
