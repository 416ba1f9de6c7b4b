package intake

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handoffbot/handoffbot/domain"
)

// Limits of the fields that the New handoff form has not (the others are
// the form's, from domain).
const (
	maxExternalID = 200  // as handoffcsv.MaxExternalID
	maxCRMURL     = 3000 // the form's CRM link input: Slack's largest max_length
	maxEmployees  = 10_000_000
	// occurredSkew is how far in the future occurred_at may be, for
	// clients whose clocks run a little fast.
	occurredSkew = 5 * time.Minute
	// reservedExternalID starts the external_id the bot gives handoffs made
	// without one (Slack, the workflow step); a client may not take one.
	reservedExternalID = "hb-"
)

// Lead is a lead as the API takes and shows it. Country, region,
// employees and industry are there for routing rules.
type Lead struct {
	Name    string `json:"name"`
	Company string `json:"company"`
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	// Country is an ISO 3166-1 alpha-2 code, upper case.
	Country string `json:"country"`
	// Region is a state or province.
	Region string `json:"region"`
	// Employees is the company's head count, nil when not known.
	Employees *int64 `json:"employees"`
	Industry  string `json:"industry"`
}

// Request is a POST /v1/handoffs body that passed every check the API can
// make on its own, with the defaults applied and text trimmed.
type Request struct {
	// ExternalID makes the request idempotent; empty: each request
	// creates a handoff.
	ExternalID string
	Direction  domain.Direction
	Lead       Lead
	Source     string
	Campaign   string
	Priority   domain.Priority
	// Assignee is a Slack user ID, or an email the application resolves to
	// one (answering a domain.FieldErrors for "assignee" when it cannot);
	// empty: the receiving team's rotation picks.
	Assignee string
	Notes    string
	CRMURL   string
	// OccurredAt is the lead's own clock (when the form was filled), UTC;
	// nil when not given.
	OccurredAt     *time.Time
	AllowDuplicate bool
	// BodyHash is the same for JSON-equal bodies and differs otherwise
	// (see canonicalHash). The application keeps it with ExternalID: a
	// repeat with the same hash is a replay, with another a conflict.
	BodyHash string
}

// requestFields are the names a body may use, by object.
var (
	requestFields = []string{"external_id", "direction", "lead", "source", "campaign", "priority",
		"assignee", "notes", "crm_url", "occurred_at", "allow_duplicate"}
	leadFields = []string{"name", "company", "email", "phone", "country", "region", "employees", "industry"}
)

// parseRequest validates a decoded body, naming every bad field.
func parseRequest(tree any, now time.Time) (Request, domain.FieldErrors) {
	var errs domain.FieldErrors
	body, ok := tree.(map[string]any)
	if !ok {
		errs.Add("", "The body must be a JSON object.")
		return Request{}, errs
	}
	o := object{m: body, errs: &errs}
	o.refuseUnknown(requestFields)
	req := Request{
		ExternalID: o.text("external_id", maxExternalID),
		Direction:  domain.Direction(o.enum("direction", string(domain.ToSales), string(domain.ToSales), string(domain.ToMarketing))),
		Lead:       parseLead(o.object("lead")),
		Source:     o.text("source", domain.MaxField),
		Campaign:   o.text("campaign", domain.MaxField),
		Priority:   domain.Priority(o.enum("priority", string(domain.Warm), string(domain.Hot), string(domain.Warm), string(domain.Cold))),
		Assignee:   o.text("assignee", domain.MaxField),
		Notes:      o.text("notes", domain.MaxNotes),
		CRMURL:     o.text("crm_url", maxCRMURL),
		OccurredAt: o.time("occurred_at", now.Add(occurredSkew)),
	}
	req.AllowDuplicate = o.boolean("allow_duplicate")
	o.check("external_id", req.ExternalID, !strings.HasPrefix(req.ExternalID, reservedExternalID),
		`Must not start with "hb-": the bot names its own handoffs so.`)
	o.check("assignee", req.Assignee, domain.ValidUserID(req.Assignee) || domain.ValidEmail(req.Assignee),
		"Must be a Slack user ID (U… or W…) or an email address.")
	o.check("crm_url", req.CRMURL, domain.ValidWebURL(req.CRMURL), "Must be a web link starting with https:// or http://.")
	return req, errs
}

func parseLead(o object) Lead {
	if o.m == nil {
		if !o.present { // absent or null; a lead of the wrong type is reported already
			o.errs.Add(o.path("name"), "Required: give the lead a name.")
		}
		return Lead{}
	}
	o.refuseUnknown(leadFields)
	l := Lead{
		Name:      o.text("name", domain.MaxLeadName),
		Company:   o.text("company", domain.MaxField),
		Email:     o.text("email", domain.MaxField),
		Phone:     o.text("phone", domain.MaxField),
		Country:   strings.ToUpper(o.text("country", 2)),
		Region:    o.text("region", domain.MaxField),
		Employees: o.integer("employees", 0, maxEmployees),
		Industry:  o.text("industry", domain.MaxField),
	}
	if l.Name == "" && !o.failed("name") {
		o.errs.Add(o.path("name"), "Required: give the lead a name.")
	}
	o.check("email", l.Email, domain.ValidEmail(l.Email), "Must be an email address, e.g. jane@acme.example.")
	o.check("country", l.Country, ValidCountry(l.Country), "Must be an ISO 3166-1 alpha-2 country code, e.g. US or DE.")
	return l
}

// object reads the members of one JSON object of a body, collecting a
// problem for each one that is of the wrong type or out of bounds. A
// member that is absent or null reads as its zero value.
type object struct {
	m       map[string]any
	prefix  string // "" or "lead."
	present bool   // the object was in the body, not null
	errs    *domain.FieldErrors
}

func (o object) path(name string) string { return o.prefix + name }

// failed reports whether name already has a problem.
func (o object) failed(name string) bool {
	return slices.ContainsFunc(*o.errs, func(e domain.FieldError) bool { return e.Field == o.path(name) })
}

// check adds msg for name when its value is set, has no problem yet and
// is not ok.
func (o object) check(name, value string, ok bool, msg string) {
	if value != "" && !ok && !o.failed(name) {
		o.errs.Add(o.path(name), "%s", msg)
	}
}

func (o object) refuseUnknown(known []string) {
	var unknown []string
	for name := range o.m {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		o.errs.Add(o.path(name), "Unknown field; the fields are listed in /v1/openapi.json.")
	}
}

// text reads a string of at most max characters, trimmed; like the
// New handoff form, it refuses what Postgres cannot keep (NUL).
func (o object) text(name string, max int) string {
	v, ok := o.m[name]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		o.errs.Add(o.path(name), "Must be a string.")
		return ""
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > max {
		o.errs.Add(o.path(name), "Must be at most %d characters (this is %d).", max, n)
	} else if strings.ContainsRune(s, 0) {
		o.errs.Add(o.path(name), "Must not contain NUL characters.")
	}
	return s
}

// enum reads one of values, or def when absent.
func (o object) enum(name, def string, values ...string) string {
	v, ok := o.m[name]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok || !slices.Contains(values, s) {
		o.errs.Add(o.path(name), "Must be one of %s.", strings.Join(values, ", "))
	}
	return s
}

func (o object) boolean(name string) bool {
	v, ok := o.m[name]
	if !ok || v == nil {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		o.errs.Add(o.path(name), "Must be true or false.")
	}
	return b
}

// integer reads a whole number in [min, max]; 35000.0 counts as whole,
// as in JSON Schema.
func (o object) integer(name string, min, max int64) *int64 {
	v, ok := o.m[name]
	if !ok || v == nil {
		return nil
	}
	n, ok := v.(json.Number)
	f, err := strconv.ParseFloat(string(n), 64)
	if !ok || err != nil || f != math.Trunc(f) || f < float64(min) || f > float64(max) {
		o.errs.Add(o.path(name), "Must be a whole number from %d to %d.", min, max)
		return nil
	}
	i := int64(f)
	return &i
}

// time reads an RFC 3339 time no later than latest.
func (o object) time(name string, latest time.Time) *time.Time {
	s := o.text(name, 64)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		o.errs.Add(o.path(name), "Must be an RFC 3339 time, e.g. 2026-12-04T09:12:00Z.")
		return nil
	case t.After(latest):
		o.errs.Add(o.path(name), "Must not be in the future.")
		return nil
	}
	t = t.UTC()
	return &t
}

// object reads a nested object; its members' paths start with name.
func (o object) object(name string) object {
	v, present := o.m[name]
	sub := object{prefix: o.path(name) + ".", present: present && v != nil, errs: o.errs}
	if !sub.present {
		return sub
	}
	m, ok := v.(map[string]any)
	if !ok {
		o.errs.Add(o.path(name), "Must be an object.")
		sub.present = true // reported already
		return sub
	}
	sub.m = m
	return sub
}
