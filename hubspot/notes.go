package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// noteToContact is HubSpot's association type id for "note to contact"
// (HUBSPOT_DEFINED), which puts the note on the contact's timeline.
const noteToContact = 202

// MaxNoteBody is the most hs_note_body takes, in characters.
const MaxNoteBody = 65_536

// NewNote is a note to put on a contact's timeline. Body is HTML (see
// NoteBody); At is the time the timeline shows (hs_timestamp, required).
type NewNote struct {
	ContactID string
	Body      string
	At        time.Time
	OwnerID   string // optional: who the note is by, in HubSpot
}

// CreateNote creates a note associated with its contact and returns the
// note's id.
func (c *Client) CreateNote(ctx context.Context, n NewNote) (string, error) {
	props := map[string]string{
		"hs_timestamp": strconv.FormatInt(n.At.UnixMilli(), 10),
		"hs_note_body": n.Body,
	}
	if n.OwnerID != "" {
		props[PropOwner] = n.OwnerID
	}
	body := map[string]any{
		"properties": props,
		"associations": []map[string]any{{
			"to":    map[string]string{"id": n.ContactID},
			"types": []map[string]any{{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": noteToContact}},
		}},
	}
	var o object
	if err := c.do(ctx, request{method: http.MethodPost, path: notesPath, route: notesPath, body: body}, &o); err != nil {
		return "", fmt.Errorf("create note: %w", err)
	}
	return o.ID, nil
}
