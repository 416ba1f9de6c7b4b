// Package domain holds what every layer of handoffbot agrees on: the handoff,
// its states and reasons, and the small error vocabulary that only the edge
// turns into words a user reads.
package domain

import (
	"errors"
	"fmt"
)

// Error codes: the few ways an operation can fail that callers act on.
const (
	ENOTFOUND  = "not_found"   // the thing asked for does not exist
	EINVALID   = "invalid"     // the input breaks a rule; Message says which
	ECONFLICT  = "conflict"    // someone else changed it first, or it exists already
	EFORBIDDEN = "forbidden"   // this person may not do this
	EUNAVAIL   = "unavailable" // a dependency (the database) is down; try again
	EINTERNAL  = "internal"    // a bug or an unexpected failure
)

// Error is an application error whose Message is safe to show a user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an Error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage is the user-facing message of err; internal errors get a
// generic one so that no stack detail or SQL reaches a user.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Something went wrong on our side."
}
