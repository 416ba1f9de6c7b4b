package domain

import (
	"encoding/json"
	"strings"
	"time"
)

// State is where a handoff stands (the README: handing off a lead).
type State string

// The handoff states.
const (
	StatePending   State = "pending"
	StateAccepted  State = "accepted"
	StateRejected  State = "rejected"
	StateContacted State = "contacted"
	StateQualified State = "qualified"
	StateWon       State = "won"
	StateLost      State = "lost"
	StateReturned  State = "returned"
)

// States lists every state, in the order of the waterfall.
var States = []State{StatePending, StateAccepted, StateContacted, StateQualified, StateWon, StateLost, StateRejected, StateReturned}

// OpenStates are the states in which a handoff still needs someone.
var OpenStates = []State{StatePending, StateAccepted, StateContacted, StateQualified}

// Open reports whether the handoff still needs someone (duplicates are
// checked against open handoffs).
func (s State) Open() bool {
	switch s {
	case StatePending, StateAccepted, StateContacted, StateQualified:
		return true
	}
	return false
}

// Label is the state in words, as the card shows it.
func (s State) Label() string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Move is something a person does to a handoff that changes its state.
type Move string

// The moves, named after the buttons.
const (
	MoveAccept  Move = "accept"
	MoveReject  Move = "reject"
	MoveTouch   Move = "touch"
	MoveQualify Move = "qualify"
	MoveWin     Move = "win"
	MoveLose    Move = "lose"
	MoveReturn  Move = "return"
)

// transitions are the moves the card allows from each state.
var transitions = map[State]map[Move]State{
	StatePending:   {MoveAccept: StateAccepted, MoveReject: StateRejected},
	StateAccepted:  {MoveTouch: StateContacted, MoveReturn: StateReturned, MoveLose: StateLost},
	StateContacted: {MoveQualify: StateQualified, MoveReturn: StateReturned, MoveLose: StateLost},
	StateQualified: {MoveWin: StateWon, MoveLose: StateLost},
}

// Next is the state move m leads to from s, and whether it is allowed.
func (s State) Next(m Move) (State, bool) {
	to, ok := transitions[s][m]
	return to, ok
}

// Moves lists the moves allowed from s, in the order the card shows them.
func (s State) Moves() []Move {
	var ms []Move
	for _, m := range []Move{MoveAccept, MoveReject, MoveTouch, MoveQualify, MoveWin, MoveReturn, MoveLose} {
		if _, ok := s.Next(m); ok {
			ms = append(ms, m)
		}
	}
	return ms
}

// Reasons returns the reasons a move needs (nil for moves without one).
func (m Move) Reasons() []Reason {
	switch m {
	case MoveReject:
		return RejectReasons
	case MoveReturn:
		return ReturnReasons
	case MoveLose:
		return LostReasons
	}
	return nil
}

// Direction says which team receives the lead.
type Direction string

// The directions.
const (
	ToSales     Direction = "to_sales"
	ToMarketing Direction = "to_marketing"
)

// Label names the receiving team.
func (d Direction) Label() string {
	if d == ToMarketing {
		return "Marketing"
	}
	return "Sales"
}

// Valid reports whether d is a direction.
func (d Direction) Valid() bool { return d == ToSales || d == ToMarketing }

// Priority is how hot the lead is.
type Priority string

// The priorities.
const (
	Hot  Priority = "hot"
	Warm Priority = "warm"
	Cold Priority = "cold"
)

// Valid reports whether p is a priority.
func (p Priority) Valid() bool { return p == Hot || p == Warm || p == Cold }

// Label is the priority in words.
func (p Priority) Label() string { return State(p).Label() }

// Reason is a coded reason marketing can act on, with its words.
type Reason struct {
	Code  string
	Label string
}

// OtherReason needs a note.
const OtherReason = "other"

// The reason lists people choose from (docs/csv.md has the codes).
var (
	RejectReasons = []Reason{
		{"not_reachable", "Not reachable (after the required attempts)"},
		{"bad_data", "Bad data"},
		{"no_need", "No need"},
		{"no_budget", "No budget"},
		{"not_a_fit", "Not a fit"},
		{"duplicate", "Duplicate"},
		{"already_customer", "Already a customer"},
		{OtherReason, "Other"},
	}
	ReturnReasons = []Reason{
		{"not_ready", "Not ready (timing)"},
		{"no_response", "No response"},
		{"wrong_contact", "Wrong contact"},
		{"nurture_requested", "Nurture requested"},
		{OtherReason, "Other"},
	}
	LostReasons = []Reason{
		{"no_decision", "No decision"},
		{"competitor", "Competitor"},
		{"price", "Price"},
		{"timing", "Timing"},
		{OtherReason, "Other"},
	}
)

// ReasonLabel gives the words for a code in list, or the code itself.
func ReasonLabel(list []Reason, code string) string {
	for _, r := range list {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// ValidReason reports whether code is in list.
func ValidReason(list []Reason, code string) bool {
	for _, r := range list {
		if r.Code == code {
			return true
		}
	}
	return false
}

// Lead is a person at a company, as handed off. Country, region, head
// count and industry come from the intake API, the CRM or the CSV, and
// routing rules read them.
type Lead struct {
	Name    string
	Company string
	Email   string
	Phone   string
	CRMURL  string
	Country string // ISO 3166-1 alpha-2, upper case; "" when not known
	Region  string // state or province
	// Employees is the company's head count; nil when not known.
	Employees *int
	Industry  string
}

// EmailKey normalises an email for duplicate detection: case-insensitive,
// ignoring a +tag in the local part.
func EmailKey(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return email
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// Handoff moves one lead from one team to the other. Its fields are the
// projection of its events.
type Handoff struct {
	ID              int64
	ExternalID      string
	Lead            Lead
	Direction       Direction
	State           State
	Priority        Priority
	Source          string
	Campaign        string
	Notes           string
	CreatedBy       string // Slack user ID
	Assignee        string // Slack user ID: the owner
	SourcePermalink string // the message it was handed off from, if any
	// Intake says how the handoff came in: IntakeSlack, IntakeImport,
	// IntakeWorkflow, IntakeHubSpot, or "api:" and the API key's name.
	Intake    string
	CreatedAt time.Time
	// OccurredAt is the lead's own clock, when known: when the form was
	// filled or the contact became an MQL. Speed-to-lead counts from it;
	// the SLA clocks start at CreatedAt.
	OccurredAt *time.Time
	// AssignedAt is when the owner got it: creation, or a reassignment or
	// re-route since. Per-day caps count from it.
	AssignedAt      time.Time
	AcceptDueAt     time.Time
	FirstTouchDueAt time.Time
	AcceptedAt      *time.Time
	RejectedAt      *time.Time
	RejectReason    string
	// DecisionSecs is the business time from creation to the accept or
	// reject, measured when it happened (zero before).
	DecisionSecs  float64
	FirstTouchAt  *time.Time
	QualifiedAt   *time.Time
	ClosedAt      *time.Time
	CloseReason   string
	ReasonNote    string
	CardChannel   string
	CardTS        string
	CardPermalink string
	UpdatedAt     time.Time
}

// How a handoff came in (Handoff.Intake).
const (
	IntakeSlack    = "slack"
	IntakeImport   = "import"
	IntakeWorkflow = "workflow"
	IntakeHubSpot  = "hubspot"
	intakeAPI      = "api:"
)

// IntakeAPI is the intake of a handoff created with the API key named key.
func IntakeAPI(key string) string { return intakeAPI + key }

// IntakeName is what a handoff came through, for "via …": the API key's
// name, "HubSpot", "Workflow Builder", "import".
func IntakeName(intake string) string {
	switch {
	case strings.HasPrefix(intake, intakeAPI):
		return strings.TrimPrefix(intake, intakeAPI)
	case intake == IntakeHubSpot:
		return "HubSpot"
	case intake == IntakeWorkflow:
		return "Workflow Builder"
	}
	return intake
}

// IntakeLabel names an intake for people: "Slack", "API key zapier", …
func IntakeLabel(intake string) string {
	switch {
	case strings.HasPrefix(intake, intakeAPI):
		return "API key " + strings.TrimPrefix(intake, intakeAPI)
	case intake == IntakeHubSpot:
		return "HubSpot"
	case intake == IntakeWorkflow:
		return "Workflow step"
	case intake == "":
		return "Slack"
	}
	return strings.ToUpper(intake[:1]) + intake[1:]
}

// Event is one recorded move or happening of a handoff, append-only.
type Event struct {
	ID        int64
	HandoffID int64
	Kind      string // created, accepted, rejected, contacted, qualified, won, lost, returned, reassigned, …
	Actor     string
	From      State
	To        State
	Reason    string
	Note      string
	// Detail holds what a kind needs beyond the above, e.g. the previous and
	// new owner of a reassignment.
	Detail map[string]string
	At     time.Time
}

// Message is a Slack message the bot owes someone. It is stored with the
// change that owes it and delivered later, in order per channel.
type Message struct {
	// Channel is a channel ID, or a user ID for a DM.
	Channel string `json:"channel"`
	// Card, when set, makes this message the card of HandoffID: posted the
	// first time, updated in place afterwards, rendered when sent.
	Card bool   `json:"card,omitempty"`
	Text string `json:"text,omitempty"`
	// Blocks is Block Kit JSON.
	Blocks json.RawMessage `json:"blocks,omitempty"`
	// InThreadOf posts the message as a reply to the card of that handoff.
	InThreadOf int64 `json:"in_thread_of,omitempty"`
	// UpdateTS, when set, replaces the message ts in Channel in place
	// (chat.update) instead of posting: a feedback thread root redrawn.
	UpdateTS string `json:"update_ts,omitempty"`
	// CardLink appends a link to the card of that handoff.
	CardLink  int64  `json:"card_link,omitempty"`
	HandoffID int64  `json:"handoff_id,omitempty"`
	Purpose   string `json:"purpose"` // why it is sent, for logs and metrics
}
