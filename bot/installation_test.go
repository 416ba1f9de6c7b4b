package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// An envelope for another app is acked (or Slack would send it again),
// reaches no handler and is counted as foreign; the app's own envelopes
// go on as before.
func TestEnvelopeForAnotherAppIsDropped(t *testing.T) {
	var calls atomic.Int32
	h, m := startMeasured(t, &Router{DefaultCommand: func(context.Context, handlers.Command) error {
		calls.Add(1)
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.slack.User(alice).For(fakeslack.Installation{AppID: "A0OTHER"}).Slash(t, channel, "/handoff x") // returns once acked
	d, err := h.slack.SendEventFor(ctx, fakeslack.Installation{AppID: "A0OTHER"}, "EvOTHER",
		map[string]any{"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatalf("a foreign event was not acked: %v", err)
	}
	h.slack.User(alice).Slash(t, channel, "/handoff x")
	h.stop()
	if n := calls.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want once (the app's own command)", n)
	}
	for kind, want := range map[string]float64{"slash_commands": 1, "events_api": 1} {
		if got := metricValue(t, m.Registry(), "handoffbot_envelopes_total", map[string]string{"type": kind, "outcome": "foreign"}); got != want {
			t.Errorf("%s foreign = %v, want %v", kind, got, want)
		}
	}
}

// Admit runs before every handler, with who and where the envelope comes
// from; its refusal is the person's answer and the handler never runs.
func TestAdmitRunsBeforeEveryHandler(t *testing.T) {
	var admitted []handlers.Origin
	var ran atomic.Int32
	h := start(t, &Router{
		DefaultCommand: func(context.Context, handlers.Command) error { ran.Add(1); return nil },
		Admit: func(_ context.Context, o handlers.Origin) error {
			admitted = append(admitted, o) // one worker at a time in this test
			return domain.Errorf(domain.EFORBIDDEN, "Not from here.")
		},
	})
	h.slack.User(alice).For(fakeslack.Installation{TeamID: "T0ELSEWHERE"}).Slash(t, channel, "/handoff x")
	h.slack.User(alice).ExpectEphemeral(t, "Not from here.")
	h.stop()
	want := handlers.Origin{TeamID: "T0ELSEWHERE", UserID: alice}
	if len(admitted) != 1 || admitted[0] != want || ran.Load() != 0 {
		t.Errorf("admitted %+v, handler ran %d times; want %+v once and no handler", admitted, ran.Load(), want)
	}
}

// When the app is uninstalled, what is in flight finishes, and Run then
// returns a *RemovedError; before that, the same event for another
// workspace (refused by Admit) changes nothing.
func TestUninstallEndsRunAfterTheDrain(t *testing.T) {
	started, finish := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	h, done := startUntilExit(t, &Router{
		DefaultCommand: func(context.Context, handlers.Command) error {
			close(started)
			<-finish
			finished.Store(true)
			return nil
		},
		Admit: func(_ context.Context, o handlers.Origin) error {
			if o.TeamID != "" && o.TeamID != "TFAKE" {
				return domain.Errorf(domain.EFORBIDDEN, "Not from here.")
			}
			return nil
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := h.slack.SendEventFor(ctx, fakeslack.Installation{TeamID: "T0ELSEWHERE"}, "EvELSEWHERE", map[string]any{"type": "app_uninstalled"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.WaitAck(ctx); err != nil {
		t.Fatal(err)
	}
	h.slack.User(alice).Slash(t, channel, "/handoff slow")
	<-started
	h.slack.UninstallApp()
	close(finish)
	err = <-done
	if _, ok := errors.AsType[*RemovedError](err); !ok || !finished.Load() {
		t.Errorf("Run returned %v (in-flight command finished: %v), want a *RemovedError after the drain", err, finished.Load())
	}
}

// startUntilExit runs a Runtime like start, and hands back what Run
// returns instead of expecting a clean stop.
func startUntilExit(t *testing.T, router *Router) (*harness, <-chan error) {
	t.Helper()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddUser(fakeslack.User{ID: alice, Name: "alice"})
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true, Members: []string{alice}})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt := New(NewClient(ClientOptions{AppToken: fs.AppToken(), BotToken: fs.BotToken(), APIURL: fs.APIURL()}, log),
		router, storagetest.New(t), log, Options{Workers: 4, DrainTimeout: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fs.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return &harness{slack: fs, rt: rt}, done
}
