// Package hubspot is handoffbot's HubSpot connector: a small typed client
// of HubSpot's CRM API, and the pure-ish parts of the connector that need
// only the client. It knows nothing of Postgres, Slack or the job queue;
// the application wires it to them.
//
// # How it talks to HubSpot
//
// The bot needs no public URL: it polls HubSpot and writes back through
// the API with a static token, a Service Key (HubSpot's replacement for
// legacy private apps, whose creation stopped in October 2026) or an
// existing private app token, sent as a bearer token.
//
// Every path uses the dated API version in APIVersion (2026-09), the one
// place it is named; HubSpot stops supporting the numbered /v1–/v3 paths
// in September 2027. The single exception is the token-info endpoint,
// which has no dated equivalent for static tokens (see version.go).
//
// Client methods take a context first and return values: SearchContacts,
// GetContact, GetContactByEmail, UpdateContact, CreateContact, ListOwners
// and AllOwners, GetContactProperty, CreateNote, AccountDetails and
// TokenInfo. Refusals are *APIError (status, HubSpot's category, message,
// correlation id, the scopes a 403 names; ErrNotFound matches a 404) or,
// for a 429, *RateLimitError with the wait HubSpot asked for. IsTransient
// tells what a later retry may cure (429, 5xx, 423, 477, timeouts) from
// what it cannot (bad token, missing scope, invalid value). Error strings
// carry neither the token nor contact data: HubSpot's messages quote the
// values sent, so they are kept in APIError.Message, out of Error(), and a
// request is named by its route (/contacts/{id}), never its URL, which can
// hold an email.
//
// The client does not retry. Writes are retried by the job that makes
// them. A poll makes many searches, so it wraps the client in WithRetry:
// each search waits out its own Retry-After (or backs off on a 5xx) with
// the retry-go library, and a wait longer than RetryPolicy.MaxWait (a daily
// limit) ends the poll for the job to reschedule.
//
// # Intake
//
// EnteredStage finds every contact that entered a lifecycle stage within a
// Window, by the stage's "Date entered" property (EnteredProperty; chosen
// over "Became a … date" because it exists for custom stages and is reset
// when a contact enters the stage again). Search serves 200 results a page
// and never more than 10,000 per query, so EnteredStage halves the window
// until each half fits, and walks ids within a single millisecond. The
// index lags writes, so each poll searches PollWindow: from DefaultOverlap
// before the end of the previous poll. NewLead makes the handoff from a
// contact; its ExternalID (contact id and entry time) is the same on every
// re-poll and new when the contact becomes an MQL again, so the database's
// unique key deduplicates.
//
// # Write-back
//
// StatusMap says what each handoff state writes (hs_lead_status and
// lifecyclestage); DefaultStatusMap is the documented default and
// ParseStatusMap reads the one-line override HUBSPOT_STATUS_MAP, e.g.
// "contacted=ATTEMPTED_TO_CONTACT,qualified=OPEN_DEAL/salesqualifiedlead,lost=-".
// Changes turns a move into the properties that differ from the contact,
// owner included, never moving a lifecycle stage backwards in the
// account's stage order (StageOrderOf). NoteBody renders the move for the
// contact's timeline as HTML with what people typed escaped. Writer
// applies a move, and FindOrCreateContact links a handoff to its contact.
//
// # Check
//
// Check verifies the token, its scopes, the properties and values the
// connector reads and writes, and that each person in the teams is a
// HubSpot owner by email, returning what passed and each problem with its
// fix, for `handoffbot check`.
//
// # Scopes
//
// The Service Key needs exactly these:
//
//   - crm.objects.contacts.read: find contacts that became MQLs (search),
//     read a contact's stage, owner and lead status before a write, find a
//     contact by email, and read the definitions of hs_lead_status and
//     lifecyclestage (property reads are allowed by the object's scope).
//   - crm.objects.contacts.write: set the contact owner, lead status and
//     lifecycle stage, create contacts (HUBSPOT_CREATE_CONTACTS), and put a
//     note on the contact's timeline: notes are engagements that HubSpot
//     files under the contacts scopes.
//   - crm.objects.owners.read: list owners, to map each Slack person to a
//     HubSpot owner by email.
//
// Reading the account's details (portal id and UI domain, for "Open in
// HubSpot" links) and the token's own scopes needs no scope.
package hubspot
