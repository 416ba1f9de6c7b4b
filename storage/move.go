package storage

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/handoffbot/handoffbot/domain"
)

// moveSQL is the UPDATE for each move ($1 id, $2 expected state, $3 new
// state, $4 time, then the move's own values); fixed strings only.
func moveSQL(m domain.Move, c domain.Change) (set string, args []any) {
	switch m {
	case domain.MoveAccept:
		return `accepted_at = $4, assignee = coalesce(nullif($5, ''), assignee), decision_secs = $6`, []any{c.NewAssignee, c.DecisionSecs}
	case domain.MoveReject:
		return `rejected_at = $4, reject_reason = $5, reason_note = $6, decision_secs = $7`, []any{c.Reason, c.Note, c.DecisionSecs}
	case domain.MoveTouch:
		return `first_touch_at = $4`, nil
	case domain.MoveQualify:
		return `qualified_at = $4`, nil
	case domain.MoveWin:
		return `closed_at = $4`, nil
	}
	return `closed_at = $4, close_reason = $5, reason_note = $6`, []any{c.Reason, c.Note} // lose, return
}

// ApplyChange writes a move or reassignment, its event and the messages it
// owes in one transaction, with optimistic concurrency: the UPDATE only
// matches the state the person saw.
func (s *DB) ApplyChange(ctx context.Context, c domain.Change) (domain.Handoff, error) {
	var after domain.Handoff
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := applyChange(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		if after, err = getHandoff(ctx, tx, c.HandoffID); err != nil {
			return err
		}
		return s.owe(ctx, tx, c.Messages, handoffOutbound(ev), &after, nil)
	})
	return after, err
}

func applyChange(ctx context.Context, tx *sqlx.Tx, c domain.Change) (domain.Event, error) {
	ev := domain.Event{HandoffID: c.HandoffID, Actor: c.Actor, From: c.Expected, Reason: c.Reason, Note: c.Note, At: c.At}
	var query string
	args := []any{c.HandoffID, c.Expected}
	if c.Move == "" {
		prev, err := getHandoff(ctx, tx, c.HandoffID)
		if err != nil {
			return ev, err
		}
		ev.Kind, ev.To = "reassigned", c.Expected
		ev.Detail = map[string]string{"from": prev.Assignee, "to": c.NewAssignee}
		query = `UPDATE handoffs SET assignee = $3, updated_at = $4 WHERE id = $1 AND state = $2`
		args = append(args, c.NewAssignee, c.At)
	} else {
		to, ok := c.Expected.Next(c.Move)
		if !ok {
			return ev, domain.Errorf(domain.EINVALID, "This handoff is %s; it cannot be moved that way.", c.Expected.Label())
		}
		ev.Kind, ev.To = string(to), to
		if c.Move == domain.MoveAccept && c.NewAssignee != "" {
			ev.Detail = map[string]string{"owner": c.NewAssignee}
		}
		set, extra := moveSQL(c.Move, c)
		query = `UPDATE handoffs SET state = $3, updated_at = $4, ` + set + ` WHERE id = $1 AND state = $2`
		args = append(append(args, to, c.At), extra...)
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return ev, fmt.Errorf("apply %s: %w", ev.Kind, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return ev, fmt.Errorf("apply %s: %w", ev.Kind, err)
	} else if n == 0 {
		current, err := getHandoff(ctx, tx, c.HandoffID)
		if err != nil {
			return ev, err
		}
		return ev, &domain.StaleError{Current: current}
	}
	return ev, nil
}
