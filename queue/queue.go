package queue

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"github.com/handoffbot/handoffbot/domain"
)

// Options tune the background job queue; zero values take defaults.
type Options struct {
	// PollInterval is how often each process looks for due jobs besides
	// being told of new ones (default 1 s with a Listener, 200 ms without).
	PollInterval time.Duration
	// Listener, when set, is a pool River takes one connection from to
	// LISTEN: a job inserted now (a delivery, a webhook) is worked now,
	// not at the next poll. Nil polls only.
	Listener *pgxpool.Pool
	// SweepInterval is how often undelivered messages, and outbound
	// events without a job, are rescheduled (default 10 s).
	SweepInterval time.Duration
	// Workers is how many jobs one process runs at once (default 20).
	Workers int
	// Digest is when the weekly digest goes out; no digest job without it.
	Digest DigestSchedule
	// Time is the clock jobs fall due by: nil for the database's, a
	// simulated one in tests and the demo (clock.Sim).
	Time rivertype.TimeGenerator
}

// Sweeper lists channels with unsent messages and schedules them.
type Sweeper interface {
	ChannelsWithOutgoing(ctx context.Context) ([]string, error)
	ScheduleDelivery(ctx context.Context, channels []string) error
}

// Finisher ends a delivery job only when its channel's outbox is empty.
type Finisher interface {
	FinishDelivery(ctx context.Context, channel string, complete func(tx *sql.Tx) error) (bool, error)
}

// Pruner forgets old idempotency keys.
type Pruner interface {
	PruneKeys(ctx context.Context, before time.Time) (int64, error)
}

// Store is what the queue's workers need from the database.
type Store interface {
	Sweeper
	Finisher
	Pruner
}

// keyRetention is how long envelope and event keys are kept: Slack's
// redeliveries stop within minutes, a day is plenty.
const keyRetention = 24 * time.Hour

// SLAFirer acts on a handoff's SLA timers; firing a moment twice tells it
// once (domain.SLAFiring).
type SLAFirer interface {
	FireSLA(ctx context.Context, handoffID int64, clock, stage string, seq int) error
}

// Deliverer sends a channel's outbox, in order, until it is empty or has
// to wait (delivery.Deliverer).
type Deliverer interface {
	Deliver(ctx context.Context, channel string) (domain.Delivery, error)
}

// Workers are what the background jobs call.
type Workers struct {
	Deliverer Deliverer
	Store     Store
	SLA       SLAFirer
	Digest    Digester
	// Events keeps the outbound events; Sinks are where they go, by the
	// name their deliveries are stored under (a URL of WEBHOOK_URLS, or
	// "hubspot"). Without Events no events are sent or swept.
	Events EventStore
	Sinks  map[string]Sink
	// EventTried is told of each try of an event at a sink and its result
	// (ResultDelivered, …), for the metrics; optional.
	EventTried func(sink, result string)
}

// New builds the River client that works background jobs on db.
// Periodic jobs run on the elected leader only, so replicas don't double them.
func New(db *sql.DB, w Workers, log *slog.Logger, o Options) (*river.Client[*sql.Tx], error) {
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
		if o.Listener != nil {
			o.PollInterval = time.Second
		}
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = 10 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 20
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &deliverWorker{d: w.Deliverer, f: w.Store})
	river.AddWorker(workers, &sweepWorker{s: w.Store})
	river.AddWorker(workers, &slaWorker{sla: w.SLA})
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[Prune]) error {
		_, err := w.Store.PruneKeys(ctx, time.Now().Add(-keyRetention))
		return err
	}))
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(o.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return Sweep{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return Prune{}, nil }, nil),
	}
	if w.Events != nil {
		river.AddWorker(workers, &eventsWorker{store: w.Events, sinks: w.Sinks, now: timeSource(o.Time), tried: w.EventTried, log: log})
		river.AddWorker(workers, &sweepEventsWorker{store: w.Events, log: log})
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(o.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SweepEvents{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}))
	}
	if o.Digest.Schedule != nil {
		river.AddWorker(workers, &digestWorker{d: w.Digest, loc: o.Digest.Location})
		periodic = append(periodic, o.Digest.digestJob())
	}
	driver := riverdatabasesql.New(db)
	if o.Listener != nil {
		driver = riverdatabasesql.NewWithPgxListener(db, o.Listener)
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           workers,
		PeriodicJobs:      periodic,
		FetchPollInterval: o.PollInterval,
		FetchCooldown:     min(o.PollInterval/4, 50*time.Millisecond),
		// A job left "running" by a killed process blocks its channel's
		// next delivery job (uniqueness includes running jobs) until
		// rescued: keep that short. Every job here finishes in seconds.
		JobTimeout:           30 * time.Second,
		RescueStuckJobsAfter: 45 * time.Second,
		Logger:               log,
		Test:                 river.TestConfig{Time: o.Time},
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return client, nil
}

// deliverWorker drains one channel's outbox.
type deliverWorker struct {
	river.WorkerDefaults[Deliver]
	d Deliverer
	f Finisher
}

// Work delivers until the outbox is empty at the moment the job completes,
// which FinishDelivery makes atomic with enqueueing. It looks first: the
// handler that enqueued usually delivered at once (deliverNow), and the
// load benchmark showed these jobs finding nothing most of the time, each
// paying for a channel lock and a read; finishing first saves both.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[Deliver]) error {
	complete := func(tx *sql.Tx) error {
		_, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
		return err
	}
	if done, err := w.f.FinishDelivery(ctx, job.Args.Channel, complete); done || err != nil {
		return err
	}
	for {
		d, err := w.d.Deliver(ctx, job.Args.Channel)
		if err != nil {
			return err
		}
		if d.Later > 0 {
			return river.JobSnooze(d.Later)
		}
		done, err := w.f.FinishDelivery(ctx, job.Args.Channel, complete)
		if done || err != nil {
			return err
		}
	}
}

// NextRetry backs off 2, 4, 8 … seconds up to 5 minutes: a message stuck
// behind a Slack outage goes out soon after Slack comes back.
func (w *deliverWorker) NextRetry(job *river.Job[Deliver]) time.Time {
	wait := time.Duration(1<<min(job.Attempt, 9)) * time.Second
	return retryFrom(job.JobRow).Add(min(wait, 5*time.Minute))
}

// retryFrom is when a job's last attempt began, on River's clock (which a
// test or the demo may simulate), so a retry is scheduled on that clock.
func retryFrom(job *rivertype.JobRow) time.Time {
	if job.AttemptedAt != nil {
		return *job.AttemptedAt
	}
	return time.Now()
}

// sweepWorker schedules delivery for channels whose messages wait.
type sweepWorker struct {
	river.WorkerDefaults[Sweep]
	s Sweeper
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[Sweep]) error {
	chs, err := w.s.ChannelsWithOutgoing(ctx)
	if err != nil {
		return err
	}
	return w.s.ScheduleDelivery(ctx, chs)
}

// slaWorker acts on an SLA timer. A crash after the moment was recorded
// runs the job again, and the store finds the moment told already.
type slaWorker struct {
	river.WorkerDefaults[SLA]
	sla SLAFirer
}

func (w *slaWorker) Work(ctx context.Context, job *river.Job[SLA]) error {
	a := job.Args
	return w.sla.FireSLA(ctx, a.HandoffID, a.Clock, a.Stage, a.Seq)
}
