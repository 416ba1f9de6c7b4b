package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/handoffbot/handoffbot/domain"
)

// Incoming is a lead handed off by a system rather than by a person in
// Slack: the intake API, the Workflow Builder step, the CRM.
type Incoming struct {
	// Handoff is the lead and the request. Intake names the system, and
	// CreatedBy is "" (nobody in Slack handed it off). Assignee is a Slack
	// user ID, the email of one, or "" for the routing to pick.
	Handoff        domain.Handoff
	AllowDuplicate bool
	// RequestHash, with Handoff.ExternalID, makes a repeat of the same
	// request a replay: it answers the first handoff and does nothing.
	RequestHash string
}

// HandOffIncoming creates a handoff exactly as the New handoff form does
// (createHandoff) and posts its card and DMs at once, so that the caller
// can be given the card's link; the background delivery keeps whatever
// Slack did not take now. A replay posts nothing.
//
// A problem with the assignee, or nobody to route the lead to, is a
// domain.FieldErrors on "assignee".
func (a *App) HandOffIncoming(ctx context.Context, in Incoming) (domain.Created, error) {
	h := in.Handoff
	if strings.Contains(h.Assignee, "@") {
		id, err := a.userByEmail(ctx, h.Assignee)
		if err != nil {
			return domain.Created{}, err
		}
		h.Assignee = id
	}
	created, err := a.createHandoff(ctx, newHandoff{handoff: h, allowDuplicate: in.AllowDuplicate, requestHash: in.RequestHash})
	if _, ok := errors.AsType[domain.FieldErrors](err); !ok && domain.ErrorCode(err) == domain.EINVALID {
		return created, domain.FieldErrors{{Field: "assignee", Message: domain.ErrorMessage(err)}}
	}
	if err != nil || created.Replayed {
		return created, err
	}
	sent := a.deliverNow(ctx, channelsOf(a.creationMessages(created.Handoff))...)
	if card, ok := sent.Card(created.Handoff.ID); ok {
		created.Handoff.CardChannel, created.Handoff.CardPermalink = card.Channel, card.Permalink
	}
	a.refreshHomes(ctx, created.Handoff.Assignee)
	return created, nil
}

// userByEmail finds the Slack user with an email: among the people the
// directory knows, else by asking Slack.
func (a *App) userByEmail(ctx context.Context, email string) (string, error) {
	if id, ok := a.dir.byEmail(email); ok {
		return id, nil
	}
	u, err := a.slack.GetUserByEmailContext(ctx, email)
	if isSlackError(err, "users_not_found") {
		return "", domain.FieldErrors{{Field: "assignee", Message: fmt.Sprintf("Nobody in Slack has the email %s.", email)}}
	}
	if err != nil {
		return "", fmt.Errorf("look up assignee by email: %w", err)
	}
	a.dir.putUser(u)
	return u.ID, nil
}
