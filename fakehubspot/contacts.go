package fakehubspot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Props are property values by internal name.
type Props map[string]string

// contact is a record: its current properties, and the versions search
// sees, each visible from a time (the write plus the index lag).
type contact struct {
	id       string
	props    Props
	versions []version
}

type version struct {
	visible time.Time
	props   Props
	cells   map[string]cell // numbers and datetimes, parsed
}

// timeFormat is how datetime properties come back: ISO 8601, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func iso(t time.Time) string { return t.UTC().Format(timeFormat) }

// AddContact creates a contact with props, now on the fake's clock, as a
// form or an import would, and returns its id. A lifecyclestage among
// props is entered now. It panics on a property the account does not
// have: that is a mistake in the test.
func (s *Server) AddContact(p Props) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errs := s.validate(p, nil, false); len(errs) > 0 {
		panic("fakehubspot: AddContact: " + errs[0].message)
	}
	return s.create(p).id
}

// MoveToStage sets contact id's lifecycle stage as a person or workflow in
// HubSpot does, forwards or backwards, entering it at at (which may lie
// in the past: HubSpot's history). The write itself happens now, so it
// becomes searchable after the index lag.
func (s *Server) MoveToStage(id, stage string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustContact(id)
	if !slices.ContainsFunc(s.props["lifecyclestage"].Options, func(o PropertyOption) bool { return o.Value == stage }) {
		panic("fakehubspot: MoveToStage: no lifecycle stage " + stage)
	}
	s.write(c, Props{"lifecyclestage": stage}, at)
}

// SetProperties changes properties of contact id as a person in HubSpot
// does (read-only ones included: a test may set anything).
func (s *Server) SetProperties(id string, p Props) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.write(s.mustContact(id), p, s.now())
}

// ContactProperties is contact id's properties as HubSpot holds them now
// (nil if there is no such contact).
func (s *Server) ContactProperties(id string) Props {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts[id]
	if !ok {
		return nil
	}
	return maps.Clone(c.props)
}

// ContactByEmail finds a contact by email, case-insensitively.
func (s *Server) ContactByEmail(email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.byEmail(email); c != nil {
		return c.id, true
	}
	return "", false
}

func (s *Server) mustContact(id string) *contact {
	c, ok := s.contacts[id]
	if !ok {
		panic("fakehubspot: no contact " + id)
	}
	return c
}

// byEmail is the contact with email; callers hold s.mu.
func (s *Server) byEmail(email string) *contact {
	if email == "" {
		return nil
	}
	for _, c := range s.contacts {
		if strings.EqualFold(c.props["email"], email) {
			return c
		}
	}
	return nil
}

// create makes a contact; callers hold s.mu and have validated p.
func (s *Server) create(p Props) *contact {
	s.nextID++
	now := s.now()
	c := &contact{id: itoa(s.nextID), props: Props{"hs_object_id": itoa(s.nextID), "createdate": iso(now)}}
	s.contacts[c.id] = c
	s.write(c, p, now)
	return c
}

// write applies changes at time at: a new lifecycle stage stamps its
// entry date (and the old stage's exit date); an empty value clears. The
// new version becomes searchable IndexLag after now. Callers hold s.mu.
func (s *Server) write(c *contact, changes Props, at time.Time) {
	now := s.now()
	for k, v := range changes {
		if k == "lifecyclestage" && v != c.props[k] {
			if prev := c.props[k]; prev != "" {
				c.props["hs_v2_date_exited_"+prev] = iso(at)
			}
			if v != "" {
				c.props["hs_v2_date_entered_"+v] = iso(at)
			}
		}
		if v == "" {
			delete(c.props, k)
		} else {
			c.props[k] = v
		}
	}
	c.props["lastmodifieddate"] = iso(now)
	c.versions = append(c.versions, version{visible: now.Add(s.cfg.indexLag), props: maps.Clone(c.props), cells: s.cellsOf(c.props)})
	for len(c.versions) > 1 && !c.versions[1].visible.After(now) {
		c.versions = c.versions[1:] // a newer version is searchable: the older is gone
	}
}

// cellsOf parses p's number and datetime values; callers hold s.mu.
func (s *Server) cellsOf(p Props) map[string]cell {
	cells := map[string]cell{}
	for k, v := range p {
		if d := s.props[k]; d != nil && (d.Type == "datetime" || d.Type == "number") {
			if n, ok := number(v); ok {
				cells[k] = cell{num: n, isNum: true}
			}
		}
	}
	return cells
}

// indexed is what search sees of c at now, if anything yet.
func (c *contact) indexed(now time.Time) (version, bool) {
	for i := len(c.versions) - 1; i >= 0; i-- {
		if !c.versions[i].visible.After(now) {
			return c.versions[i], true
		}
	}
	return version{}, false
}

// validate checks values an API client writes: the property exists, is
// not read-only (unless internal), an enumeration value is an option, an
// email looks like one, and a lifecycle stage does not move backwards
// (current is the contact's properties, nil on create). Callers hold s.mu.
func (s *Server) validate(changes, current Props, api bool) []propertyError {
	var errs []propertyError
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		v := changes[name]
		p, ok := s.props[name]
		switch {
		case !ok:
			errs = append(errs, propertyError{name, "PROPERTY_DOESNT_EXIST", fmt.Sprintf("Property %q does not exist", name)})
		case p.ReadOnly && api:
			errs = append(errs, propertyError{name, "READ_ONLY_VALUE", name + " is a read only property; its value cannot be set."})
		case v == "":
		case p.Type == "enumeration" && !slices.ContainsFunc(s.optionsOf(p), func(o PropertyOption) bool { return o.Value == v }):
			errs = append(errs, propertyError{name, "INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options", v)})
		case name == "email" && !validEmail(v):
			errs = append(errs, propertyError{name, "INVALID_EMAIL", "Email address " + v + " is invalid"})
		case name == "lifecyclestage" && api && s.backwards(current["lifecyclestage"], v):
			errs = append(errs, propertyError{name, "INVALID_OPTION", fmt.Sprintf(
				"lifecyclestage cannot move backwards from %s to %s; clear it first", current["lifecyclestage"], v)})
		}
	}
	return errs
}

// backwards reports whether from→to moves the stage back. Callers hold s.mu.
func (s *Server) backwards(from, to string) bool {
	if from == "" {
		return false
	}
	rank := func(v string) int {
		return slices.IndexFunc(s.props["lifecyclestage"].Options, func(o PropertyOption) bool { return o.Value == v })
	}
	return rank(to) < rank(from)
}

func validEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(v, " <>,")
}
