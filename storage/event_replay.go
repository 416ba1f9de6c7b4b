package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
)

// replaySQL sets every delivery to the sinks of an event that occurred at
// or after $1 back to pending with its tries forgotten, and makes the
// ones missing: a URL added to WEBHOOK_URLS later gets the history too.
const replaySQL = `INSERT INTO event_deliveries (event, sink, sequence, state, created_at)
	SELECT e.id, k.sink, coalesce('handoff:' || e.handoff_id, 'feedback:' || e.feedback_id), 'pending', e.occurred_at
	FROM outbound_events e, unnest($2::text[]) AS k(sink)
	WHERE e.occurred_at >= $1
	ON CONFLICT (event, sink) DO UPDATE SET state = 'pending', attempts = 0, last_error = '',
		finished_at = NULL, first_tried_at = NULL
	RETURNING sink, sequence`

// ReplayEvents sends sinks again every event that occurred at or after
// since, in one transaction: the deliveries are pending again, the sinks
// are enabled again (a 410 had disabled them), every sequence gets an
// events job, and a job waiting for its next retry is made due at at.
// Receivers get the events with the ids they had, so they can drop those
// they have. It says, for each sink, what it queued.
//
// A sequence whose job was finishing at that moment is picked up by the
// sweep (ScheduleWaitingEvents) instead: fencing every sequence of a long
// replay would take more locks than Postgres holds.
func (s *DB) ReplayEvents(ctx context.Context, since time.Time, sinks []string, at time.Time) ([]domain.Replayed, error) {
	out := make([]domain.Replayed, len(sinks))
	for i, k := range sinks {
		out[i].Sink = k
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []queue.Events
		if err := tx.SelectContext(ctx, &rows, replaySQL, since, pq.Array(sinks)); err != nil {
			return fmt.Errorf("replay events: %w", err)
		}
		var reenabled []string
		if err := tx.SelectContext(ctx, &reenabled, `UPDATE event_sinks SET disabled_at = NULL, disabled_why = ''
			WHERE sink = ANY($1) AND disabled_at IS NOT NULL RETURNING sink`, pq.Array(sinks)); err != nil {
			return fmt.Errorf("replay events: enable sinks: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = $2
			WHERE kind = 'events' AND state IN ('scheduled', 'retryable') AND args->>'sink' = ANY($1)`,
			pq.Array(sinks), at); err != nil {
			return fmt.Errorf("replay events: wake waiting jobs: %w", err)
		}
		countReplayed(out, rows, reenabled)
		return s.insertJobs(ctx, tx, replayJobs(rows))
	})
	return out, err
}

// countReplayed fills out's counts from the deliveries set pending.
func countReplayed(out []domain.Replayed, rows []queue.Events, reenabled []string) {
	seqs := map[queue.Events]bool{}
	for _, r := range rows {
		i := slices.IndexFunc(out, func(x domain.Replayed) bool { return x.Sink == r.Sink })
		out[i].Events++
		if !seqs[r] {
			seqs[r] = true
			out[i].Sequences++
		}
	}
	for i := range out {
		out[i].Reenabled = slices.Contains(reenabled, out[i].Sink)
	}
}

// replayJobs is one events job per sink and sequence of rows.
func replayJobs(rows []queue.Events) []river.InsertManyParams {
	seen := map[queue.Events]bool{}
	var params []river.InsertManyParams
	for _, r := range rows {
		if !seen[r] {
			seen[r] = true
			params = append(params, river.InsertManyParams{Args: r})
		}
	}
	return params
}
