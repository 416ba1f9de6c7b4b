package handlers

import (
	"context"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/logging"
)

// moveReassign names the reassignment among the moves, for permissions.
const moveReassign domain.Move = "reassign"

// allowed loads a handoff and checks that userID may make move m on it,
// from the database's state and never from what a button claimed:
// Accept/Reject by the owner or the receiving team; later moves by the
// owner; Reassign by the owner, the receiving team or MANAGERS.
func (a *App) allowed(ctx context.Context, id int64, userID string, m domain.Move) (domain.Handoff, error) {
	logging.Add(ctx, "handoff_id", id) // on every later line about this request
	h, err := a.store.Handoff(ctx, id)
	if err != nil {
		return h, err
	}
	if userID == h.Assignee {
		return h, nil
	}
	team := h.Direction.Label()
	switch m {
	case domain.MoveAccept, domain.MoveReject:
		if ok, err := a.dir.in(ctx, userID, a.team(h.Direction)); err != nil || ok {
			return h, err
		}
		return h, forbidden("Only %s or someone in %s can %s this handoff.", user(h.Assignee), team, m)
	case moveReassign:
		ok, err := a.dir.in(ctx, userID, a.team(h.Direction))
		if err == nil && !ok && len(a.set.Managers) > 0 {
			ok, err = a.dir.in(ctx, userID, a.set.Managers)
		}
		if err != nil || ok {
			return h, err
		}
		return h, forbidden("Only %s, someone in %s or a manager can reassign this handoff.", user(h.Assignee), team)
	}
	return h, forbidden("Only the owner, %s, can do that.", user(h.Assignee))
}

func forbidden(format string, args ...any) error {
	return domain.Errorf(domain.EFORBIDDEN, format, args...)
}
