package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/logging"
	"github.com/handoffbot/handoffbot/metrics"
)

// handle acts on one item from slack-go's event stream. Envelopes that need
// work are scheduled on a worker; connection news is only recorded.
func (r *Runtime) handle(base context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		r.connected.Store(false)
		r.log.Info("connecting to Slack")
	case socketmode.EventTypeConnected:
		r.connected.Store(true)
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			r.log.Info("connected to Slack", "connection", ce.ConnectionCount)
		}
	case socketmode.EventTypeHello:
		r.connected.Store(true)
		r.learnApp(evt)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		r.connected.Store(false)
		r.log.Warn("Slack connection failed", "error", evt.Data)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		r.log.Warn("Slack socket error", "type", evt.Type, "error", evt.Data)
	case socketmode.EventTypeErrorBadMessage:
		r.ackUnreadable(evt)
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		r.dispatch(base, evt)
	}
}

// ackUnreadable acks an envelope slack-go could not decode (e.g. an event
// type it does not know): left unacked, Slack would redeliver it forever.
func (r *Runtime) ackUnreadable(evt socketmode.Event) {
	bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
	if bad == nil {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		r.log.Warn("unreadable frame from Slack", "error", bad.Cause)
		return
	}
	r.log.Warn("unreadable envelope acked and dropped", "envelope_id", env.EnvelopeID, "type", env.Type, "error", bad.Cause)
	r.ack(env.EnvelopeID, nil)
}

// ack queues an acknowledgement. slack-go only refuses payloads of 20 KB or
// more; those are answered with an empty ack and logged as a bug.
func (r *Runtime) ack(envelopeID string, payload any) {
	defer r.opts.Metrics.Acked(envelopeID)
	if err := r.client.AckCtx(context.Background(), envelopeID, payload); err != nil {
		r.log.Error("ack refused; acking without payload", "envelope_id", envelopeID, "error", err)
		_ = r.client.AckCtx(context.Background(), envelopeID, nil)
	}
}

// job is one envelope's work, run on a worker.
type job struct {
	envelopeID string
	kind       string // the metrics' type label (see envelopeKind)
	key        string // idempotency key; empty when the work is naturally idempotent
	to         recipient
	run        func(ctx context.Context) error
	// settle, for envelopes whose handler acks (modal submissions, option
	// suggestions), acks now if the handler has not: with msg shown to the
	// user on the modal, or plainly when msg is empty. It reports whether it
	// acked. Nil for envelopes acked on arrival.
	settle func(msg string) bool
	// ackAfter, for events, acks only once the event was handled: one the
	// bot could not handle is left for Slack to deliver again.
	ackAfter bool
	// form: the handler opens a modal with the envelope's trigger first
	// (Router.Forms), which is its idempotency: no claim is taken.
	form bool
}

// dispatch acks what can be acked at once, then schedules the work. When
// the bot is too busy, a slash command is answered so in its ack and an
// event is left unacked for Slack to redeliver later.
func (r *Runtime) dispatch(base context.Context, evt socketmode.Event) {
	req := evt.Request
	if req == nil {
		return
	}
	kind := envelopeKind(evt)
	r.opts.Metrics.Received(req.EnvelopeID, kind)
	if r.dropForeign(req.EnvelopeID, kind, evt) {
		return
	}
	var j *job
	switch data := evt.Data.(type) {
	case slack.SlashCommand:
		if r.full() {
			r.ack(req.EnvelopeID, busyCommandAck(data))
			r.opts.Metrics.Handled(req.EnvelopeID, kind, time.Now(), metrics.OutcomeBusy)
			return
		}
		r.ack(req.EnvelopeID, nil)
		j = r.commandJob(data)
	case slack.InteractionCallback:
		j = r.interactionJob(req.EnvelopeID, data)
	case slackevents.EventsAPIEvent:
		if r.full() {
			r.log.Warn("too busy: event left for Slack to redeliver", "envelope_id", req.EnvelopeID)
			r.opts.Metrics.Handled(req.EnvelopeID, kind, time.Now(), metrics.OutcomeBusy)
			return
		}
		if j = r.eventJob(data); j == nil {
			r.ack(req.EnvelopeID, nil) // nothing handles it: nothing to deliver again
		}
	}
	if j == nil {
		r.opts.Metrics.Ignored(req.EnvelopeID, kind)
		return
	}
	j.envelopeID, j.kind = req.EnvelopeID, kind
	if j.key == "" && !j.form {
		j.key = "envelope:" + req.EnvelopeID
	}
	r.schedule(base, j)
}

// work runs a job with its idempotency claim, a timeout, panic recovery and
// an answer to the user when it fails.
func (r *Runtime) work(base context.Context, j *job) {
	defer func() { r.done <- struct{}{} }()
	outcome, started := metrics.OutcomeOK, time.Now()
	defer func() { r.opts.Metrics.Handled(j.envelopeID, j.kind, started, outcome) }()
	ctx, cancel := context.WithTimeout(base, r.opts.HandlerTimeout)
	defer cancel()
	ctx = logging.WithScope(logging.With(ctx, "envelope_id", j.envelopeID, "user", j.to.userID, "channel", j.to.channelID))
	defer r.recoverPanic(ctx, j, &outcome)
	if j.key == "" {
		r.runForm(ctx, j, &outcome)
		return
	}
	if !r.claim(ctx, j, &outcome) {
		return
	}
	err := j.run(ctx)
	r.finish(ctx, j, err, &outcome)
}

// runForm runs a job that opens a form with the envelope's trigger and
// takes no claim: a redelivery finds the trigger used, and is dropped.
func (r *Runtime) runForm(ctx context.Context, j *job, outcome *string) {
	err := j.run(ctx)
	switch {
	case errors.Is(err, handlers.ErrTriggerUsed):
		*outcome = metrics.OutcomeDuplicate
		r.log.InfoContext(ctx, "duplicate delivery ignored: its form was opened already")
	case err != nil:
		*outcome = metrics.OutcomeOf(err)
		r.fail(ctx, j, err)
	}
}

// claim takes j's idempotency key and reports whether to handle it. A
// redelivery of something handled is acknowledged and dropped; one being
// handled right now is dropped unacknowledged (an event then comes again).
// An event whose key cannot be claimed (the database is down) is left
// unacknowledged for Slack to deliver again; anything else is handled
// anyway, since the person is waiting and Slack will not send it again.
func (r *Runtime) claim(ctx context.Context, j *job, outcome *string) bool {
	c, err := r.keys.ClaimKey(ctx, j.key)
	switch {
	case err != nil && j.ackAfter:
		*outcome = metrics.OutcomeError
		r.log.WarnContext(ctx, "cannot claim the event; left for Slack to deliver again", "error", err)
		return false
	case err != nil:
		r.log.WarnContext(ctx, "idempotency claim failed; handling anyway", "error", err)
		return true
	case c == domain.ClaimNew:
		return true
	}
	*outcome = metrics.OutcomeDuplicate
	r.log.InfoContext(ctx, "duplicate delivery ignored", "key", j.key, "still_running", c == domain.ClaimBusy)
	if c == domain.ClaimDone && j.ackAfter {
		r.ack(j.envelopeID, nil)
	}
	if j.settle != nil {
		j.settle("")
	}
	return false
}

// finish records how j's handling ended. An event is acknowledged only now
// that it was handled; one that failed because a dependency is down (the
// database) is released and left unacknowledged, so Slack delivers it
// again (after one and five minutes) and it is handled then.
func (r *Runtime) finish(ctx context.Context, j *job, err error, outcome *string) {
	ctx = context.WithoutCancel(ctx)
	if err != nil && domain.ErrorCode(err) == domain.EUNAVAIL {
		*outcome = metrics.OutcomeOf(err)
		if rerr := r.keys.ReleaseKey(ctx, j.key); rerr != nil {
			r.log.WarnContext(ctx, "release idempotency key", "error", rerr)
		}
		if j.ackAfter {
			r.log.WarnContext(ctx, "event not handled; left for Slack to deliver again", "error", err)
			return
		}
		r.fail(ctx, j, err)
		return
	}
	if ferr := r.keys.FinishKey(ctx, j.key); ferr != nil {
		r.log.WarnContext(ctx, "mark idempotency key handled", "error", ferr)
	}
	if j.ackAfter {
		r.ack(j.envelopeID, nil)
	}
	if err != nil {
		*outcome = metrics.OutcomeOf(err)
		r.fail(ctx, j, err)
	}
}

// recoverPanic turns a handler's panic into an answer to the person.
func (r *Runtime) recoverPanic(ctx context.Context, j *job, outcome *string) {
	p := recover()
	if p == nil {
		return
	}
	*outcome = metrics.OutcomePanic
	r.log.ErrorContext(ctx, "handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if j.ackAfter {
		r.ack(j.envelopeID, nil) // it would only panic again
	}
	msg := fmt.Sprintf("Something went wrong on our side (ref %s). Please try again.", ref(j.envelopeID))
	if j.settle == nil || !j.settle(msg) {
		r.tell(ctx, j.to, msg)
	}
}

// ref is the short reference a user can quote to whoever reads the logs.
func ref(envelopeID string) string {
	if len(envelopeID) > 8 {
		return envelopeID[len(envelopeID)-8:]
	}
	return envelopeID
}

// envelopeKind is the type label of an envelope: Slack's envelope type, or
// for interactions the interaction type, which says more (a modal
// submission's ack waits for its handler; a click's does not).
func envelopeKind(evt socketmode.Event) string {
	if cb, ok := evt.Data.(slack.InteractionCallback); ok && cb.Type != "" {
		return string(cb.Type)
	}
	return string(evt.Type)
}
