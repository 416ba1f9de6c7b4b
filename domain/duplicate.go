package domain

import "fmt"

// DuplicateError says the lead already has an open handoff.
type DuplicateError struct {
	Open Handoff
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("lead already has open handoff %d", e.Open.ID)
}

// Unwrap lets ErrorCode see a conflict.
func (e *DuplicateError) Unwrap() error {
	return Errorf(ECONFLICT, "This lead already has an open handoff.")
}
