// Package webhooks holds the HTTP side of outbound events: the event
// body, its signature, a Sender that POSTs one event to one URL and says
// what the delivery job should do next, and Sink, which plugs a URL into
// the events job. Writing events in the same transaction as the change,
// retrying with backoff, ordering per handoff and replaying belong to the
// job queue and storage.
package webhooks

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/handoffbot/handoffbot/intake"
)

// Type names what happened; receivers switch on it.
type Type string

// The event types of contract.md.
const (
	HandoffCreated       Type = "handoff.created"
	HandoffAccepted      Type = "handoff.accepted"
	HandoffRejected      Type = "handoff.rejected"
	HandoffReassigned    Type = "handoff.reassigned"
	HandoffRerouted      Type = "handoff.rerouted" // moved on by a routing rule after a breach
	HandoffFirstTouch    Type = "handoff.first_touch"
	HandoffQualified     Type = "handoff.qualified"
	HandoffWon           Type = "handoff.won"
	HandoffLost          Type = "handoff.lost"
	HandoffReturned      Type = "handoff.returned"
	HandoffSLAReminded   Type = "handoff.sla_reminded"
	HandoffSLABreached   Type = "handoff.sla_breached"
	FeedbackCreated      Type = "feedback.created"
	FeedbackAcknowledged Type = "feedback.acknowledged"
	FeedbackResolved     Type = "feedback.resolved"
	Ping                 Type = "ping" // sent by `handoffbot check` to test a URL
)

// Types lists every event type in contract.md's order, for documentation
// and for tests that each one is described.
var Types = []Type{
	HandoffCreated, HandoffAccepted, HandoffRejected, HandoffReassigned, HandoffRerouted,
	HandoffFirstTouch, HandoffQualified, HandoffWon, HandoffLost, HandoffReturned,
	HandoffSLAReminded, HandoffSLABreached, FeedbackCreated, FeedbackAcknowledged, FeedbackResolved, Ping,
}

// Event is the JSON body of one outbound event. Its ID is made once, when
// the event is recorded, and is the same at every retry and replay, so
// that receivers can drop what they have seen.
type Event struct {
	ID         string    `json:"id"`
	Type       Type      `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	// Actor is the Slack user ID of who did it; empty for the bot's own
	// doings (SLA reminders and breaches, re-routes) and for handoffs
	// created through the API.
	Actor string `json:"actor,omitempty"`
	// Reason is the code of a rejection, loss or return (domain.md).
	Reason string `json:"reason,omitempty"`
	// Note is the free text given with a reason or a resolution.
	Note string `json:"note,omitempty"`
	// Handoff is the handoff after the change, as GET /v1/handoffs/{id}
	// shows it; set for handoff.* events and feedback about a handoff.
	Handoff *intake.Handoff `json:"handoff,omitempty"`
	// Feedback is set for feedback.* events.
	Feedback *Feedback `json:"feedback,omitempty"`
}

// Feedback is a feedback item as events show it (domain.md: feedback
// threads). Text not set is "", a time not reached yet null.
type Feedback struct {
	ID       int64  `json:"id"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Campaign string `json:"campaign"`
	// HandoffID is the handoff the feedback is about, nil for none.
	HandoffID      *int64     `json:"handoff_id"`
	CreatedBy      string     `json:"created_by"`
	State          string     `json:"state"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	// Resolution is "What changed", given when resolving.
	Resolution string `json:"resolution"`
	// ThreadURL links the thread in Slack; "" until it is posted.
	ThreadURL string `json:"thread_url"`
}

// NewEventID makes the id of a new event: "evt_" and 128 random bits.
func NewEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "evt_" + hex.EncodeToString(b)
}
