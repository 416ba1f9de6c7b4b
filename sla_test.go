package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

const managerChannel = "CMANAGERS"

func addManagerChannel(w *world) {
	w.slack.AddChannel(fakeslack.Channel{ID: managerChannel, Name: "managers", BotIsMember: true, Members: []string{skinner}})
}

// slaWorld runs the bot with a short accept SLA in wall-clock time.
func slaWorld(t *testing.T, sla string) *world {
	t.Helper()
	w := newWorld(t, map[string]string{"SLA_ACCEPT": sla, "MANAGER_CHANNEL": managerChannel})
	addManagerChannel(w)
	return w
}

func (w *world) handOffToFox(name string) *fakeslack.Message {
	w.t.Helper()
	card := w.handOff(monica, name, func(f *fakeslack.View) { f.SelectUser("Assignee", fox) })
	w.user(fox).ExpectDM(w.t, "handed you a lead")
	w.user(monica).ExpectEphemeral(w.t, "Handed off")
	return card
}

func TestReminderThenBreachThenManagers(t *testing.T) {
	w := slaWorld(t, "6s")
	card := w.handOffToFox("Dana Scully (FBI)")
	reminder := w.user(fox).ExpectDM(t, "Reminder: please accept or reject")
	if got := strings.Join(reminder.Buttons(), ","); !strings.Contains(got, "Accept") || !strings.Contains(got, "Reject") {
		t.Errorf("reminder buttons: %s", got)
	}
	mustContain(t, "reminder", reminder.Text(), "Open the card")
	w.user(fox).ExpectDM(t, "SLA breached")
	mustContain(t, "manager notice", w.slack.Channel(managerChannel).ExpectMessage(t, "SLA breached").Text(), "Dana Scully", "<@"+fox+">")
	mustContain(t, "card after the breach", card.Latest().Text(), "breached")
	w.finish()
}

// A reminder's buttons act like the card's.
func TestAcceptFromTheReminderStopsTheClock(t *testing.T) {
	w := slaWorld(t, "8s") // margin for a loaded machine: the click must beat the breach
	card := w.handOffToFox("Walter Skinner")
	reminder := w.user(fox).ExpectDM(t, "Reminder")
	w.user(fox).Click(t, reminder, "Accept")
	card.ExpectThreadReply(t, "accepted it")
	w.user(monica).ExpectDM(t, "accepted your handoff")
	w.waitForJob(t, "sla", "breach", "accept") // the breach timer ran and found the clock stopped
	w.finish()                                 // no breach notice anywhere
}

func TestSnoozeTwiceThirdRefused(t *testing.T) {
	w := slaWorld(t, "6s")
	w.handOffToFox("Monica Reyes")
	reminder := w.user(fox).ExpectDM(t, "Reminder")
	w.user(fox).Select(t, reminder, "30 minutes")
	w.user(fox).ExpectEphemeral(t, "Snoozed until the deadline")
	w.user(fox).Select(t, reminder, "1 hour")
	w.user(fox).ExpectEphemeral(t, "snooze 2 of 2")
	w.user(fox).Select(t, reminder, "2 hours")
	w.user(fox).ExpectEphemeral(t, "snoozed 2 times already")
	w.user(fox).ExpectDM(t, "SLA breached") // the breach did not move
	w.slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.finish()
}

func TestUndeliverableEscalationIsShownToManagers(t *testing.T) {
	w := newWorld(t, map[string]string{"SLA_ACCEPT": "4s", "MANAGER_CHANNEL": "CDELETED"})
	w.handOffToFox("Jeffrey Spender")
	w.user(fox).ExpectDM(t, "Reminder")
	w.user(fox).ExpectDM(t, "SLA breached")
	deadline := time.Now().Add(10 * time.Second)
	for {
		home := w.user(skinner).OpenHome(t).Text()
		if strings.Contains(home, "channel_not_found") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("managers' App Home never showed the undeliverable notice:\n%s", home)
		}
	}
	if n := len(w.postsTo("CDELETED")); n != 1 {
		t.Errorf("%d tries to post to the missing channel, want 1 (no retry storm)", n)
	}
	w.finish()
}

func TestRateLimitedReminderArrivesOnce(t *testing.T) {
	w := slaWorld(t, "8s")
	w.handOffToFox("Marita Covarrubias")
	w.slack.Fault("chat.postMessage", fakeslack.Fault{Times: 3, RetryAfter: time.Second})
	w.user(fox).ExpectDM(t, "Reminder")
	w.user(fox).ExpectDM(t, "SLA breached")
	w.slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.finish()
}

func (w *world) postsTo(channel string) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range w.slack.Calls("chat.postMessage") {
		if c.Params["channel"] == channel {
			out = append(out, c)
		}
	}
	return out
}

// waitForJob waits until River has finished a job of kind whose arguments
// contain every one of parts.
func (w *world) waitForJob(t *testing.T, kind string, parts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		rows, err := w.db.SQL().QueryContext(ctx, `SELECT args::text FROM river_job WHERE kind = $1 AND state = 'completed'`, kind)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var args string
			rows.Scan(&args)
			if containsAll(args, parts) {
				rows.Close()
				return
			}
		}
		rows.Close()
		select {
		case <-ctx.Done():
			t.Fatalf("no completed %s job with %v", kind, parts)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
