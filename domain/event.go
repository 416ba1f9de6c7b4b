package domain

import (
	"strconv"
	"time"
)

// Outbound event types, as webhooks and the CRM connector receive them.
const (
	EventHandoffCreated       = "handoff.created"
	EventHandoffAccepted      = "handoff.accepted"
	EventHandoffRejected      = "handoff.rejected"
	EventHandoffReassigned    = "handoff.reassigned"
	EventHandoffRerouted      = "handoff.rerouted"
	EventHandoffFirstTouch    = "handoff.first_touch"
	EventHandoffQualified     = "handoff.qualified"
	EventHandoffWon           = "handoff.won"
	EventHandoffLost          = "handoff.lost"
	EventHandoffReturned      = "handoff.returned"
	EventHandoffSLAReminded   = "handoff.sla_reminded"
	EventHandoffSLABreached   = "handoff.sla_breached"
	EventFeedbackCreated      = "feedback.created"
	EventFeedbackAcknowledged = "feedback.acknowledged"
	EventFeedbackResolved     = "feedback.resolved"
)

// handoffEventTypes maps a handoff's recorded event kinds to the outbound
// event types the systems around the bot hear of; a snooze, say, is not
// one of them.
var handoffEventTypes = map[string]string{
	"created": EventHandoffCreated, "accepted": EventHandoffAccepted, "rejected": EventHandoffRejected,
	"reassigned": EventHandoffReassigned, "rerouted": EventHandoffRerouted, "contacted": EventHandoffFirstTouch,
	"qualified": EventHandoffQualified, "won": EventHandoffWon, "lost": EventHandoffLost, "returned": EventHandoffReturned,
	"reminded": EventHandoffSLAReminded, "breached": EventHandoffSLABreached,
}

// feedbackEventTypes does the same for a feedback item's events.
var feedbackEventTypes = map[string]string{
	"created": EventFeedbackCreated, "acknowledged": EventFeedbackAcknowledged, "resolved": EventFeedbackResolved,
}

// Outbound is the outbound event a recorded handoff event makes, if any.
func (e Event) Outbound() (OutboundEvent, bool) {
	t, ok := handoffEventTypes[e.Kind]
	return OutboundEvent{Type: t, OccurredAt: e.At, Actor: e.Actor, Reason: e.Reason, Note: e.Note, HandoffID: e.HandoffID}, ok
}

// Outbound is the outbound event a recorded feedback event makes, if any.
func (e FeedbackEvent) Outbound() (OutboundEvent, bool) {
	t, ok := feedbackEventTypes[e.Kind]
	return OutboundEvent{Type: t, OccurredAt: e.At, Actor: e.Actor, Note: e.Note, FeedbackID: e.FeedbackID}, ok
}

// OutboundEvent is something that happened to a handoff or a feedback item
// that the systems around the bot hear of: written with the change in one
// transaction, then sent to every sink (webhook URLs, the CRM) in order.
// The store makes one for each recorded event that has an outbound type,
// with the handoff or feedback item as it is after the change.
type OutboundEvent struct {
	ID         int64
	EventID    string // evt_…, what receivers deduplicate by
	Type       string
	OccurredAt time.Time
	Actor      string // Slack user ID; "" for the bot's own doings and the API
	Reason     string
	Note       string
	HandoffID  int64
	FeedbackID int64
	// Handoff and Feedback are the item as it was just after the event.
	Handoff  *Handoff
	Feedback *Feedback
}

// Sequence is what a sink receives in order: the events of one handoff,
// or of one feedback item.
func (e OutboundEvent) Sequence() string {
	if e.HandoffID != 0 {
		return "handoff:" + strconv.FormatInt(e.HandoffID, 10)
	}
	return "feedback:" + strconv.FormatInt(e.FeedbackID, 10)
}
