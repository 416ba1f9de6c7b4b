package queue

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"github.com/handoffbot/handoffbot/domain"
)

// EventStore keeps the outbound events each sink is owed (storage.DB).
type EventStore interface {
	PendingEvents(ctx context.Context, sink, sequence string) ([]domain.EventDelivery, error)
	EventDelivered(ctx context.Context, id int64, sink string, at time.Time) error
	EventAttempted(ctx context.Context, id int64, sink, why string, at time.Time) error
	EventFailed(ctx context.Context, id int64, sink, why string, at time.Time) error
	DisableSink(ctx context.Context, sink, why string, at time.Time) error
	FinishEvents(ctx context.Context, sink, sequence string, complete func(tx *sql.Tx) error) (bool, error)
	ScheduleWaitingEvents(ctx context.Context) (int, error)
}

// Results of one try of an event at a sink, as EventTried and the
// metrics name them.
const (
	ResultDelivered = "delivered"
	ResultRetry     = "retry"  // failed; tried again later
	ResultFailed    = "failed" // refused, or given up after GiveUpAfter
	ResultGone      = "gone"   // the sink is disabled
)

// GiveUpAfter is how long an event is retried after its first try
// (contract.md: at least 24 hours); when a try fails later than that the
// event is recorded as failed and the next one of its sequence goes.
const GiveUpAfter = 24 * time.Hour

// Backoff between tries of one event: 10 s, doubling, at most an hour,
// and at least what a 429's Retry-After asked (up to that hour too).
const (
	eventRetryFirst = 10 * time.Second
	eventRetryMax   = time.Hour
)

// eventsJobBudget is how long one run of an events job sends before it
// makes way (and runs again at once): a run must end well inside River's
// JobTimeout, or a second run of the same sequence could be rescued
// beside it. An attempt takes at most webhooks.DefaultTimeout (10 s).
const eventsJobBudget = 15 * time.Second

// SweepEvents gives an events job to every sequence whose events wait at
// a sink without one: the safety net for jobs given up or cut short, and
// for a replay that met a finishing job.
type SweepEvents struct{}

// Kind names the job in River's table.
func (SweepEvents) Kind() string { return "sweep_events" }

// eventsWorker sends one sink the pending events of one sequence, in order.
type eventsWorker struct {
	river.WorkerDefaults[Events]
	store EventStore
	sinks map[string]Sink
	now   func() time.Time
	tried func(sink, result string)
	log   *slog.Logger
}

// Work sends the sequence's pending events one at a time until none is
// left, which FinishEvents makes atomic with recording new ones. A failed
// try is recorded and the job snoozed for the event's own backoff (a
// snooze does not use up the job's attempts, so a sequence can wait out
// a day of failures event after event); a disabled sink leaves the events
// pending for a replay.
func (w *eventsWorker) Work(ctx context.Context, job *river.Job[Events]) error {
	a := job.Args
	sink, ok := w.sinks[a.Sink]
	if !ok {
		w.log.WarnContext(ctx, "outbound events wait for a sink that is not configured",
			"sink", domain.SinkLabel(a.Sink), "sequence", a.Sequence)
		return nil
	}
	complete := func(tx *sql.Tx) error {
		_, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
		return err
	}
	started := time.Now() // real time: the budget is about River's timeout
	for {
		pending, err := w.store.PendingEvents(ctx, a.Sink, a.Sequence)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			if done, err := w.store.FinishEvents(ctx, a.Sink, a.Sequence, complete); done || err != nil {
				return err
			}
			continue
		}
		if err := w.sendAll(ctx, a.Sink, sink, pending, started); err != nil {
			return err
		}
	}
}

// sendAll sends pending in order, until one has to wait (a snooze) or the
// run has used its budget (a snooze of nothing: it goes on at once in a
// new run). A sink disabled on the way ends the batch; the caller then
// finds nothing pending.
func (w *eventsWorker) sendAll(ctx context.Context, name string, sink Sink, pending []domain.EventDelivery, started time.Time) error {
	for _, d := range pending {
		if time.Since(started) > eventsJobBudget {
			return river.JobSnooze(0)
		}
		err := w.send(ctx, name, sink, d)
		if errors.Is(err, errSinkGone) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errSinkGone ends a batch: the sink was just disabled.
var errSinkGone = errors.New("sink disabled")

// send tries one event and records what became of it. It returns nil to
// go on with the next event, a snooze to wait for this one, errSinkGone
// when the sink was disabled, or what kept the outcome from being stored.
func (w *eventsWorker) send(ctx context.Context, name string, sink Sink, d domain.EventDelivery) error {
	sent := sink.Send(ctx, d.Event)
	if err := ctx.Err(); err != nil {
		return err // stopping: this try does not count
	}
	now, e := w.now(), d.Event
	why := "no reason given"
	if sent.Err != nil {
		why = sent.Err.Error()
	}
	log := w.log.With("sink", domain.SinkLabel(name), "event", e.EventID, "type", e.Type, "sequence", e.Sequence())
	switch sent.Outcome {
	case Delivered:
		return w.record(name, ResultDelivered, w.store.EventDelivered(ctx, e.ID, name, now))
	case Refused:
		log.WarnContext(ctx, "outbound event refused; recorded as failed", "error", why)
		return w.record(name, ResultFailed, w.store.EventFailed(ctx, e.ID, name, why, now))
	case Gone:
		log.WarnContext(ctx, "sink is gone: disabled until `handoffbot events replay`", "error", why)
		if err := w.record(name, ResultGone, w.store.DisableSink(ctx, name, why, now)); err != nil {
			return err
		}
		return errSinkGone
	}
	if first := d.FirstTriedAt; !first.IsZero() && now.Sub(first) >= GiveUpAfter {
		log.WarnContext(ctx, "outbound event still failing a day after its first try; recorded as failed", "error", why, "attempts", d.Attempts+1)
		return w.record(name, ResultFailed, w.store.EventFailed(ctx, e.ID, name, "gave up after a day: "+why, now))
	}
	if err := w.record(name, ResultRetry, w.store.EventAttempted(ctx, e.ID, name, why, now)); err != nil {
		return err
	}
	wait := eventBackoff(d.Attempts+1, sent.RetryAfter)
	log.InfoContext(ctx, "outbound event not delivered; will retry", "error", why, "attempts", d.Attempts+1, "retry_in", wait)
	return river.JobSnooze(wait)
}

// record counts a try whose outcome stored without error.
func (w *eventsWorker) record(sink, result string, stored error) error {
	if stored == nil && w.tried != nil {
		w.tried(sink, result)
	}
	return stored
}

// eventBackoff is the wait after an event's nth failed try: 10 s
// doubling up to an hour, at least retryAfter (capped at that hour too),
// with up to a tenth more at random so that the sequences held up by one
// outage do not all knock again at the same moment.
func eventBackoff(n int, retryAfter time.Duration) time.Duration {
	wait := min(eventRetryFirst<<min(max(n-1, 0), 20), eventRetryMax)
	wait = max(wait, min(retryAfter, eventRetryMax))
	return wait + rand.N(wait/10)
}

// NextRetry, after a failure to read or record (not a failed try, which
// snoozes), backs off as a try would, on River's clock.
func (w *eventsWorker) NextRetry(job *river.Job[Events]) time.Time {
	return retryFrom(job.JobRow).Add(eventBackoff(job.Attempt, 0))
}

// sweepEventsWorker schedules the sequences whose events wait without a job.
type sweepEventsWorker struct {
	river.WorkerDefaults[SweepEvents]
	store EventStore
	log   *slog.Logger
}

func (w *sweepEventsWorker) Work(ctx context.Context, _ *river.Job[SweepEvents]) error {
	n, err := w.store.ScheduleWaitingEvents(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "rescheduled outbound events that had no job", "sequences", n)
	}
	return err
}

// timeSource is River's clock as a function (nil: the wall clock).
func timeSource(t rivertype.TimeGenerator) func() time.Time {
	if t == nil {
		return time.Now
	}
	return t.Now
}
