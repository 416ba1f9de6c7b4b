package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Contact properties the connector reads and writes.
const (
	PropEmail      = "email"
	PropLifecycle  = "lifecyclestage"
	PropLeadStatus = "hs_lead_status"
	PropOwner      = "hubspot_owner_id"
	PropObjectID   = "hs_object_id"
)

// EnteredProperty is the contact property holding when the contact last
// entered a lifecycle stage: "Date entered <stage>", one of HubSpot's stage
// calculated properties. It is chosen over "Became a … date"
// (hs_lifecyclestage_<stage>_date) for two reasons: it exists for custom
// stages too (named by the stage's internal id, hs_v2_date_entered_123456),
// and it is updated each time a contact enters the stage again, which is
// what makes a second MQL a new handoff
// (knowledge.hubspot.com/properties/stage-calculated-properties).
func EnteredProperty(stage string) string { return "hs_v2_date_entered_" + stage }

// Contact is a HubSpot contact as the API returns it. Properties holds the
// requested properties that have a value (HubSpot's nulls are dropped).
type Contact struct {
	ID         string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// EnteredAt is when c last entered stage, if the answer carried it.
func (c Contact) EnteredAt(stage string) (time.Time, bool) {
	return ParseTime(c.Properties[EnteredProperty(stage)])
}

// object is HubSpot's JSON for a CRM record.
type object struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  time.Time          `json:"createdAt"`
	UpdatedAt  time.Time          `json:"updatedAt"`
}

func (o object) contact() Contact {
	c := Contact{ID: o.ID, Properties: make(map[string]string, len(o.Properties)), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for k, v := range o.Properties {
		if v != nil && *v != "" {
			c.Properties[k] = *v
		}
	}
	return c
}

// GetContact reads one contact by id with the named properties (HubSpot
// ignores names it does not know). A missing contact is ErrNotFound.
func (c *Client) GetContact(ctx context.Context, id string, props []string) (Contact, error) {
	return c.getContact(ctx, id, props, nil)
}

// GetContactByEmail reads the contact whose email is email, or
// ErrNotFound. It reads the record, not the search index, so a contact
// created a second ago is found.
func (c *Client) GetContactByEmail(ctx context.Context, email string, props []string) (Contact, error) {
	return c.getContact(ctx, email, props, url.Values{"idProperty": {PropEmail}})
}

func (c *Client) getContact(ctx context.Context, id string, props []string, q url.Values) (Contact, error) {
	if id == "" {
		return Contact{}, errors.New("hubspot: get contact: empty id")
	}
	if q == nil {
		q = url.Values{}
	}
	if len(props) > 0 {
		q.Set("properties", strings.Join(props, ","))
	}
	var o object
	err := c.do(ctx, request{method: http.MethodGet, path: contactsPath + "/" + url.PathEscape(id),
		route: contactsPath + "/{id}", query: q}, &o)
	if err != nil {
		return Contact{}, fmt.Errorf("get contact: %w", err)
	}
	return o.contact(), nil
}

// UpdateContact sets properties on contact id and returns the contact as
// HubSpot now has it. An empty value clears a property.
func (c *Client) UpdateContact(ctx context.Context, id string, props map[string]string) (Contact, error) {
	var o object
	err := c.do(ctx, request{method: http.MethodPatch, path: contactsPath + "/" + url.PathEscape(id),
		route: contactsPath + "/{id}", body: map[string]any{"properties": props}}, &o)
	if err != nil {
		return Contact{}, fmt.Errorf("update contact: %w", err)
	}
	return o.contact(), nil
}

// CreateContact creates a contact. HubSpot refuses a second contact with
// an existing email with 409 CONFLICT.
func (c *Client) CreateContact(ctx context.Context, props map[string]string) (Contact, error) {
	var o object
	err := c.do(ctx, request{method: http.MethodPost, path: contactsPath, route: contactsPath,
		body: map[string]any{"properties": props}}, &o)
	if err != nil {
		return Contact{}, fmt.Errorf("create contact: %w", err)
	}
	return o.contact(), nil
}

// ParseTime reads a HubSpot datetime property: ISO 8601 in API answers,
// epoch milliseconds in filters and some older answers.
func ParseTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true
	}
	var ms int64
	if _, err := fmt.Sscanf(v, "%d", &ms); err == nil && fmt.Sprint(ms) == v {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}
