package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
)

// timerJobs are the jobs of a handoff's SLA timers.
func timerJobs(handoffID int64, timers []domain.Timer) []river.InsertManyParams {
	var params []river.InsertManyParams
	for _, t := range timers {
		params = append(params, river.InsertManyParams{
			Args:       queue.SLA{HandoffID: handoffID, Clock: t.Clock, Stage: t.Stage, Seq: t.Seq},
			InsertOpts: &river.InsertOpts{ScheduledAt: t.At},
		})
	}
	return params
}

// FireSLA records a reminder or breach once, with the messages it owes, in
// one transaction. It reports whether it fired: false when the clock has
// stopped, or when this moment was recorded before (a job run again after
// a crash or by a replica), so a moment is told once however often its job
// runs. The handoff's row lock serialises two runs of the same moment.
func (s *DB) FireSLA(ctx context.Context, f domain.SLAFiring) (fired bool, err error) {
	kind := map[string]string{domain.StageRemind: "reminded", domain.StageBreach: "breached"}[f.Stage]
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		fired = false
		h, err := lockHandoff(ctx, tx, f.HandoffID)
		if err != nil {
			return err
		}
		seq := strconv.Itoa(f.Seq)
		var done bool
		if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM handoff_events WHERE handoff_id = $1
			AND kind = $2 AND detail->>'clock' = $3 AND coalesce(detail->>'seq', '0') = $4)`, f.HandoffID, kind, f.Clock, seq); err != nil {
			return fmt.Errorf("fire SLA: %w", err)
		}
		if done {
			return nil
		}
		owed, ok := f.Owed(h)
		if !ok {
			return nil
		}
		ev := domain.Event{HandoffID: h.ID, Kind: kind, Actor: "handoffbot", From: h.State, To: h.State, At: f.At,
			Detail: map[string]string{"clock": f.Clock, "seq": seq}}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		fired = true
		return s.owe(ctx, tx, owed.Messages, handoffOutbound(ev), &h, nil)
	})
	return fired, err
}

// lockHandoff reads a handoff and holds its row until the transaction ends.
func lockHandoff(ctx context.Context, tx *sqlx.Tx, id int64) (domain.Handoff, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM handoffs WHERE id = $1 FOR UPDATE`, id); err != nil {
		return domain.Handoff{}, fmt.Errorf("lock handoff %d: %w", id, err)
	}
	return getHandoff(ctx, tx, id)
}

// Snooze records one snooze of a clock's reminder and schedules the
// reminder again at remindAt (unless zero: past the due time there is no
// reminder, only the breach). At most max snoozes per handoff; the count
// after this one is returned.
func (s *DB) Snooze(ctx context.Context, id int64, clock, actor string, at, remindAt time.Time, max int) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockHandoff(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM handoff_events WHERE handoff_id = $1 AND kind = 'snoozed'`, id); err != nil {
			return fmt.Errorf("snooze: %w", err)
		}
		if n >= max {
			return domain.Errorf(domain.EINVALID, "This handoff was snoozed %d times already; its clock runs on.", n)
		}
		n++
		detail := map[string]string{"clock": clock, "count": strconv.Itoa(n)}
		if !remindAt.IsZero() {
			detail["until"] = remindAt.UTC().Format(time.RFC3339)
		}
		if err := insertEvent(ctx, tx, domain.Event{HandoffID: id, Kind: "snoozed", Actor: actor, At: at, Detail: detail}); err != nil {
			return err
		}
		if remindAt.IsZero() {
			return nil
		}
		return s.insertJobs(ctx, tx, timerJobs(id, []domain.Timer{{Clock: clock, Stage: domain.StageRemind, Seq: n, At: remindAt}}))
	})
	return n, err
}
