package handlers

import (
	"context"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// newHandoff is a handoff to create, from any intake: the New handoff
// form, the API, the Workflow Builder step, the CRM.
type newHandoff struct {
	handoff        domain.Handoff // the lead and the request; Assignee "" lets the routing pick
	allowDuplicate bool
	requestHash    string // with handoff.ExternalID: makes a repeat a replay
	formID         string // the New handoff form's view ID: one handoff per form
}

// createHandoff creates a handoff the same way whichever way it came in:
// the duplicate rule, the owner (the one asked for, else the routing),
// the card and the DMs, the SLA clocks and the events, in one transaction.
// A chosen assignee must be an active person; a routing that finds nobody
// is an EINVALID error saying so.
func (a *App) createHandoff(ctx context.Context, r newHandoff) (domain.Created, error) {
	h := r.handoff
	now := a.now().UTC().Truncate(time.Microsecond) // what Postgres keeps
	h.State, h.CreatedAt = domain.StatePending, now
	h.AcceptDueAt = a.set.Calendar.Add(now, a.set.SLAAccept)
	h.FirstTouchDueAt = a.set.Calendar.Add(now, a.set.SLAFirstTouch)
	if h.Intake == "" {
		h.Intake = domain.IntakeSlack
	}
	n := domain.NewHandoff{Handoff: h, AllowDuplicate: r.allowDuplicate, RequestHash: r.requestHash, FormID: r.formID,
		Owed: func(h domain.Handoff) domain.Owed {
			return domain.Owed{Messages: a.creationMessages(h), Timers: a.timers(h)}
		}}
	if h.Assignee != "" {
		if err := a.checkAssignee(ctx, h.Assignee); err != nil {
			return domain.Created{}, err
		}
	} else {
		route, err := a.route(ctx, h)
		if err != nil {
			return domain.Created{}, err
		}
		n.Route = route
	}
	return a.store.CreateHandoff(ctx, n)
}
