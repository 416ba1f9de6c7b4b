package fakehubspot

import (
	"net/http"
	"slices"
)

// The scopes the fake checks.
const (
	ScopeContactsRead        = "crm.objects.contacts.read"
	ScopeContactsWrite       = "crm.objects.contacts.write"
	ScopeOwnersRead          = "crm.objects.owners.read"
	ScopeSchemasContactsRead = "crm.schemas.contacts.read"
)

// AllScopes are every scope the fake knows; DefaultToken has them all.
var AllScopes = []string{ScopeContactsRead, ScopeContactsWrite, ScopeOwnersRead, ScopeSchemasContactsRead}

// AddToken makes token valid with exactly scopes: a Service Key as an
// admin configured it.
func (s *Server) AddToken(token string, scopes ...string) {
	set := map[string]bool{}
	for _, sc := range scopes {
		set[sc] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = set
}

// RevokeToken makes token invalid (401), as rotating a key does.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// accountDetails serves GET /account-info/{v}/details; any valid token.
func (s *Server) accountDetails(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"portalId": s.cfg.portalID, "accountType": "STANDARD", "timeZone": "US/Eastern",
		"companyCurrency": "USD", "additionalCurrencies": []string{}, "utcOffset": "-05:00",
		"utcOffsetMilliseconds": -18000000, "uiDomain": s.cfg.uiDomain, "dataHostingLocation": "na1",
	})
}

// tokenInfo serves POST /oauth/v2/private-apps/get/access-token-info: the
// token in the body (tokenKey) is the one described. HubSpot does not say
// whether Service Keys are answered; the fake answers for every token it
// knows (fault "token.info" simulates a refusal).
func (s *Server) tokenInfo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		TokenKey string `json:"tokenKey"`
	}
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	scopes, ok := s.tokens[body.TokenKey]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "The token is not valid.", nil)
		return
	}
	list := make([]string, 0, len(scopes))
	for sc := range scopes {
		list = append(list, sc)
	}
	slices.Sort(list)
	writeJSON(w, http.StatusOK, map[string]any{"userId": 1000001, "hubId": s.cfg.portalID, "appId": 2000002, "scopes": list})
}
