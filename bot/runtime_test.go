package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

const (
	alice   = "UALICE"
	channel = "CGENERAL"
)

// harness runs a Runtime with router against a fake Slack and a real
// database (for the idempotency keys).
type harness struct {
	slack *fakeslack.Server
	rt    *Runtime
	stop  func()
}

// sendTwice delivers one slash command twice under the same envelope ID,
// as Slack does when it missed the first ack, and waits for both acks.
func (h *harness) sendTwice(ctx context.Context, t *testing.T, envelopeID string) {
	t.Helper()
	payload := map[string]any{"command": "/handoff", "text": "x", "user_id": alice, "channel_id": channel}
	for range 2 {
		d, err := h.slack.Send(ctx, fakeslack.Envelope{EnvelopeID: envelopeID, Type: "slash_commands", Payload: payload, AcceptsResponsePayload: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// openForm answers a command with a one-input modal, callback "form", for
// the tests of modal submissions.
func (h *harness) openForm(ctx context.Context, c handlers.Command) error {
	in := slack.NewInputBlock("name", slack.NewTextBlockObject(slack.PlainTextType, "Name", false, false), nil,
		slack.NewPlainTextInputBlockElement(nil, "value"))
	_, err := h.rt.client.OpenViewContext(ctx, c.TriggerID, slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "form", Title: slack.NewTextBlockObject(slack.PlainTextType, "Form", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false), Blocks: slack.Blocks{BlockSet: []slack.Block{in}},
	})
	return err
}

func start(t *testing.T, router *Router) *harness {
	t.Helper()
	return startWith(t, router, Options{Workers: 4, DrainTimeout: 5 * time.Second})
}

func startWith(t *testing.T, router *Router, opts Options, slackOpts ...fakeslack.Option) *harness {
	t.Helper()
	return startOn(t, storagetest.New(t), router, opts, slackOpts...)
}

// startOn is startWith on db; with opts.Metrics, the client's Web API
// calls go through the metrics' transport.
func startOn(t *testing.T, db *storage.DB, router *Router, opts Options, slackOpts ...fakeslack.Option) *harness {
	t.Helper()
	fs, err := fakeslack.New(slackOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true, Members: []string{alice}})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	copts := ClientOptions{AppToken: fs.AppToken(), BotToken: fs.BotToken(), APIURL: fs.APIURL()}
	if opts.Metrics != nil {
		copts.Transport = opts.Metrics.Transport(nil)
	}
	rt := New(NewClient(copts, log), router, db, log, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fs.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	h := &harness{slack: fs, rt: rt}
	h.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return")
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			h.stop()
		}
	})
	return h
}

func reply(ctx context.Context, api *slack.Client, cmd handlers.Command, text string) error {
	_, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText(text, false))
	return err
}

func TestRoutesSubcommandsCaseInsensitively(t *testing.T) {
	var h *harness
	router := &Router{
		Commands: map[string]CommandHandler{"list": func(ctx context.Context, c handlers.Command) error {
			return reply(ctx, &h.rt.client.Client, c, "list of "+c.Text)
		}},
		DefaultCommand: func(ctx context.Context, c handlers.Command) error {
			return reply(ctx, &h.rt.client.Client, c, "default got "+c.Text)
		},
	}
	h = start(t, router)
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff LIST mine")
	u.ExpectEphemeral(t, "list of mine")
	u.Slash(t, channel, "/handoff Dana Scully")
	u.ExpectEphemeral(t, "default got Dana Scully")
	h.stop()
	h.slack.ExpectNothingElse(t)
}

func TestPanicIsRecoveredAndExplained(t *testing.T) {
	h := start(t, &Router{DefaultCommand: func(context.Context, handlers.Command) error { panic("boom") }})
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff anything")
	msg := u.ExpectEphemeral(t, "Something went wrong on our side (ref ")
	if strings.Contains(msg.Text(), "boom") {
		t.Errorf("the panic value reached the user: %s", msg.Text())
	}
	// The runtime survives: the next command is handled.
	u.Slash(t, channel, "/handoff again")
	u.ExpectEphemeral(t, "Something went wrong")
	h.stop()
	h.slack.ExpectNothingElse(t)
}

func TestDomainErrorsReachTheUserInTheirWords(t *testing.T) {
	h := start(t, &Router{DefaultCommand: func(context.Context, handlers.Command) error {
		return fmtErr(domain.Errorf(domain.EFORBIDDEN, "Only managers can do that."))
	}})
	h.slack.User(alice).Slash(t, channel, "/handoff stats")
	h.slack.User(alice).ExpectEphemeral(t, "Only managers can do that.")
	h.stop()
	h.slack.ExpectNothingElse(t)
}

func fmtErr(err error) error { return errors.Join(errors.New("wrapped"), err) }

func TestUnknownButtonGetsAClearAnswer(t *testing.T) {
	h := start(t, &Router{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := h.slack.Send(ctx, fakeslack.Envelope{Type: "interactive", Payload: map[string]any{
		"type": "block_actions", "user": map[string]any{"id": alice}, "channel": map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": "1.1", "channel_id": channel},
		"actions":   []map[string]any{{"action_id": "retired_button", "block_id": "b1", "type": "button", "value": "x"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatal(err)
	}
	h.slack.User(alice).ExpectEphemeral(t, "not supported by this version")
	h.stop()
}

// A modal whose handler fails keeps the user's input: the failure is shown
// on the first input instead of closing the modal.
func TestFailedSubmissionKeepsTheModal(t *testing.T) {
	var h *harness
	router := &Router{
		DefaultCommand: func(ctx context.Context, c handlers.Command) error { return h.openForm(ctx, c) },
		Submissions: map[string]SubmitHandler{"form": func(context.Context, handlers.Submission) (handlers.SubmitResult, error) {
			return handlers.SubmitResult{}, domain.Errorf(domain.EUNAVAIL, "The database is not answering right now.")
		}},
	}
	h = start(t, router)
	u := h.slack.User(alice)
	u.Slash(t, channel, "/handoff")
	modal := u.ExpectModal(t).Fill("Name", "Dana")
	sub := modal.Submit(t)
	if !strings.Contains(sub.Errors["Name"], "Nothing was saved") || sub.ResponseAction != "errors" {
		t.Fatalf("submission answer: %+v", sub)
	}
	if modal.Value("Name") != "Dana" {
		t.Errorf("input lost")
	}
	h.stop()
}

// The same envelope delivered twice (Slack retrying after a reconnect) is
// handled once.
func TestRedeliveredEnvelopeIsHandledOnce(t *testing.T) {
	var calls atomic.Int32
	h := start(t, &Router{DefaultCommand: func(context.Context, handlers.Command) error {
		calls.Add(1)
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.sendTwice(ctx, t, "env-fixed-1")
	h.stop() // drains: both deliveries have been handled or skipped
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times for one envelope delivered twice", n)
	}
}

// An event whose handling fails because a dependency is down (the
// database) is not acknowledged: Slack delivers it again and it is handled
// then, once. One that succeeds is acknowledged only after its handler.
func TestEventIsAckedOnlyOnceHandled(t *testing.T) {
	var calls atomic.Int32
	handler := func(context.Context, handlers.Event) error {
		if calls.Add(1) == 1 {
			return domain.Errorf(domain.EUNAVAIL, "The database is not answering right now.")
		}
		return nil
	}
	h := startWith(t, &Router{Events: map[string]EventHandler{"app_mention": handler}},
		Options{Workers: 4, DrainTimeout: 5 * time.Second}, fakeslack.WithRedeliverySchedule(0, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := h.slack.SendEvent(ctx, "EvMENTION1", map[string]any{"type": "app_mention", "user": alice, "channel": channel, "text": "<@UBOT> stats", "ts": "1.000100"})
	if err != nil {
		t.Fatal(err)
	}
	// The fake delivers an event again only when it was not acknowledged.
	attempts, err := d.WaitAttempts(ctx, 2)
	if err != nil {
		t.Fatalf("the failed event was not delivered again: %v", err)
	}
	if _, err := attempts[1].WaitAck(ctx); err != nil {
		t.Errorf("the second delivery, handled, was not acknowledged: %v", err)
	}
	h.stop()
	if n := calls.Load(); n != 2 {
		t.Errorf("handler ran %d times, want the failure and the retry", n)
	}
	if len(d.Attempts()) != 2 {
		t.Errorf("%d deliveries, want 2: the handled one must stop Slack's retries", len(d.Attempts()))
	}
}

// An envelope slack-go cannot decode is acked, or Slack would resend it
// forever, and the runtime keeps going.
func TestUnreadableEnvelopeIsAcked(t *testing.T) {
	h := start(t, &Router{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := h.slack.Send(ctx, fakeslack.Envelope{Type: "events_api", Payload: json.RawMessage(`{"type":"event_callback","event_id":"Ev9","event":{"type":"no_such_event_type_xyz"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatalf("unreadable envelope not acked: %v", err)
	}
	h.stop()
}

func TestConnectedReflectsTheSocket(t *testing.T) {
	h := start(t, &Router{})
	if !eventually(h.rt.Connected) {
		t.Error("not connected after the first hello")
	}
	h.slack.SetOffline(true)
	if !eventually(func() bool { return !h.rt.Connected() }) {
		t.Error("still connected while Slack is unreachable")
	}
	h.slack.SetOffline(false)
	if !eventually(h.rt.Connected) {
		t.Error("not connected again after Slack came back")
	}
	h.stop()
	if h.rt.Connected() {
		t.Error("still connected after stop")
	}
}

// eventually polls cond until it holds or 10 s pass.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// A command that opens a form takes no idempotency claim: nothing stands
// between the envelope and views.open. Delivered twice, its handler runs
// twice, and the second run finds the trigger used (ErrTriggerUsed),
// which is a duplicate: nobody is told anything.
func TestFormCommandTakesNoClaimAndItsRedeliveryIsSilent(t *testing.T) {
	var calls atomic.Int32
	h := start(t, &Router{Forms: map[string]bool{"/handoff": true}, DefaultCommand: func(context.Context, handlers.Command) error {
		if calls.Add(1) > 1 {
			return handlers.ErrTriggerUsed
		}
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.sendTwice(ctx, t, "env-form-1")
	h.stop()
	if n := calls.Load(); n != 2 {
		t.Errorf("handler ran %d times, want twice (no claim)", n)
	}
	if told := h.slack.Calls("chat.postEphemeral"); len(told) != 0 {
		t.Errorf("the redelivery told the person something: %+v", told)
	}
	var keys int
	if err := h.rt.keys.(*storage.DB).SQL().QueryRowContext(ctx, `SELECT count(*) FROM processed_keys`).Scan(&keys); err != nil || keys != 0 {
		t.Errorf("%d idempotency keys taken (%v), want none", keys, err)
	}
}
