package fakehubspot

import (
	"net/http"
	"strings"
	"time"
)

// defaultContactProperties are what HubSpot returns when a read names none.
var defaultContactProperties = []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}

// objectJSON renders a contact as HubSpot does: the requested properties
// the account knows (null when unset; unknown names are left out), and
// the record's timestamps. names nil means every property with a value.
func (s *Server) objectJSON(id string, p Props, names []string) map[string]any {
	props := map[string]any{}
	if names == nil {
		for k, v := range p {
			props[k] = v
		}
	}
	for _, n := range names {
		if _, known := s.props[n]; !known {
			continue
		}
		if v, ok := p[n]; ok {
			props[n] = v
		} else {
			props[n] = nil
		}
	}
	created, _ := time.Parse(timeFormat, p["createdate"])
	updated, _ := time.Parse(timeFormat, p["lastmodifieddate"])
	return map[string]any{"id": id, "properties": props, "createdAt": created.Format(timeFormat),
		"updatedAt": updated.Format(timeFormat), "archived": false}
}

// requestedProperties reads ?properties=a,b (or repeated), or the defaults.
func requestedProperties(r *http.Request) []string {
	var names []string
	for _, v := range r.URL.Query()["properties"] {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return defaultContactProperties
	}
	return names
}

// lookup finds the contact a path names, by id or by idProperty=email.
// Callers hold s.mu.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*contact, bool) {
	id := r.PathValue("id")
	var c *contact
	switch r.URL.Query().Get("idProperty") {
	case "", "hs_object_id":
		c = s.contacts[id]
	case "email":
		c = s.byEmail(id)
	default:
		badRequest(w, "idProperty must be a property with unique values, such as email")
		return nil, false
	}
	if c == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
			map[string]any{"context": map[string]any{"id": []string{id}}})
		return nil, false
	}
	return c, true
}

// getContact serves GET /crm/objects/{v}/contacts/{id}: the record as it
// is now, with no index lag.
func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lookup(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.objectJSON(c.id, c.props, requestedProperties(r)))
}

type writeBody struct {
	Properties   map[string]string `json:"properties"`
	Associations []any             `json:"associations,omitempty"`
}

// updateContact serves PATCH /crm/objects/{v}/contacts/{id}.
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	var body writeBody
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.lookup(w, r)
	if !ok {
		return
	}
	if errs := s.validate(body.Properties, c.props, true); len(errs) > 0 {
		validationError(w, "Property values were not valid", errs...)
		return
	}
	if other := s.byEmail(body.Properties["email"]); other != nil && other != c {
		writeError(w, http.StatusConflict, "CONFLICT", "Contact already exists. Existing ID: "+other.id, nil)
		return
	}
	s.write(c, body.Properties, s.now())
	writeJSON(w, http.StatusOK, s.objectJSON(c.id, c.props, nil))
}

// createContact serves POST /crm/objects/{v}/contacts; an email already
// in use is 409 CONFLICT, as HubSpot deduplicates contacts by email.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var body writeBody
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if errs := s.validate(body.Properties, nil, true); len(errs) > 0 {
		validationError(w, "Property values were not valid", errs...)
		return
	}
	if other := s.byEmail(body.Properties["email"]); other != nil {
		writeError(w, http.StatusConflict, "CONFLICT", "Contact already exists. Existing ID: "+other.id, nil)
		return
	}
	c := s.create(body.Properties)
	writeJSON(w, http.StatusCreated, s.objectJSON(c.id, c.props, nil))
}
