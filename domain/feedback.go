package domain

import (
	"fmt"
	"time"
)

// FeedbackState is where a feedback item stands (the README: feedback
// threads). The loop is closed when it is resolved.
type FeedbackState string

// The feedback states, in the order an item goes through them.
const (
	FeedbackOpen         FeedbackState = "open"
	FeedbackAcknowledged FeedbackState = "acknowledged"
	FeedbackResolved     FeedbackState = "resolved"
)

// Label is the state in words, as the thread root shows it.
func (s FeedbackState) Label() string { return State(s).Label() }

// Valid reports whether s is one of the feedback states.
func (s FeedbackState) Valid() bool {
	return s == FeedbackOpen || s == FeedbackAcknowledged || s == FeedbackResolved
}

// CanMoveTo reports whether an item in s may move to to: open →
// acknowledged → resolved, and open → resolved directly (a resolution is
// also a response, so it acknowledges on the way).
func (s FeedbackState) CanMoveTo(to FeedbackState) bool {
	switch to {
	case FeedbackAcknowledged:
		return s == FeedbackOpen
	case FeedbackResolved:
		return s == FeedbackOpen || s == FeedbackAcknowledged
	}
	return false
}

// Category is what a feedback item is about, so marketing can route it and
// the digest can count it by kind.
type Category string

// FeedbackCategories lists the categories with the labels people see, in
// the order the Feedback modal offers them.
var FeedbackCategories = []Reason{
	{"messaging", "Messaging"},
	{"content", "Content"},
	{"lead_quality", "Lead quality"},
	{"pricing", "Pricing"},
	{"competitor", "Competitor"},
	{"product", "Product"},
	{"other", "Other"},
}

// Label is the category in the words people see.
func (c Category) Label() string { return ReasonLabel(FeedbackCategories, string(c)) }

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool { return ValidReason(FeedbackCategories, string(c)) }

// Limits on what people type into the Feedback and resolve modals; the
// feedback fits one Slack section.
const (
	MaxFeedback   = 3000
	MaxResolution = 3000
)

// Feedback is one thing heard in the field, turned into a thread that
// marketing answers and closes. Its fields are the projection of its events.
type Feedback struct {
	ID       int64
	Category Category
	Text     string
	Campaign string
	// HandoffID links the handoff the feedback is about (0 for none).
	HandoffID int64
	CreatedBy string // Slack user ID of the author
	// SourcePermalink and SourceAuthor name the Slack message the feedback
	// was made from with the message shortcut, if any.
	SourcePermalink string
	SourceAuthor    string
	State           FeedbackState
	CreatedAt       time.Time
	AcknowledgedAt  *time.Time
	AcknowledgedBy  string
	// ResponseSecs is the business time from creation to the first
	// marketing reply or acknowledgement, measured when it happened.
	ResponseSecs float64
	ResolvedAt   *time.Time
	ResolvedBy   string
	Resolution   string // "What changed", given when resolving
	// RootChannel and RootTS locate the thread root once Slack has it;
	// RootPermalink links to it when known.
	RootChannel string
	RootTS      string
	// RootOutboxID is the outbox message that posts the thread root.
	RootOutboxID  int64
	RootPermalink string
	UpdatedAt     time.Time
}

// FeedbackEvent is one recorded happening of a feedback item, append-only:
// created, replied (a person's message in its thread), acknowledged,
// resolved.
type FeedbackEvent struct {
	ID         int64
	FeedbackID int64
	Kind       string
	Actor      string
	From       FeedbackState
	To         FeedbackState
	Note       string
	// MessageTS is the Slack ts of the thread reply an event records: the
	// key that makes a redelivered reply count once.
	MessageTS string
	At        time.Time
}

// NewFeedback is what creating a feedback item needs besides the item.
type NewFeedback struct {
	Feedback Feedback
	// Root draws the thread root to post in the feedback channel, given the
	// item as saved (with its id); the root becomes the item's thread once
	// Slack has it.
	Root func(Feedback) Message
	// Messages are owed besides the root (the reply under a handoff's card).
	Messages []Message
}

// FeedbackChange is marketing's response to a feedback item: an
// acknowledgement, or a resolution saying what changed.
type FeedbackChange struct {
	FeedbackID int64
	// Expected is the state the person saw; if it changed meanwhile the
	// change fails with a *FeedbackStaleError and nothing is written.
	Expected FeedbackState
	To       FeedbackState // acknowledged or resolved
	Actor    string
	At       time.Time
	// ResponseSecs is the business time from creation to At, kept when
	// this change is the item's first response.
	ResponseSecs float64
	Resolution   string // resolutions: what changed
	// Messages are owed because of the change (the root redrawn, DMs).
	Messages []Message
}

// FeedbackStaleError says someone responded to the item first.
type FeedbackStaleError struct {
	Current Feedback
}

func (e *FeedbackStaleError) Error() string {
	return fmt.Sprintf("feedback %d is %s now", e.Current.ID, e.Current.State)
}

// Unwrap lets ErrorCode see a conflict.
func (e *FeedbackStaleError) Unwrap() error {
	return Errorf(ECONFLICT, "Someone got there first: this feedback is %s now.", e.Current.State.Label())
}

// FeedbackReply is a person's message in a feedback thread.
type FeedbackReply struct {
	FeedbackID int64
	TS         string // the reply's Slack ts: what makes a redelivery count once
	Actor      string
	At         time.Time
	// Acknowledge, when set, is applied if the item is still as it
	// expects: the first marketing reply acknowledges an open item.
	Acknowledge *FeedbackChange
}

// ReplyOutcome says what a thread reply did.
type ReplyOutcome struct {
	// Recorded is false when this reply was recorded before (a redelivery).
	Recorded bool
	// Acknowledged is true when this reply acknowledged the item.
	Acknowledged bool
	Feedback     Feedback
}
