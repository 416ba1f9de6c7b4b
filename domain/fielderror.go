package domain

import (
	"fmt"
	"strings"
)

// FieldError names one input field that breaks a rule and says why, so
// that an adapter can point at it: the intake API's problem document lists
// it under `errors`, a form shows it under the input.
type FieldError struct {
	// Field is the dotted path of the field in the request, e.g. lead.email.
	Field string
	// Message is safe to show the person who sent the request.
	Message string
}

// FieldErrors lists every field of one request that breaks a rule. The
// application returns it for rules only it can judge (an assignee's email
// that matches nobody); it unwraps to an EINVALID *Error so that callers
// which only know the error vocabulary still see an invalid input.
type FieldErrors []FieldError

// Error lists the fields and their messages.
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid fields: " + strings.Join(parts, "; ")
}

// Unwrap lets ErrorCode see EINVALID and ErrorMessage say how many fields
// are wrong.
func (e FieldErrors) Unwrap() error {
	if len(e) == 1 {
		return Errorf(EINVALID, "%s: %s", e[0].Field, e[0].Message)
	}
	return Errorf(EINVALID, "%d fields are invalid.", len(e))
}

// Add appends a problem with field, formatting its message.
func (e *FieldErrors) Add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}
