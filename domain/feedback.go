package domain

import "time"

// FeedbackState is where a feedback item stands (domain.md: feedback
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

// FeedbackCategories lists the categories with contract.md's labels, in
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

// Label is the category in contract.md's words.
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
	RootChannel   string
	RootTS        string
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
