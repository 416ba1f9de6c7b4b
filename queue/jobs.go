// Package queue is handoffbot's background work, kept in Postgres with
// River: the kinds of job (this file), which storage enqueues inside its
// own transactions; the workers that carry them out; and the schedules of
// the periodic ones (the digest, the outbox sweeper, pruning).
package queue

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// MaxAttempts is how often River retries a job before giving up on that
// job; an undelivered message is never given up on: the sweeper schedules
// its channel again.
const MaxAttempts = 25

// unique makes at most one job per argument value waiting or running, so a
// burst of messages to one channel costs one delivery job. Completed jobs are
// not in the set, so new work after a run schedules a new job.
var unique = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	},
}

// Deliver drains one channel's outbox, oldest first.
type Deliver struct {
	Channel string `json:"channel"`
}

// Kind names the job in River's table.
func (Deliver) Kind() string { return "deliver" }

// InsertOpts: one delivery job per channel at a time keeps messages in order.
func (Deliver) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: unique}
}

// Sweep schedules delivery for every channel with unsent messages: the
// safety net for a message written just as its channel's job finished, or
// whose job ran out of attempts.
type Sweep struct{}

// Kind names the job in River's table.
func (Sweep) Kind() string { return "sweep" }

// SLA is one moment of a handoff's clock: a reminder or the breach. It is
// scheduled when the handoff is created and does nothing if, when it
// runs, the clock has stopped (accepted, rejected, touched).
type SLA struct {
	HandoffID int64  `json:"handoff_id"`
	Clock     string `json:"clock"`
	Stage     string `json:"stage"`
	// Seq tells a snoozed reminder from the first one.
	Seq int `json:"seq,omitempty"`
}

// Kind names the job in River's table.
func (SLA) Kind() string { return "sla" }

// InsertOpts: one job per moment, even if the creating transaction is
// retried.
func (SLA) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: unique}
}

// Digest sends the weekly digest of the week starting Week (YYYY-MM-DD,
// a Monday in the configured zone) to every destination still without it.
type Digest struct {
	Week string `json:"week"`
}

// Kind names the job in River's table.
func (Digest) Kind() string { return "digest" }

// InsertOpts: one job per week waiting or running; the digest records make
// a second run harmless anyway.
func (Digest) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts, UniqueOpts: unique}
}

// Prune forgets idempotency keys old enough that Slack no longer
// redelivers their envelopes.
type Prune struct{}

// Kind names the job in River's table.
func (Prune) Kind() string { return "prune" }

// Events sends a sink (a webhook URL, or the CRM connector) the pending
// outbound events of one sequence (a handoff's, or a feedback item's), in
// order: one job per sink and sequence at a time keeps them so.
type Events struct {
	Sink     string `json:"sink"`
	Sequence string `json:"sequence"`
}

// Kind names the job in River's table.
func (Events) Kind() string { return "events" }

// InsertOpts: one job per sink and sequence waiting or running. A failed
// try of an event snoozes the job, which uses up no attempt (an event is
// given up after a day of failures, and the next one goes on); attempts
// count only failures to read or record, and the sweep brings back a
// job that ran out of them.
func (Events) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: eventAttempts, UniqueOpts: unique}
}

// eventAttempts lets an Events job ride out a database outage of well
// over a day with its backoff (at most an hour between tries).
const eventAttempts = 100
