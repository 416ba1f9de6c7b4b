package domain

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
}
