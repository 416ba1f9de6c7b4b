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

// ExternalIDError says an external_id already names a handoff created from
// a different request. Intake channels are idempotent by external_id: the
// same request again is answered with the handoff it created, but a
// different one under the same id is refused rather than guessed at.
type ExternalIDError struct {
	ExternalID string
	// Existing is the id of the handoff the external_id names.
	Existing int64
}

func (e *ExternalIDError) Error() string {
	return fmt.Sprintf("external_id %q names handoff %d, created from another request", e.ExternalID, e.Existing)
}

// Unwrap lets ErrorCode see a conflict.
func (e *ExternalIDError) Unwrap() error {
	return Errorf(ECONFLICT, "This external_id was already used with a different request.")
}
