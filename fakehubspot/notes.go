package fakehubspot

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// noteToContact is HubSpot's HUBSPOT_DEFINED association type "note to
// contact"; a note with any other type does not reach a contact.
const noteToContact = 202

// Note is a note on a contact's timeline.
type Note struct {
	ID        string
	ContactID string
	Body      string // hs_note_body, HTML
	At        time.Time
	OwnerID   string
}

// NotesOn lists the notes on contact id's timeline, oldest first.
func (s *Server) NotesOn(id string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Note
	for _, n := range s.notes {
		if n.ContactID == id {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b Note) int { return a.At.Compare(b.At) })
	return out
}

type noteBody struct {
	Properties   map[string]string `json:"properties"`
	Associations []struct {
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Types []struct {
			AssociationCategory string `json:"associationCategory"`
			AssociationTypeID   int    `json:"associationTypeId"`
		} `json:"types"`
	} `json:"associations"`
}

// createNote serves POST /crm/objects/{v}/notes: hs_timestamp is
// required, hs_note_body at most 65,536 characters, and each association
// must name an existing contact with type 202.
func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	var b noteBody
	if !decode(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, msg := s.noteOf(b)
	if msg != "" {
		badRequest(w, msg)
		return
	}
	s.nextID++
	n.ID = itoa(s.nextID)
	for _, a := range b.Associations {
		n.ContactID = a.To.ID
		s.notes = append(s.notes, n)
	}
	if len(b.Associations) == 0 {
		s.notes = append(s.notes, n) // a note on no timeline, as HubSpot allows
	}
	props := map[string]any{"hs_timestamp": iso(n.At), "hs_note_body": n.Body, "hs_object_id": n.ID,
		"hs_createdate": iso(s.now()), "hs_lastmodifieddate": iso(s.now())}
	writeJSON(w, http.StatusCreated, map[string]any{"id": n.ID, "properties": props,
		"createdAt": iso(s.now()), "updatedAt": iso(s.now()), "archived": false})
}

// noteOf validates a note; callers hold s.mu.
func (s *Server) noteOf(b noteBody) (Note, string) {
	var n Note
	for k, v := range b.Properties {
		switch k {
		case "hs_timestamp":
			t, ok := parseTimestamp(v)
			if !ok {
				return n, "hs_timestamp must be epoch milliseconds or an ISO 8601 time"
			}
			n.At = t
		case "hs_note_body":
			if len([]rune(v)) > 65_536 {
				return n, "hs_note_body is longer than 65536 characters"
			}
			n.Body = v
		case "hubspot_owner_id":
			if !slices.ContainsFunc(s.owners, func(o Owner) bool { return o.ID == v }) {
				return n, fmt.Sprintf("hubspot_owner_id %s is not an owner", v)
			}
			n.OwnerID = v
		default:
			return n, fmt.Sprintf("Property %q does not exist", k)
		}
	}
	if n.At.IsZero() {
		return n, "hs_timestamp is required"
	}
	for _, a := range b.Associations {
		if _, ok := s.contacts[a.To.ID]; !ok {
			return n, "association to contact " + a.To.ID + ": no such contact"
		}
		if len(a.Types) != 1 || a.Types[0].AssociationCategory != "HUBSPOT_DEFINED" || a.Types[0].AssociationTypeID != noteToContact {
			return n, "associations to a contact need the HUBSPOT_DEFINED type 202 (note to contact)"
		}
	}
	return n, ""
}

func parseTimestamp(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err == nil
}
