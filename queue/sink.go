package queue

import (
	"context"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

// Sink is a system that hears of every outbound event, in order per
// handoff or feedback item: a webhook URL of WEBHOOK_URLS, or the CRM
// connector. The Events job sends it one event at a time and waits for
// the outcome before sending the next of the same sequence.
type Sink interface {
	Send(ctx context.Context, e domain.OutboundEvent) Sent
}

// Sent is what became of one event sent to a sink.
type Sent struct {
	Outcome Outcome
	// RetryAfter is how long the sink asked to be left alone (a 429's
	// Retry-After); zero lets the job's backoff decide.
	RetryAfter time.Duration
	// Err says why it was not delivered, for the log and App Home; it
	// must hold no secret and no contact data.
	Err error
}

// Outcome is how an event fared at a sink.
type Outcome int

const (
	// Delivered: the sink took it; the next event of the sequence goes.
	Delivered Outcome = iota
	// Retry: try this event again later (a timeout, a 5xx, a 429); the
	// sequence waits. After a day of retries the event is given up as
	// failed and the sequence goes on.
	Retry
	// Refused: the sink will never take this event (a 4xx that a retry
	// cannot cure); it is recorded as failed and the sequence goes on.
	Refused
	// Gone: the sink wants nothing more (a webhook's 410): it is disabled
	// until `handoffbot events replay`, and managers are told.
	Gone
)
