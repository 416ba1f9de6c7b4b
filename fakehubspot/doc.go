// Package fakehubspot is a fake HubSpot account behind the CRM API
// endpoints handoffbot calls, for tests and the demo. It listens on a real
// TCP socket on 127.0.0.1 (httptest) and is driven by the real client,
// unchanged:
//
//	clock := fakehubspot.NewClock(start)
//	s := fakehubspot.New(fakehubspot.WithClock(clock.Now), fakehubspot.WithIndexLag(5*time.Second))
//	defer s.Close()
//	client, err := hubspot.New(s.URL(), s.Token())
//
// # A test written with it
//
// Helpers read like what happens in HubSpot; time moves when the test
// says, so minutes of polling take none.
//
//	bob := s.AddOwner(fakehubspot.Owner{Email: "bob@acme.example", FirstName: "Bob"})
//	ada := s.AddContact(fakehubspot.Props{"email": "ada@acme.example", "firstname": "Ada"})
//	s.MoveToStage(ada, "marketingqualifiedlead", clock.Now())
//	clock.Advance(time.Minute)
//	runPoll(t) // the code under test finds Ada and hands her off …
//	if s.ContactProperties(ada)["hubspot_owner_id"] != bob { … }
//	notes := s.NotesOn(ada)        // … and writes back
//	searches := s.Requests("contacts.search")
//
// # What it checks, like HubSpot
//
// Paths: only the dated versions in Versions (2026-03, 2026-09); numbered
// /v3/ paths are 404. Tokens: a missing or unknown bearer token is 401
// INVALID_AUTHENTICATION; a token without the operation's scope is 403
// MISSING_SCOPES naming the scopes in errors[].context.
// requiredGranularScopes. Errors are HubSpot's format: status "error",
// message, correlationId (also in X-HubSpot-Correlation-Id), category, and
// for property refusals errors[] with code (PROPERTY_DOESNT_EXIST,
// READ_ONLY_VALUE, INVALID_OPTION, INVALID_EMAIL) and context.
//
// Contacts: enumeration values must be options (hubspot_owner_id's options
// are the owners); calculated properties (stage entry and exit dates,
// createdate, hs_object_id) are read-only; a second contact with an email
// in use is 409 CONFLICT. Reads return the requested properties the
// account knows, null when unset, and ignore unknown names. Setting a
// lifecycle stage stamps hs_v2_date_entered_<stage> and the previous
// stage's hs_v2_date_exited_, for custom stages too (AddLifecycleStage).
//
// Search: filterGroups (at most 5, 6 filters each, 18 in all) with EQ,
// NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY,
// NOT_HAS_PROPERTY, CONTAINS_TOKEN and NOT_CONTAINS_TOKEN, compared by the
// property's type (datetime values as epoch milliseconds or ISO dates,
// text case-insensitively); one sort; limit 1–200 (default 10); after as
// an offset, total counting every match, and 400 for a page at or past the
// 10,000th result. Search reads an index that shows each write
// WithIndexLag after it happened; reads by id see writes at once.
//
// Rate limits, on the fake's clock: 5 searches a second (429 policyName
// SECONDLY; search answers carry no X-HubSpot-RateLimit-* headers, as
// HubSpot's do not), and WithBurstLimit other calls in any 10 seconds
// (TEN_SECONDLY_ROLLING, with X-HubSpot-RateLimit-Max, -Remaining and
// -Interval-Milliseconds on every answer). A 429 has errorType RATE_LIMIT,
// category RATE_LIMITS and a Retry-After in whole seconds.
//
// Notes: hs_timestamp is required, hs_note_body at most 65,536
// characters, and an association must name an existing contact with the
// HUBSPOT_DEFINED type 202 (note to contact).
//
// # Where HubSpot's behaviour is undocumented
//
// The fake takes the stricter reading, or the one observed and reported,
// and says so here:
//
//   - A lifecycle stage set backwards through the API is refused (400
//     VALIDATION_ERROR, code INVALID_OPTION) unless it is cleared first;
//     HubSpot documents only that automatic updates never move it back.
//     MoveToStage, which stands for a person in HubSpot, may move it back.
//   - Retry-After on API 429s is documented only for workflow actions; the
//     fake sends it (WithoutRetryAfter drops it to test the fallback on
//     policyName). Refused requests do not count against the limits.
//   - Searches do not count against the 10-secondly limit.
//   - With no sort, results come in id order; unset values sort last.
//   - Unknown request fields are refused (400) but, by Go's JSON decoder,
//     field names match case-insensitively where HubSpot's are exact.
//   - The token-info endpoint (/oauth/v2/private-apps/get/access-token-info)
//     answers for every token the fake knows, Service Keys included, and
//     wants the bearer header as well as tokenKey; fault "token.info"
//     simulates HubSpot not answering for a key.
//   - A contact created through the API gets no lifecycle stage unless
//     one is given.
//
// # Faults
//
// Fault makes an operation (see Operations, or "*") fail like HubSpot:
// 429 with Retry-After (RateLimitStorm), 5xx with an error body or an HTML
// page (Outage), or an answer held back in real time (Latency), for a
// number of calls or until ClearFaults. Faults come before the token
// check, as an outage does.
package fakehubspot
