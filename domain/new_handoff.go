package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// NewHandoff is a request to create a handoff, from any intake (the Slack
// form, the API, the Workflow Builder step, the CRM). The store creates it
// in one transaction: the duplicate check, the routing decision, the
// handoff with its event, and everything it owes.
type NewHandoff struct {
	// Handoff is the handoff to create. With no Assignee, Route picks one.
	// With no ExternalID it gets "hb-<id>".
	Handoff Handoff
	// AllowDuplicate creates it even if the lead has an open handoff.
	AllowDuplicate bool
	// RequestHash, with an ExternalID, makes a repeat of the same request
	// answer the handoff it created (Created.Replayed) and create nothing,
	// and a different request under the same ExternalID an
	// *ExternalIDError.
	RequestHash string
	// Route decides the owner when Handoff has none.
	Route *Route
	// Owed lists what the new handoff owes once its id and owner are
	// known: the card and DMs, and the SLA timers.
	Owed func(h Handoff) Owed
	// FormID is the Slack view ID of the New handoff form it comes from,
	// or "" for handoffs that come from no form (imports, the API). A form
	// makes one handoff: creating is refused with a *FormUsedError when
	// the form already made one (a second click, a replayed view).
	FormID string
}

// FormUsedError says the form already made a handoff, First; nothing new
// was created.
type FormUsedError struct {
	First Handoff
}

func (e *FormUsedError) Error() string {
	return fmt.Sprintf("form already made handoff %d", e.First.ID)
}

// Unwrap lets ErrorCode see a conflict.
func (e *FormUsedError) Unwrap() error {
	return Errorf(ECONFLICT, "This form was already handed off.")
}

// Owed is what a change owes: messages to post and SLA timers to set. (The
// systems around the bot hear of every change without being owed: the
// store makes an outbound event of each event it records.)
type Owed struct {
	Messages []Message
	Timers   []Timer
	// Detail is recorded with the event of the change, e.g. why the
	// routing picked a new handoff's owner.
	Detail map[string]string
}

// Created is what creating a handoff did.
type Created struct {
	Handoff Handoff
	// Replayed says the request had been made before: nothing was created,
	// and Handoff is what the first request created.
	Replayed bool
}

// Route asks the store to decide a new handoff's owner inside the creating
// transaction, with the pools' rows locked so that replicas take turns:
// the store reads what it keeps about Pools and People and calls Decide.
type Route struct {
	Pools  []string
	People []string
	// DayStart is today's midnight in the configured zone, for per-day caps.
	DayStart time.Time
	Decide   func(f RouteFacts) (Routed, error)
}

// RouteFacts are what the store keeps that a routing decision reads.
type RouteFacts struct {
	States map[string]json.RawMessage // each pool's rotation, as routing stored it
	People map[string]PersonFacts
}

// PersonFacts are one person's load and availability.
type PersonFacts struct {
	Open      int       // open handoffs they own
	Today     int       // handoffs they got since DayStart
	Away      bool      // they said /handoff away
	AwayUntil time.Time // with Away: when they are back; zero: until they say so
}

// Routed is a routing decision: the owner, the pools' rotation to store,
// and the why to record with the created event.
type Routed struct {
	Assignee string
	States   map[string]json.RawMessage
	Detail   map[string]string
}
