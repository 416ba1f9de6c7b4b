package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// Handoffs is what the API asks of the application. It is declared here,
// small, so that the API depends on no store or Slack client.
type Handoffs interface {
	// Create hands a lead off exactly as the New handoff form does (rules,
	// duplicate check, rotation, card, DMs, SLA clocks, events) in the name
	// of key. All of it happens, or none of it: a refused request leaves no
	// trace. A request whose ExternalID names a handoff created from a body
	// with the same BodyHash answers that handoff with Replayed set, and
	// does nothing else.
	//
	// Errors: domain.FieldErrors for fields only the application can judge
	// (an assignee email that matches nobody; no team to rotate through);
	// *domain.DuplicateError when the lead has an open handoff and
	// AllowDuplicate is false; *domain.ExternalIDError when ExternalID was
	// used with another body; EUNAVAIL when the database is down.
	Create(ctx context.Context, key Key, req Request) (Result, error)
	// Get returns the handoff with id, or an ENOTFOUND error.
	Get(ctx context.Context, id int64) (Handoff, error)
}

// Result is what Create did.
type Result struct {
	Handoff Handoff
	// Replayed says the request was seen before: nothing was created or
	// posted, and Handoff is what the first request created.
	Replayed bool
}

// Handoff is a handoff as the API and outbound events show it: the object
// of GET /v1/handoffs/{id} (contract.md), with priority, source,
// campaign, notes, crm_url and rejected_at besides. Text not set is "",
// a time not reached yet null; times are UTC.
type Handoff struct {
	ID         int64            `json:"id"`
	ExternalID string           `json:"external_id"`
	State      domain.State     `json:"state"`
	Direction  domain.Direction `json:"direction"`
	Priority   domain.Priority  `json:"priority"`
	Lead       Lead             `json:"lead"`
	Source     string           `json:"source"`
	Campaign   string           `json:"campaign"`
	Notes      string           `json:"notes"`
	CRMURL     string           `json:"crm_url"`
	// Assignee is the Slack user ID of the owner.
	Assignee  string    `json:"assignee"`
	CreatedAt time.Time `json:"created_at"`
	// OccurredAt is the lead's own clock, when the client gave it.
	OccurredAt   *time.Time `json:"occurred_at"`
	AcceptedAt   *time.Time `json:"accepted_at"`
	RejectedAt   *time.Time `json:"rejected_at"`
	FirstTouchAt *time.Time `json:"first_touch_at"`
	QualifiedAt  *time.Time `json:"qualified_at"`
	// ClosedAt is when it was won, lost or returned.
	ClosedAt *time.Time `json:"closed_at"`
	// Reason is the code of a rejection, loss or return (domain.md).
	Reason string `json:"reason"`
	// CardURL links the Slack card; "" until the card is posted.
	CardURL string `json:"card_url"`
}

// created is the answer to a successful POST (contract.md).
type created struct {
	ID        int64        `json:"id"`
	State     domain.State `json:"state"`
	Assignee  string       `json:"assignee"`
	CardURL   string       `json:"card_url"`
	CreatedAt time.Time    `json:"created_at"`
}

// createHandoff answers POST /v1/handoffs: 415, 413, 400 and 422 are the
// API's own checks, in that order; 409 and the rest come from the
// application.
func (a *API) createHandoff(w http.ResponseWriter, r *http.Request, key Key) {
	tree, hash, p := readJSON(w, r)
	if p != nil {
		writeProblem(w, r, *p)
		return
	}
	req, errs := parseRequest(tree, a.now())
	if len(errs) > 0 {
		prob := problem(r, probInvalid, "Some fields are invalid; see errors.")
		prob.Errors = fieldProblems(errs)
		writeProblem(w, r, prob)
		return
	}
	req.BodyHash = hash
	res, err := a.handoffs.Create(r.Context(), key, req)
	if err != nil {
		writeProblem(w, r, appProblem(w, r, err))
		return
	}
	h := res.Handoff
	exchangeOf(r.Context()).handoffID = h.ID
	status := http.StatusOK
	if !res.Replayed {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/handoffs/"+strconv.FormatInt(h.ID, 10))
	}
	writeJSON(w, status, created{ID: h.ID, State: h.State, Assignee: h.Assignee, CardURL: h.CardURL, CreatedAt: h.CreatedAt})
}

// getHandoff answers GET /v1/handoffs/{id}; an id that is not a positive
// number names no handoff (404).
func (a *API) getHandoff(w http.ResponseWriter, r *http.Request, _ Key) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeProblem(w, r, problem(r, probNotFound, "There is no handoff with this id."))
		return
	}
	exchangeOf(r.Context()).handoffID = id
	h, err := a.handoffs.Get(r.Context(), id)
	if code := domain.ErrorCode(err); code == domain.ENOTFOUND || code == domain.EUNAVAIL {
		writeProblem(w, r, appProblem(w, r, err))
		return
	} else if err != nil { // reading cannot conflict or be invalid: a bug, answered as one
		logger(r.Context()).ErrorContext(r.Context(), "intake request failed", "error", err)
		writeProblem(w, r, problem(r, probInternal, genericDetail))
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // our answer types always marshal
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client hung up: nothing left to tell it
}
