package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// Limits of CRM search (developers.hubspot.com/docs/api-reference/latest/
// crm/search-the-crm, "Limitations"). The cap is the surprising one: a
// query matches any number of records, but paging past the 10,000th is
// refused with 400, so a larger result must be cut into narrower queries.
const (
	MaxSearchLimit   = 200    // results per page
	MaxSearchResults = 10_000 // results reachable by paging one query
)

// Search filter operators.
const (
	OpEQ  = "EQ"
	OpGT  = "GT"
	OpGTE = "GTE"
	OpLT  = "LT"
)

// Filter is one condition; filters in a group are ANDed, groups are ORed.
// Datetime values are epoch milliseconds as a string.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	HighValue    string   `json:"highValue,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// FilterGroup is filters that must all hold.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Sort orders results; HubSpot takes one.
type Sort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"` // ASCENDING or DESCENDING
}

// SearchRequest is the body of a CRM search.
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups,omitempty"`
	Sorts        []Sort        `json:"sorts,omitempty"`
	Properties   []string      `json:"properties,omitempty"`
	Limit        int           `json:"limit,omitempty"`
	After        string        `json:"after,omitempty"`
}

// SearchPage is one page of results. Total counts every match, including
// those beyond MaxSearchResults; Next is the After of the next page ("" on
// the last).
type SearchPage struct {
	Total    int
	Contacts []Contact
	Next     string
}

// NextOffset is Next as a number (HubSpot's after is an offset), or -1.
func (p SearchPage) NextOffset() int {
	n, err := strconv.Atoi(p.Next)
	if err != nil {
		return -1
	}
	return n
}

type searchAnswer struct {
	Total   int      `json:"total"`
	Results []object `json:"results"`
	Paging  struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// SearchContacts runs one search request. Results lag behind writes by a
// few seconds ("it may take a few moments for newly created or updated
// objects to appear"), and searches are limited to 5 a second per account,
// refused beyond with a RateLimitError.
func (c *Client) SearchContacts(ctx context.Context, r SearchRequest) (SearchPage, error) {
	var a searchAnswer
	err := c.do(ctx, request{method: http.MethodPost, path: contactsPath + "/search",
		route: contactsPath + "/search", body: r}, &a)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search contacts: %w", err)
	}
	p := SearchPage{Total: a.Total, Next: a.Paging.Next.After, Contacts: make([]Contact, len(a.Results))}
	for i, o := range a.Results {
		p.Contacts[i] = o.contact()
	}
	return p, nil
}
