package intake

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/handoffbot/handoffbot/domain"
)

// ProblemTypeBase starts the type URI of every problem the API answers
// with; the rest is the problem's name, e.g. ProblemTypeBase+"unauthorized".
// It points at the section of docs/api.md that explains the problem, and
// it is stable: clients may compare type URIs.
const ProblemTypeBase = "https://github.com/handoffbot/handoffbot/blob/main/docs/api.md#problem-"

// Problem is an RFC 9457 problem document, the body of every error answer.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// Instance is the request's path.
	Instance string `json:"instance,omitempty"`
	// RequestID is also in the Request-Id header; quote it in a report.
	RequestID string `json:"request_id,omitempty"`
	// Errors names each bad field of a 422.
	Errors []FieldProblem `json:"errors,omitempty"`
	// Offset is the byte offset of a 400's malformed JSON.
	Offset *int64 `json:"offset,omitempty"`
	// OpenHandoff is the lead's open handoff that makes a new one a
	// duplicate (409).
	OpenHandoff *OpenHandoff `json:"open_handoff,omitempty"`
}

// FieldProblem is one bad field of a request: its dotted JSON path (empty
// for the body as a whole) and what is wrong with it.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// OpenHandoff is the part of a lead's open handoff a client needs to
// decide whether to send allow_duplicate.
type OpenHandoff struct {
	ID      int64        `json:"id"`
	State   domain.State `json:"state"`
	CardURL string       `json:"card_url"`
}

// problemKind is one entry of the documented list of problems.
type problemKind struct {
	name   string
	title  string
	status int
}

// The problems, in the order the API checks for them (contract.md), then
// the ones that only the application or routing can raise.
var (
	probUnauthorized = problemKind{"unauthorized", "Missing or unknown API key", http.StatusUnauthorized}
	probRateLimited  = problemKind{"rate-limited", "Too many requests", http.StatusTooManyRequests}
	probMediaType    = problemKind{"unsupported-media-type", "The body must be JSON", http.StatusUnsupportedMediaType}
	probTooLarge     = problemKind{"body-too-large", "The body is too large", http.StatusRequestEntityTooLarge}
	probMalformed    = problemKind{"malformed-json", "The body is not valid JSON", http.StatusBadRequest}
	probInvalid      = problemKind{"invalid-fields", "Some fields are invalid", http.StatusUnprocessableEntity}
	probDuplicate    = problemKind{"duplicate-lead", "The lead already has an open handoff", http.StatusConflict}
	probExternalID   = problemKind{"external-id-conflict", "The external_id was used with another body", http.StatusConflict}
	probConflict     = problemKind{"conflict", "Conflict", http.StatusConflict}
	probNotFound     = problemKind{"not-found", "Not found", http.StatusNotFound}
	probMethod       = problemKind{"method-not-allowed", "Method not allowed", http.StatusMethodNotAllowed}
	probUnavailable  = problemKind{"unavailable", "Temporarily unavailable", http.StatusServiceUnavailable}
	probInternal     = problemKind{"internal", "Internal error", http.StatusInternalServerError}
)

const (
	// genericDetail answers every unexpected error: what went wrong stays
	// in the log, under the request's id.
	genericDetail = "Something went wrong on our side. Quote the request_id if you report it."
	// unavailableRetryIn is the Retry-After of a 503, in seconds.
	unavailableRetryIn = 5
)

// problem starts a problem document of kind k about request r.
func problem(r *http.Request, k problemKind, detail string) Problem {
	return Problem{
		Type: ProblemTypeBase + k.name, Title: k.title, Status: k.status, Detail: detail,
		Instance: r.URL.Path, RequestID: requestID(r.Context()),
	}
}

// writeProblem sends p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	noteProblem(r.Context(), p)
	body, err := json.Marshal(p)
	if err != nil { // a Problem is plain strings and numbers
		panic(err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body) // the client hung up: nothing left to tell it
}

// appProblem turns an error of the application into the problem a client
// may see. Only domain messages, written for users, reach the client; any
// other error is logged and answered with a generic 500.
func appProblem(w http.ResponseWriter, r *http.Request, err error) Problem {
	var fields domain.FieldErrors
	var dup *domain.DuplicateError
	var ext *domain.ExternalIDError
	switch {
	case errors.As(err, &fields):
		p := problem(r, probInvalid, "The application refused some fields.")
		p.Errors = fieldProblems(fields)
		return p
	case errors.As(err, &dup):
		p := problem(r, probDuplicate, "The lead has an open handoff; send allow_duplicate: true to hand it off again.")
		p.OpenHandoff = &OpenHandoff{ID: dup.Open.ID, State: dup.Open.State, CardURL: dup.Open.CardPermalink}
		return p
	case errors.As(err, &ext):
		return problem(r, probExternalID, "This external_id was already used with a different body; send a new external_id or the same body.")
	}
	switch domain.ErrorCode(err) {
	case domain.ENOTFOUND:
		return problem(r, probNotFound, domain.ErrorMessage(err))
	case domain.EINVALID:
		return problem(r, probInvalid, domain.ErrorMessage(err))
	case domain.ECONFLICT:
		return problem(r, probConflict, domain.ErrorMessage(err))
	case domain.EUNAVAIL:
		w.Header().Set("Retry-After", strconv.Itoa(unavailableRetryIn))
		return problem(r, probUnavailable, domain.ErrorMessage(err))
	}
	logger(r.Context()).ErrorContext(r.Context(), "intake request failed", "error", err)
	return problem(r, probInternal, genericDetail)
}

func fieldProblems(errs domain.FieldErrors) []FieldProblem {
	out := make([]FieldProblem, len(errs))
	for i, e := range errs {
		out[i] = FieldProblem{Field: e.Field, Message: e.Message}
	}
	return out
}
