package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxOwnersLimit is the largest page the owners API serves.
const maxOwnersLimit = 500

// Owner is a HubSpot user who can own records. Contacts point at ID (the
// owner id), never at UserID.
type Owner struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	UserID    int64  `json:"userId"`
	Archived  bool   `json:"archived"`
}

// Name is the owner's full name, or the email when HubSpot has no name.
func (o Owner) Name() string {
	if n := strings.TrimSpace(o.FirstName + " " + o.LastName); n != "" {
		return n
	}
	return o.Email
}

// OwnersPage is one page of owners; Next is "" on the last.
type OwnersPage struct {
	Owners []Owner
	Next   string
}

// ListOwners reads one page of active owners, after the cursor after ("" for
// the first page); email, if set, narrows it to that owner.
func (c *Client) ListOwners(ctx context.Context, email, after string) (OwnersPage, error) {
	q := url.Values{"limit": {strconv.Itoa(maxOwnersLimit)}}
	if email != "" {
		q.Set("email", email)
	}
	if after != "" {
		q.Set("after", after)
	}
	var a struct {
		Results []Owner `json:"results"`
		Paging  struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: ownersPath, route: ownersPath, query: q}, &a); err != nil {
		return OwnersPage{}, fmt.Errorf("list owners: %w", err)
	}
	return OwnersPage{Owners: a.Results, Next: a.Paging.Next.After}, nil
}

// AllOwners reads every active owner, page by page: what mapping Slack
// people to owners by email needs, in one call per 500 owners.
func (c *Client) AllOwners(ctx context.Context) ([]Owner, error) {
	var all []Owner
	after := ""
	for {
		p, err := c.ListOwners(ctx, "", after)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Owners...)
		if p.Next == "" || p.Next == after {
			return all, nil
		}
		after = p.Next
	}
}

// OwnersByEmail indexes owners by lower-cased email.
func OwnersByEmail(owners []Owner) map[string]Owner {
	m := make(map[string]Owner, len(owners))
	for _, o := range owners {
		if o.Email != "" && !o.Archived {
			m[strings.ToLower(o.Email)] = o
		}
	}
	return m
}
