package e2e

import (
	"context"
	"testing"
	"time"
)

// The first thing a new user does: /handoff help answers privately with
// every subcommand, well inside Slack's 3 s.
func TestHelpAnswersPrivately(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	inv := w.User(monica).Slash(t, handoffChannel, "/handoff help")
	t.Logf("ack latency for /handoff help: %v", inv.Ack.Latency)
	reply := w.User(monica).ExpectEphemeral(t, "/handoff list")
	mustContain(t, "help", reply.Text(), "/handoff feedback", "/handoff stats", "/handoff digest", "/handoff survey", "/handoff export", "Hand off this lead")
	w.Finish()
}

func TestUnknownWordOpensTheFormPrefilled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.User(monica).Slash(t, handoffChannel, "/handoff Walter Skinner (FBI)")
	form := w.User(monica).ExpectModal(t)
	if form.Value("Lead name") != "Walter Skinner" || form.Value("Company") != "FBI" {
		t.Errorf("form not prefilled: %s", form)
	}
	w.Finish()
}

// Slack redelivers an events_api envelope it thinks was lost: same event_id,
// retry_attempt 1. The bot acts once.
func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	event := map[string]any{"type": "app_home_opened", "user": fox, "channel": "DFOX", "tab": "home", "event_ts": "1.2"}
	for range 2 {
		d, err := w.Slack.SendEvent(ctx, "EvHOME1", event)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w.User(fox).ExpectHomeUpdate(t)
	w.Stop()
	if n := len(w.Slack.Calls("views.publish")); n != 1 {
		t.Errorf("views.publish called %d times for one event delivered twice, want 1", n)
	}
}

func TestReconnectsAfterDisconnectAndDrop(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, cut := range []func(){
		func() { w.Slack.Disconnect("refresh_requested") },
		w.Slack.DropConnections,
	} {
		before := w.Slack.Connects()
		cut()
		if err := w.Slack.WaitConnects(ctx, before+1); err != nil {
			t.Fatalf("cut %d: no reconnect: %v", i, err)
		}
		w.User(john).Slash(t, handoffChannel, "/handoff help")
		w.User(john).ExpectEphemeral(t, "/handoff list")
	}
	w.Finish()
}
