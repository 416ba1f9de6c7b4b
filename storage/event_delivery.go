package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
)

// pendingBatch bounds what one read of a sequence returns; the events job
// reads again when it has sent them.
const pendingBatch = 50

// eventsFenceSpace is the advisory lock space of the fence between
// recording a sequence's events and its events job finishing (see
// FinishEvents); the key is sequenceLockKey.
const eventsFenceSpace = 736_126

// sequenceLockKey is the fence key of a sequence (handoff:42, feedback:7).
func sequenceLockKey(sequence string) int32 { return channelLockKey(sequence) }

// pendingRow is a pending delivery with what the event's item is now.
type pendingRow struct {
	ID            int64      `db:"id"`
	EventID       string     `db:"event_id"`
	Body          []byte     `db:"body"`
	Attempts      int        `db:"attempts"`
	FirstTriedAt  *time.Time `db:"first_tried_at"`
	CardPermalink *string    `db:"card_permalink"`
	ThreadURL     *string    `db:"root_permalink"`
}

// PendingEvents is what sink is still owed of sequence, oldest first (at
// most pendingBatch); nothing while the sink is disabled. Each event is
// as it was recorded, with the links Slack gave after the change filled
// in: the card's permalink (the card is posted just after the handoff is
// created) and the feedback thread's. A feedback item's event about a
// handoff carries that handoff as it is now.
func (s *DB) PendingEvents(ctx context.Context, sink, sequence string) ([]domain.EventDelivery, error) {
	var rows []pendingRow
	err := s.db.SelectContext(ctx, &rows, `SELECT e.id, e.event_id, e.body, d.attempts, d.first_tried_at,
			h.card_permalink, f.root_permalink
		FROM event_deliveries d JOIN outbound_events e ON e.id = d.event
		LEFT JOIN handoffs h ON h.id = e.handoff_id
		LEFT JOIN feedback f ON f.id = e.feedback_id
		WHERE d.sink = $1 AND d.sequence = $2 AND d.state = 'pending'
			AND NOT EXISTS (SELECT 1 FROM event_sinks k WHERE k.sink = $1 AND k.disabled_at IS NOT NULL)
		ORDER BY d.event LIMIT $3`, sink, sequence, pendingBatch)
	if err != nil {
		return nil, mapError(fmt.Errorf("pending events: %w", err))
	}
	out := make([]domain.EventDelivery, 0, len(rows))
	for _, r := range rows {
		d, err := s.pendingDelivery(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// pendingDelivery decodes one row of PendingEvents.
func (s *DB) pendingDelivery(ctx context.Context, r pendingRow) (domain.EventDelivery, error) {
	d := domain.EventDelivery{Attempts: r.Attempts}
	if r.FirstTriedAt != nil {
		d.FirstTriedAt = r.FirstTriedAt.UTC()
	}
	e := &d.Event
	if err := json.Unmarshal(r.Body, e); err != nil {
		return d, fmt.Errorf("pending event %s: %w", r.EventID, err)
	}
	e.ID, e.EventID = r.ID, r.EventID
	if e.Handoff != nil && e.Handoff.CardPermalink == "" && r.CardPermalink != nil {
		e.Handoff.CardPermalink = *r.CardPermalink
	}
	if f := e.Feedback; f != nil {
		if f.RootPermalink == "" && r.ThreadURL != nil {
			f.RootPermalink = *r.ThreadURL
		}
		if f.HandoffID != 0 && e.Handoff == nil {
			h, err := s.Handoff(ctx, f.HandoffID)
			if err != nil {
				return d, fmt.Errorf("pending event %s: %w", r.EventID, err)
			}
			e.Handoff = &h
		}
	}
	return d, nil
}

// EventDelivered records that sink took event id.
func (s *DB) EventDelivered(ctx context.Context, id int64, sink string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE event_deliveries SET state = 'delivered', attempts = attempts + 1,
		last_error = '', finished_at = $3, first_tried_at = coalesce(first_tried_at, $3)
		WHERE event = $1 AND sink = $2`, id, sink, at)
	return mapError(wrap("event delivered", err))
}

// EventAttempted records a failed try of event id at sink, to be retried;
// the first one starts the event's day of retries.
func (s *DB) EventAttempted(ctx context.Context, id int64, sink, why string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE event_deliveries SET attempts = attempts + 1, last_error = $3,
		first_tried_at = coalesce(first_tried_at, $4)
		WHERE event = $1 AND sink = $2`, id, sink, why, at)
	return mapError(wrap("event attempted", err))
}

// EventFailed gives event id up at sink, saying why; the sequence's later
// events go on, and managers are shown it (FailedEvents).
func (s *DB) EventFailed(ctx context.Context, id int64, sink, why string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE event_deliveries SET state = 'failed', attempts = attempts + 1,
		last_error = $3, finished_at = $4, first_tried_at = coalesce(first_tried_at, $4)
		WHERE event = $1 AND sink = $2`, id, sink, why, at)
	return mapError(wrap("event failed", err))
}

// DisableSink stops sending to sink (it answered 410 Gone) until its
// events are replayed. Disabling it again keeps the first time and why.
func (s *DB) DisableSink(ctx context.Context, sink, why string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO event_sinks (sink, disabled_at, disabled_why) VALUES ($1, $2, $3)
		ON CONFLICT (sink) DO UPDATE SET disabled_at = coalesce(event_sinks.disabled_at, excluded.disabled_at),
			disabled_why = CASE WHEN event_sinks.disabled_at IS NULL THEN excluded.disabled_why ELSE event_sinks.disabled_why END`,
		sink, at, why)
	return mapError(wrap("disable sink", err))
}

// DisabledSinks lists the sinks that get nothing until a replay, the
// longest disabled first.
func (s *DB) DisabledSinks(ctx context.Context) ([]domain.DisabledSink, error) {
	var out []domain.DisabledSink
	err := s.db.SelectContext(ctx, &out, `SELECT sink, disabled_at, disabled_why
		FROM event_sinks WHERE disabled_at IS NOT NULL ORDER BY disabled_at, sink`)
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, mapError(wrap("disabled sinks", err))
}

// FailedEvents lists events given up since since, the latest first.
func (s *DB) FailedEvents(ctx context.Context, since time.Time, limit int) ([]domain.FailedEvent, error) {
	var out []domain.FailedEvent
	err := s.db.SelectContext(ctx, &out, `SELECT d.sink, e.event_id, e.type,
			coalesce(e.handoff_id, 0) AS handoff_id, coalesce(e.feedback_id, 0) AS feedback_id,
			d.attempts, d.last_error, d.finished_at
		FROM event_deliveries d JOIN outbound_events e ON e.id = d.event
		WHERE d.state = 'failed' AND d.finished_at >= $1
		ORDER BY d.finished_at DESC, d.event DESC LIMIT $2`, since, limit)
	for i := range out {
		out[i].FailedAt = out[i].FailedAt.UTC()
	}
	return out, mapError(wrap("failed events", err))
}

// FinishEvents ends the events job of sink and sequence: if nothing is
// pending (or the sink is disabled), complete runs (it marks the job done)
// in the same transaction, fenced against recordEvents, and done is true.
// An event recorded meanwhile makes done false: the job sends it instead
// of finishing. Without the fence the event could be recorded while the
// job still ran — its own job not inserted, since one was running — and
// the job finish without having seen it.
func (s *DB) FinishEvents(ctx context.Context, sink, sequence string, complete func(tx *sql.Tx) error) (done bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, eventsFenceSpace, sequenceLockKey(sequence)); err != nil {
			return fmt.Errorf("finish events: %w", err)
		}
		var waiting bool
		if err := tx.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM event_deliveries
				WHERE sink = $1 AND sequence = $2 AND state = 'pending')
			AND NOT EXISTS (SELECT 1 FROM event_sinks WHERE sink = $1 AND disabled_at IS NOT NULL)`, sink, sequence); err != nil {
			return fmt.Errorf("finish events: %w", err)
		}
		if waiting {
			return nil
		}
		done = true
		return complete(tx.Tx)
	})
	return done, err
}

// waitingEventsQuery finds sequences with events pending at a configured,
// enabled sink and no events job waiting or running for them.
const waitingEventsQuery = `SELECT DISTINCT d.sink, d.sequence FROM event_deliveries d
	WHERE d.state = 'pending' AND d.sink = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM event_sinks k WHERE k.sink = d.sink AND k.disabled_at IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = 'events'
			AND j.state IN ('available', 'pending', 'running', 'retryable', 'scheduled')
			AND j.args->>'sink' = d.sink AND j.args->>'sequence' = d.sequence)
	LIMIT 1000`

// ScheduleWaitingEvents gives an events job to every sequence whose
// events wait at a sink (of SetSinks) without one, and says how many it
// scheduled: the safety net for a job given up after its attempts, one
// cut short by a crash, a replay that met a finishing job, or a sink
// that comes back into WEBHOOK_URLS.
func (s *DB) ScheduleWaitingEvents(ctx context.Context) (int, error) {
	var jobs []queue.Events
	if err := s.db.SelectContext(ctx, &jobs, waitingEventsQuery, pq.Array(s.sinks)); err != nil {
		return 0, mapError(fmt.Errorf("waiting events: %w", err))
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j}
	}
	if _, err := s.jobs.InsertMany(ctx, params); err != nil {
		return 0, fmt.Errorf("schedule waiting events: %w", err)
	}
	return len(jobs), nil
}

// PendingEventsBySink counts the deliveries not made yet, by sink, for the
// metrics. It reads the pending deliveries' index only: a backlog, not
// the history.
func (s *DB) PendingEventsBySink(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Sink string `db:"sink"`
		N    int64  `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT sink, count(*) AS n FROM event_deliveries
		WHERE state = 'pending' GROUP BY sink`); err != nil {
		return nil, mapError(fmt.Errorf("pending events by sink: %w", err))
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Sink] = r.N
	}
	return out, nil
}
