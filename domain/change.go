package domain

import (
	"fmt"
	"time"
)

// Change is one person's move of a handoff: a state move, or a
// reassignment when Move is empty.
type Change struct {
	HandoffID int64
	// Expected is the state the person saw; if it changed meanwhile the
	// change fails with a *StaleError and nothing is written.
	Expected    State
	Move        Move
	Actor       string
	Reason      string
	Note        string
	NewAssignee string // reassignments, and an accept by a teammate
	At          time.Time
	// DecisionSecs is the business time from creation to an accept or
	// reject, for the time-to-accept metric.
	DecisionSecs float64
	// Messages are owed because of the change (the card update, DMs).
	Messages []Message
}

// StaleError says someone moved the handoff first.
type StaleError struct {
	Current Handoff
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("handoff %d is %s now", e.Current.ID, e.Current.State)
}

// Unwrap lets ErrorCode see a conflict.
func (e *StaleError) Unwrap() error {
	return Errorf(ECONFLICT, "Someone got there first: this handoff is %s now.", e.Current.State.Label())
}
