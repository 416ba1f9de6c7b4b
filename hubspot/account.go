package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Account is what the connector needs to know about the HubSpot account:
// the portal id and UI host, to link to records.
type Account struct {
	PortalID int64  `json:"portalId"`
	UIDomain string `json:"uiDomain"` // e.g. app.hubspot.com, app-eu1.hubspot.com
	TimeZone string `json:"timeZone"`
}

// RecordURL is the contact's page in HubSpot: the card's "Open in
// HubSpot" link and the handoff's CRM link.
func (a Account) RecordURL(contactID string) string {
	domain := a.UIDomain
	if domain == "" {
		domain = "app.hubspot.com"
	}
	return fmt.Sprintf("https://%s/contacts/%d/record/0-1/%s", domain, a.PortalID, url.PathEscape(contactID))
}

// AccountDetails reads the account the token belongs to. It needs no
// scope, so it is also the cheapest check that a token works.
func (c *Client) AccountDetails(ctx context.Context) (Account, error) {
	var a Account
	if err := c.do(ctx, request{method: http.MethodGet, path: accountPath, route: accountPath}, &a); err != nil {
		return Account{}, fmt.Errorf("account details: %w", err)
	}
	return a, nil
}

// TokenInfo is what HubSpot says about the client's token.
type TokenInfo struct {
	HubID  int64    `json:"hubId"`
	AppID  int64    `json:"appId"`
	UserID int64    `json:"userId"`
	Scopes []string `json:"scopes"`
}

// TokenInfo asks HubSpot which account and scopes the token has. The token
// travels in the body (tokenKey) as well as the header, as HubSpot's
// private app docs ask; it is never echoed in errors.
func (c *Client) TokenInfo(ctx context.Context) (TokenInfo, error) {
	var t TokenInfo
	err := c.do(ctx, request{method: http.MethodPost, path: tokenInfoPath, route: tokenInfoPath,
		body: map[string]string{"tokenKey": c.token}}, &t)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("token info: %w", err)
	}
	return t, nil
}
