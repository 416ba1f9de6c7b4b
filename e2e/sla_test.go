package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// slaWorld runs the bot with the default 4-hour accept SLA, in wall-clock
// time, escalating to the managers' channel; the test moves the clock.
func slaWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.ManagerChannel = managerChannel }))
	e2etest.AddManagerChannel(w.Slack)
	return w
}

func TestReminderThenBreachThenManagers(t *testing.T) {
	t.Parallel()
	w := slaWorld(t)
	card := w.HandOffToFox("Dana Scully (FBI)")
	w.Advance(2 * time.Hour)
	reminder := w.User(fox).ExpectDM(t, "Reminder: please accept or reject")
	if got := strings.Join(reminder.Buttons(), ","); !strings.Contains(got, "Accept") || !strings.Contains(got, "Reject") {
		t.Errorf("reminder buttons: %s", got)
	}
	mustContain(t, "reminder", reminder.Text(), "Open the card", "(in 2 h)")
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "SLA breached")
	mustContain(t, "manager notice", w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached").Text(), "Dana Scully", "<@"+fox+">")
	mustContain(t, "card after the breach", card.Latest().Text(), "breached")
	w.Finish()
}

// A reminder's buttons act like the card's.
func TestAcceptFromTheReminderStopsTheClock(t *testing.T) {
	t.Parallel()
	w := slaWorld(t)
	card := w.HandOffToFox("Walter Skinner")
	w.Advance(2 * time.Hour)
	reminder := w.User(fox).ExpectDM(t, "Reminder")
	w.User(fox).Click(t, reminder, "Accept")
	card.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")
	w.Advance(2 * time.Hour)
	w.waitForJob(t, "sla", "breach", "accept") // the breach timer ran and found the clock stopped
	w.Finish()                                 // no breach notice anywhere
}

func TestSnoozeTwiceThirdRefused(t *testing.T) {
	t.Parallel()
	w := slaWorld(t)
	w.HandOffToFox("Monica Reyes")
	w.Advance(2 * time.Hour)
	reminder := w.User(fox).ExpectDM(t, "Reminder")
	w.User(fox).Select(t, reminder, "30 minutes")
	w.User(fox).ExpectEphemeral(t, "I'll remind you again")
	w.Advance(30 * time.Minute)
	reminder = w.User(fox).ExpectDM(t, "Reminder")
	w.User(fox).Select(t, reminder, "2 hours")
	w.User(fox).ExpectEphemeral(t, "Snoozed until the deadline, ")
	w.User(fox).Select(t, reminder, "1 hour")
	w.User(fox).ExpectEphemeral(t, "snoozed 2 times already")
	w.Advance(90 * time.Minute)
	w.User(fox).ExpectDM(t, "SLA breached") // the breach did not move
	w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.Finish()
}

func TestUndeliverableEscalationIsShownToManagers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.ManagerChannel = "CDELETED" }))
	w.HandOffToFox("Jeffrey Spender")
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "Reminder")
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "SLA breached")
	deadline := time.Now().Add(10 * time.Second)
	for {
		home := w.User(skinner).OpenHome(t).Text()
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
	w.Finish()
}

func TestRateLimitedReminderArrivesOnce(t *testing.T) {
	t.Parallel()
	w := slaWorld(t)
	w.HandOffToFox("Marita Covarrubias")
	w.Slack.Fault("chat.postMessage", fakeslack.Fault{Times: 3, RetryAfter: time.Second})
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "Reminder")
	w.Advance(2 * time.Hour)
	w.User(fox).ExpectDM(t, "SLA breached")
	w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.Finish()
}

func (w *world) postsTo(channel string) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range w.Slack.Calls("chat.postMessage") {
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
		rows, err := w.DB.SQL().QueryContext(ctx, `SELECT args::text FROM river_job WHERE kind = $1 AND state = 'completed'`, kind)
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
