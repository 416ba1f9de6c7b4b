package hubspot

// APIVersion is the dated HubSpot API version every request uses, and the
// only place it is named. HubSpot ships a version each March and September,
// supports it for 18 months, and stops supporting the numbered /v1–/v3
// paths in September 2027 (developers.hubspot.com/docs/api-reference/legacy/
// migration-guide). Moving to a newer version is this one line plus a run
// of the tests against the fake, which serves exactly the versions it knows.
const APIVersion = "2026-09"

// DefaultBaseURL is HubSpot's API host, the default of HUBSPOT_API_URL.
const DefaultBaseURL = "https://api.hubapi.com"

// The paths, built from APIVersion. Note that the version follows the API
// family (/crm/objects/2026-09/contacts), not the /crm prefix as v3 did.
const (
	contactsPath   = "/crm/objects/" + APIVersion + "/contacts"
	notesPath      = "/crm/objects/" + APIVersion + "/notes"
	ownersPath     = "/crm/owners/" + APIVersion
	propertiesPath = "/crm/properties/" + APIVersion
	accountPath    = "/account-info/" + APIVersion + "/details"
	// tokenInfoPath is the one undated path: HubSpot documents no dated
	// introspection for static tokens (OAuth tokens have
	// /oauth/2026-09/token/introspect, which needs a client secret). It
	// answers for legacy private app tokens; HubSpot does not say whether
	// it answers for Service Keys, so Check falls back to probing.
	tokenInfoPath = "/oauth/v2/private-apps/get/access-token-info"
)
