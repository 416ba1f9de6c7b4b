package domain

import "fmt"

// NewHandoff is what creating a handoff needs besides the handoff itself.
type NewHandoff struct {
	Handoff Handoff
	// AllowDuplicate creates it even if the lead has an open handoff.
	AllowDuplicate bool
	// Messages are owed once it exists (the card, DMs); their HandoffID,
	// InThreadOf and CardLink may be -1, meaning the new handoff.
	Messages []Message
	// Timers are the moments of its SLA clocks (reminders, breaches).
	Timers []Timer
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
