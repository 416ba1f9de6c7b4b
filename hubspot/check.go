package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Scope is an OAuth scope the connector needs, and why.
type Scope struct {
	Name, Why string
}

// RequiredScopes are the scopes a Service Key (or private app) needs.
// Notes are engagements HubSpot files under contacts, so creating one
// needs the contacts write scope; reading property definitions is allowed
// by the contacts read scope.
var RequiredScopes = []Scope{
	{"crm.objects.contacts.read", "find contacts that became MQLs, read a contact's stage and owner, find a contact by email, read the lead status and lifecycle stage options"},
	{"crm.objects.contacts.write", "set the owner, lead status and lifecycle stage, put a note on the contact's timeline for each move, create contacts (HUBSPOT_CREATE_CONTACTS)"},
	{"crm.objects.owners.read", "map each Slack person to a HubSpot owner by email"},
}

// Person is someone on a team, as check knows them from Slack.
type Person struct {
	SlackID string
	Email   string // "" when Slack shows none
}

// CheckConfig is what the connector is set up to use.
type CheckConfig struct {
	MQLStage  string // HUBSPOT_MQL_STAGE
	StatusMap StatusMap
	People    []Person // everyone in SALES_TEAM and MARKETING_TEAM
}

// Report is the outcome of Check: what works, what could not be checked,
// and each problem with its fix, for `handoffbot check` to print.
type Report struct {
	Passed   []string
	Skipped  []string
	Problems []Problem
}

// Problem is one thing that stops the connector from working, and how to
// fix it.
type Problem struct {
	What, Fix string
}

// Check verifies the token, its scopes, the properties and values the
// connector reads and writes, and that every person maps to a HubSpot
// owner by email. It only reads.
func Check(ctx context.Context, c *Client, cfg CheckConfig) Report {
	k := &checker{c: c, cfg: cfg}
	acct, err := c.AccountDetails(ctx)
	if err != nil {
		k.fail(tokenProblem(err))
		k.r.Skipped = append(k.r.Skipped, "HubSpot scopes, properties and owners: not checked until the token works")
		return k.r
	}
	k.pass("HUBSPOT_TOKEN works (HubSpot account %d)", acct.PortalID)
	k.scopes(ctx)
	k.lifecycle(ctx)
	k.leadStatus(ctx)
	if _, ok := k.property(ctx, PropOwner, "the contact owner"); ok {
		k.pass("HubSpot contact property %s", PropOwner)
	}
	k.owners(ctx)
	return k.r
}

type checker struct {
	c   *Client
	cfg CheckConfig
	r   Report
}

func (k *checker) pass(format string, args ...any) {
	k.r.Passed = append(k.r.Passed, fmt.Sprintf(format, args...))
}

func (k *checker) fail(p Problem) { k.r.Problems = append(k.r.Problems, p) }

func tokenProblem(err error) Problem {
	if e, ok := errors.AsType[*APIError](err); ok && e.Status == http.StatusUnauthorized {
		return Problem{"HubSpot refuses HUBSPOT_TOKEN (401 " + e.Category + ")",
			"create a Service Key in HubSpot (Development → Keys → Service keys) with the scopes " + scopeNames() +
				", and set HUBSPOT_TOKEN to it; an existing private app token works too"}
	}
	return Problem{"HubSpot cannot be reached: " + err.Error(),
		"check HUBSPOT_API_URL (empty for HubSpot's API) and that this host can reach it"}
}

func scopeNames() string {
	names := make([]string, len(RequiredScopes))
	for i, s := range RequiredScopes {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// scopes compares the token's scopes with RequiredScopes. HubSpot may not
// list a Service Key's scopes; then the reads below find missing read
// scopes by their 403s, and a missing write scope shows at the first write.
func (k *checker) scopes(ctx context.Context) {
	info, err := k.c.TokenInfo(ctx)
	if err != nil {
		k.r.Skipped = append(k.r.Skipped, "HubSpot token scopes: HubSpot did not list them ("+err.Error()+
			"); read scopes are tried below, write scopes only at the first write")
		return
	}
	for _, s := range RequiredScopes {
		if slices.Contains(info.Scopes, s.Name) {
			k.pass("HubSpot scope %s", s.Name)
			continue
		}
		k.fail(Problem{"HUBSPOT_TOKEN lacks the scope " + s.Name + ", needed to " + s.Why,
			"add " + s.Name + " to the Service Key's scopes in HubSpot (Development → Keys → Service keys)"})
	}
}

// property reads one property, turning refusals into problems.
func (k *checker) property(ctx context.Context, name, what string) (Property, bool) {
	p, err := k.c.GetContactProperty(ctx, name)
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, ErrNotFound):
		k.fail(Problem{"HubSpot has no contact property " + name + " (" + what + ")",
			"restore the default property " + name + " in HubSpot (Settings → Properties)"})
	default:
		k.fail(k.refusal(err, "read the contact property "+name))
	}
	return Property{}, false
}

// refusal explains a failed read, naming the scope when a 403 says which.
func (k *checker) refusal(err error, doing string) Problem {
	if e, ok := errors.AsType[*APIError](err); ok && e.Status == http.StatusForbidden {
		scopes := strings.Join(e.MissingScopes, " or ")
		if scopes == "" {
			scopes = "the scopes " + scopeNames()
		}
		return Problem{"HubSpot refuses to " + doing + " (403 " + e.Category + ")",
			"add " + scopes + " to the Service Key's scopes in HubSpot (Development → Keys → Service keys)"}
	}
	return Problem{"could not " + doing + ": " + err.Error(), "try again; if it persists, check HubSpot's status page"}
}
