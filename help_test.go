package main

import (
	"context"
	"testing"
	"time"
)

// The first thing a new user does: /handoff help answers privately with
// every subcommand, well inside Slack's 3 s.
func TestHelpAnswersPrivately(t *testing.T) {
	w := newWorld(t, nil)
	inv := w.user(monica).Slash(t, handoffChannel, "/handoff help")
	t.Logf("ack latency for /handoff help: %v", inv.Ack.Latency)
	reply := w.user(monica).ExpectEphemeral(t, "/handoff list")
	mustContain(t, "help", reply.Text(), "/handoff feedback", "/handoff stats", "/handoff digest", "/handoff survey", "/handoff export", "Hand off this lead")
	w.finish()
}

func TestUnknownWordOpensTheFormPrefilled(t *testing.T) {
	w := newWorld(t, nil)
	w.user(monica).Slash(t, handoffChannel, "/handoff Walter Skinner (FBI)")
	form := w.user(monica).ExpectModal(t)
	if form.Value("Lead name") != "Walter Skinner" || form.Value("Company") != "FBI" {
		t.Errorf("form not prefilled: %s", form)
	}
	w.finish()
}

// Slack redelivers an events_api envelope it thinks was lost: same event_id,
// retry_attempt 1. The bot acts once.
func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	w := newWorld(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	event := map[string]any{"type": "app_home_opened", "user": fox, "channel": "DFOX", "tab": "home", "event_ts": "1.2"}
	for range 2 {
		d, err := w.slack.SendEvent(ctx, "EvHOME1", event)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w.user(fox).ExpectHomeUpdate(t)
	w.stop()
	if n := len(w.slack.Calls("views.publish")); n != 1 {
		t.Errorf("views.publish called %d times for one event delivered twice, want 1", n)
	}
}

func TestReconnectsAfterDisconnectAndDrop(t *testing.T) {
	w := newWorld(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, cut := range []func(){
		func() { w.slack.Disconnect("refresh_requested") },
		w.slack.DropConnections,
	} {
		before := w.slack.Connects()
		cut()
		if err := w.slack.WaitConnects(ctx, before+1); err != nil {
			t.Fatalf("cut %d: no reconnect: %v", i, err)
		}
		w.user(john).Slash(t, handoffChannel, "/handoff help")
		w.user(john).ExpectEphemeral(t, "/handoff list")
	}
	w.finish()
}
