package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// writeBackProperties are what Writer reads before it writes.
var writeBackProperties = []string{PropOwner, PropLeadStatus, PropLifecycle}

// Writer applies handoff moves to their contacts. Order is the account's
// stage order, read once from the lifecyclestage property (StageOrderOf);
// Location is TIMEZONE, for the times in notes.
type Writer struct {
	Client   *Client
	Map      StatusMap
	Order    StageOrder
	Location *time.Location
}

// Apply brings contact contactID in line with a handoff now in state and
// owned by ownerID ("" when the owner is no HubSpot owner), then puts m on
// the contact's timeline. It reads the contact and writes only what
// differs, so running it again after a failure writes the properties once;
// the note is created at least once (if HubSpot's answer to it is lost,
// the retry makes a second note). One job per contact, run in order, keeps
// the writes in order.
func (w Writer) Apply(ctx context.Context, contactID string, state domain.State, ownerID string, m Move) error {
	c, err := w.Client.GetContact(ctx, contactID, writeBackProperties)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	if ch := Changes(w.Map, w.Order, c, state, ownerID); len(ch) > 0 {
		if _, err := w.Client.UpdateContact(ctx, contactID, ch); err != nil {
			return fmt.Errorf("write back: %w", err)
		}
	}
	note := NewNote{ContactID: contactID, Body: NoteBody(m, w.Location), At: m.At}
	if _, err := w.Client.CreateNote(ctx, note); err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	return nil
}

// FindOrCreateContact is the contact a handoff's lead is: the one with the
// lead's email, or, when create is set (HUBSPOT_CREATE_CONTACTS), a new
// one made from the lead. A lead without an email, or with no match while
// create is off, is ErrNotFound.
func FindOrCreateContact(ctx context.Context, c *Client, l domain.Lead, create bool) (Contact, error) {
	if l.Email == "" {
		return Contact{}, fmt.Errorf("find contact: no email: %w", ErrNotFound)
	}
	ct, err := c.GetContactByEmail(ctx, l.Email, writeBackProperties)
	if !create || !errors.Is(err, ErrNotFound) {
		return ct, err
	}
	first, last, _ := strings.Cut(strings.TrimSpace(l.Name), " ")
	props := map[string]string{PropEmail: l.Email}
	for k, v := range map[string]string{"firstname": first, "lastname": last, "company": l.Company, "phone": l.Phone} {
		if v = strings.TrimSpace(v); v != "" {
			props[k] = v
		}
	}
	ct, err = c.CreateContact(ctx, props)
	if e, ok := errors.AsType[*APIError](err); ok && e.Status == http.StatusConflict {
		return c.GetContactByEmail(ctx, l.Email, writeBackProperties) // created meanwhile, by a form or another replica
	}
	return ct, err
}
