package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/handlers"
)

// startOneWorker is start with a single worker, so one slow handler makes
// the runtime busy.
func startOneWorker(t *testing.T, router *Router) *harness {
	t.Helper()
	return startWith(t, router, Options{Workers: 1, DrainTimeout: 5 * time.Second})
}

// blocker is a command handler that holds its worker until released.
type blocker struct {
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 1), release: make(chan struct{})}
}

func (b *blocker) handle(ctx context.Context, _ handlers.Command) error {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func (b *blocker) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-b.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the blocking handler did not start")
	}
}

// While every worker is busy the socket is still read: envelopes are acked
// at once and handled, in order, when a worker is free.
func TestBusyWorkersDoNotDelayAcks(t *testing.T) {
	b := newBlocker()
	var handled atomic.Int32
	h := startOneWorker(t, &Router{
		Commands:       map[string]CommandHandler{"block": b.handle},
		DefaultCommand: func(context.Context, handlers.Command) error { handled.Add(1); return nil },
	})
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff block")
	b.waitStarted(t)
	for range 5 { // more than the one worker, fewer than the backlog holds
		if inv := u.Slash(t, channel, "/handoff list"); inv != nil && inv.Ack.Latency > time.Second {
			t.Errorf("ack took %v while the worker was busy", inv.Ack.Latency)
		}
	}
	if n := handled.Load(); n != 0 {
		t.Fatalf("%d envelopes handled while the only worker was busy", n)
	}
	close(b.release)
	h.stop() // drains the backlog
	if n := handled.Load(); n != 5 {
		t.Errorf("%d of 5 waiting envelopes handled after the worker was free", n)
	}
}

// A submission that cannot get a worker in time is answered busy on the
// modal, keeping what was typed, and is not acted on afterwards: Slack
// would have shown an error, so saving it late could make a duplicate.
func TestWaitingSubmissionIsAnsweredBusyAndNotActedOn(t *testing.T) {
	b := newBlocker()
	var h *harness
	var saved atomic.Int32
	h = startOneWorker(t, &Router{
		Commands:       map[string]CommandHandler{"block": b.handle},
		DefaultCommand: func(ctx context.Context, c handlers.Command) error { return h.openForm(ctx, c) },
		Submissions: map[string]SubmitHandler{"form": func(context.Context, handlers.Submission) (handlers.SubmitResult, error) {
			saved.Add(1)
			return handlers.SubmitResult{}, nil
		}},
	})
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff")
	modal := u.ExpectModal(t).Fill("Name", "Dana")
	u.Slash(t, channel, "/handoff block")
	b.waitStarted(t)
	sub := modal.Submit(t)
	if sub == nil || sub.ResponseAction != "errors" || !strings.Contains(sub.Errors["Name"], "very busy") {
		t.Fatalf("submission answer: %+v", sub)
	}
	if sub.Ack.Latency > 2500*time.Millisecond {
		t.Errorf("answered after %v; Slack gives up at 3 s", sub.Ack.Latency)
	}
	if modal.Value("Name") != "Dana" {
		t.Error("input lost")
	}
	close(b.release)
	h.stop()
	if n := saved.Load(); n != 0 {
		t.Errorf("a submission answered busy was saved %d times afterwards", n)
	}
}

// When the backlog is full a slash command is answered busy in its ack,
// and nothing else is lost: what was waiting is handled.
func TestFullBacklogAnswersCommandsBusy(t *testing.T) {
	b := newBlocker()
	var handled atomic.Int32
	h := startOneWorker(t, &Router{
		Commands:       map[string]CommandHandler{"block": b.handle},
		DefaultCommand: func(context.Context, handlers.Command) error { handled.Add(1); return nil },
	})
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff block")
	b.waitStarted(t)
	for range backlogPerWorker {
		u.Slash(t, channel, "/handoff list")
	}
	u.Slash(t, channel, "/handoff list")
	u.ExpectEphemeral(t, "very busy")
	close(b.release)
	h.stop()
	if n := handled.Load(); n != backlogPerWorker {
		t.Errorf("%d of %d waiting envelopes handled", n, backlogPerWorker)
	}
	h.slack.ExpectNothingElse(t)
}

// What Slack is waiting for goes first, then what must open a modal
// within 3 s, then clicks and events, oldest first within each.
func TestBacklogOrder(t *testing.T) {
	var b backlog
	for _, kind := range []string{"block_actions", "slash_commands", "events_api", "view_submission", "shortcut", "block_suggestion"} {
		b.push(&waiting{j: &job{kind: kind}})
	}
	var got []string
	for w := b.pop(); w != nil; w = b.pop() {
		got = append(got, w.j.kind)
	}
	want := "view_submission block_suggestion slash_commands shortcut block_actions events_api"
	if strings.Join(got, " ") != want || b.len() != 0 {
		t.Errorf("order %q (%d left), want %q", got, b.len(), want)
	}
}
