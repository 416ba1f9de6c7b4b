package domain

// Visibility is which handoffs a person may look up by name or number
// (the Feedback form's Related handoff): those they handed off, those they
// own, and, when they are a member of the handoff channel, those whose
// card is there for them to read anyway. Anything else would let anyone
// learn any lead by searching for it.
type Visibility struct {
	UserID string
	// Channel is the handoff channel when the person is a member of it,
	// else "".
	Channel string
}

// Sees reports whether the person may find h. storage's handoff search
// applies the same rule in SQL.
func (v Visibility) Sees(h Handoff) bool {
	switch {
	case v.UserID != "" && (h.CreatedBy == v.UserID || h.Assignee == v.UserID):
		return true
	case v.Channel != "" && h.CardChannel == v.Channel && h.CardTS != "":
		return true
	}
	return false
}
