package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/handoffbot/handoffbot/markup"
	"github.com/handoffbot/handoffbot/metrics"
)

// Overload. Slack shows the person an error when an envelope is not acked
// within 3 s, and a modal submission's answer is its ack. So the runtime
// never stops reading the socket: what arrives while every worker is busy
// waits in a bounded backlog, modal submissions (and option suggestions)
// first, then commands and shortcuts (their trigger_id, which opens a
// modal, lasts 3 s), then clicks and events, which are already acked and
// can wait. A submission that has waited
// answerWithin is answered "busy" on the modal, keeping what the person
// typed, and is never acted on afterwards: nothing is saved after Slack
// told the person it failed, so a retry cannot make a second handoff.
// Beyond the backlog's bound the bot says at once that it is busy rather
// than take on more work than it can do while people still wait.

const (
	// backlogPerWorker bounds the backlog: with 32 workers, 256 envelopes,
	// a few seconds of work. That keeps memory bounded, keeps what waits
	// worth doing when its turn comes (a trigger_id lasts 3 s), and lets a
	// shutdown drain it within its timeout.
	backlogPerWorker = 8
	// answerWithin is how long a submission may wait for a worker before it
	// is answered busy: the answer must reach Slack before its 3 s are up.
	answerWithin = 2 * time.Second
	// maxTelling bounds the goroutines telling people the bot is busy.
	maxTelling = 16
)

// What people are told when the bot sheds their request.
const (
	busyText       = "The bot is very busy right now and could not do that. Please try again in a minute."
	busySubmitText = "The bot is very busy right now, so this was not saved. Please submit again in a moment."
)

// waiting is a job in the backlog. claimed decides, once, between the
// worker that picks it up and the answer timer of a submission.
type waiting struct {
	j       *job
	claimed atomic.Bool
	timer   *time.Timer // submissions only
}

// backlog is the envelopes waiting for a worker, oldest first within each
// priority. Only the runtime's loop touches it; the answer timers only
// claim their job.
type backlog struct {
	queues [3][]*waiting // by priority
	n      int
}

// priority of a job in the backlog, 0 first.
func priority(j *job) int {
	switch j.kind {
	case string(slack.InteractionTypeViewSubmission), string(slack.InteractionTypeBlockSuggestion):
		return 0 // Slack waits for the answer
	case string(socketmode.EventTypeSlashCommand), string(slack.InteractionTypeShortcut), string(slack.InteractionTypeMessageAction):
		return 1 // the trigger_id expires
	}
	return 2
}

func (b *backlog) len() int { return b.n }

func (b *backlog) push(w *waiting) {
	p := priority(w.j)
	b.queues[p] = append(b.queues[p], w)
	b.n++
}

func (b *backlog) pop() *waiting {
	for p := range b.queues {
		if q := b.queues[p]; len(q) > 0 {
			w := q[0]
			q[0] = nil
			b.queues[p] = q[1:]
			b.n--
			return w
		}
	}
	return nil
}

// full says that an envelope arriving now would be shed.
func (r *Runtime) full() bool {
	return r.busy >= r.opts.Workers && r.queue.len() >= backlogPerWorker*r.opts.Workers
}

// schedule runs j on a free worker, or queues it, or sheds it when the
// backlog is full. Called from the runtime's loop only.
func (r *Runtime) schedule(base context.Context, j *job) {
	if r.busy < r.opts.Workers {
		r.busy++
		go r.work(base, j)
		return
	}
	if r.full() {
		r.shed(j)
		return
	}
	w := &waiting{j: j}
	if j.settle != nil {
		w.timer = time.AfterFunc(answerWithin, func() {
			if w.claimed.CompareAndSwap(false, true) {
				r.shed(j)
			}
		})
	}
	r.queue.push(w)
}

// finished frees a worker and gives it the next job that is still to do.
// Called from the runtime's loop only.
func (r *Runtime) finished(base context.Context) {
	r.busy--
	for w := r.queue.pop(); w != nil; w = r.queue.pop() {
		if !w.claimed.CompareAndSwap(false, true) {
			continue // answered busy already
		}
		if w.timer != nil {
			w.timer.Stop()
		}
		r.busy++
		go r.work(base, w.j)
		return
	}
}

// shedBacklog answers busy whatever is still waiting when a drain runs
// out of time.
func (r *Runtime) shedBacklog() {
	for w := r.queue.pop(); w != nil; w = r.queue.pop() {
		if w.claimed.CompareAndSwap(false, true) {
			r.shed(w.j)
		}
	}
}

// shed tells the person the bot is too busy for j; none of j is done.
func (r *Runtime) shed(j *job) {
	r.opts.Metrics.Handled(j.envelopeID, j.kind, time.Now(), metrics.OutcomeBusy)
	r.log.Warn("too busy: envelope answered busy", "envelope_id", j.envelopeID, "type", j.kind)
	if j.settle != nil && j.settle(busySubmitText) {
		return
	}
	select {
	case r.telling <- struct{}{}:
		go func() {
			defer func() { <-r.telling }()
			r.tell(context.Background(), j.to, busyText)
		}()
	default:
		r.log.Warn("too busy to tell the user the bot is busy", "envelope_id", j.envelopeID)
	}
}

// busyCommandAck answers a slash command in its ack when the bot is too
// busy for it: no Web API call is needed to say so, and the command as
// typed comes back so nothing typed is lost.
func busyCommandAck(c slack.SlashCommand) any {
	typed := strings.TrimSpace(c.Command + " " + c.Text)
	return slack.Msg{Text: busyText + " Here is what you typed: `" + markup.Escape(typed) + "`", ResponseType: slack.ResponseTypeEphemeral}
}
