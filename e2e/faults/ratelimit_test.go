package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// storm is how long every Web API method answers 429 in
// TestRateLimitStormDeliversEverythingInOrder.
const storm = 20 * time.Second

// Every Web API method answers 429 (Retry-After: 1) for 20 s while people
// keep working: their clicks and a form submission are saved (Slack needs
// no Web API call to ack them), nothing reaches Slack meanwhile, and
// afterwards everything owed arrives once, in order per channel: the
// replies under a card, the replies across the channel, one person's DMs.
func TestRateLimitStormDeliversEverythingInOrder(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "about 30 s")
	w := newWorld(t, e2etest.Configure(func(c *config.Config) { c.DigestSchedule = "0 0 1 1 *" }),
		e2etest.SlackOptions(fakeslack.WithWaitTimeout(30*time.Second)))
	names := []string{"Lead One", "Lead Two", "Lead Three", "Lead Four"}
	var cards []*fakeslack.Message
	for _, name := range names {
		cards = append(cards, w.HandOffToFox(name))
	}
	for _, c := range cards[:2] {
		w.User(fox).Click(t, c, "Accept")
		expectCardShows(t, c, "Accepted")
		c.ExpectThreadReply(t, "accepted it")
		w.User(monica).ExpectDM(t, "accepted your handoff")
	}
	w.User(monica).Slash(t, handoffChannel, "/handoff Lead Five five@example.com")
	form := w.User(monica).ExpectModal(t).SelectUser("Assignee", fox)

	w.Slack.Fault("*", fakeslack.Fault{RetryAfter: time.Second})
	began := w.Clock.Now() // the fake Slack's calls are stamped on the world's clock
	// One after the other: each click is saved before the next, so the
	// order they are owed in is the order of the clicks.
	w.clickSaved(fox, cards[0].Latest(), "Log first touch", names[0], "contacted")
	w.clickSaved(fox, cards[1].Latest(), "Log first touch", names[1], "contacted")
	w.clickSaved(fox, cards[2], "Accept", names[2], "accepted")
	w.clickSaved(fox, cards[3], "Accept", names[3], "accepted")
	if sub := form.Submit(t); sub == nil || sub.ResponseAction != "" {
		t.Fatalf("New handoff submitted during the storm: %+v", sub)
	}
	// The confirmation goes through the response_url, which is not rate
	// limited, and says the card will follow.
	w.User(monica).ExpectEphemeral(t, "Its card will appear in <#"+handoffChannel+"> as soon as Slack takes it")
	time.Sleep(began.Add(storm).Sub(w.Clock.Now())) // the storm lasts its full length
	w.Slack.ClearFaults()
	ended := w.Clock.Now()
	mustNotHavePostedDuring(t, w.Slack, began, ended)

	// Afterwards: everything, in the order it was owed.
	touched0 := cards[0].ExpectThreadReply(t, "logged the first touch")
	touched1 := cards[1].ExpectThreadReply(t, "logged the first touch")
	accepted2 := cards[2].ExpectThreadReply(t, "accepted it")
	accepted3 := cards[3].ExpectThreadReply(t, "accepted it")
	w.Channel().ExpectMessage(t, "Lead Five")
	w.User(fox).ExpectDM(t, "handed you a lead: *Lead Five*")
	dm2 := w.User(monica).ExpectDM(t, "accepted your handoff *Lead Three*")
	dm3 := w.User(monica).ExpectDM(t, "accepted your handoff *Lead Four*")
	t.Logf("everything delivered %v after the storm", w.Clock.Now().Sub(ended).Round(100*time.Millisecond))
	for i, state := range []string{"Contacted", "Contacted", "Accepted", "Accepted"} {
		expectCardShows(t, cards[i], state)
	}
	mustBeInOrder(t, "replies in the handoff channel", touched0, touched1, accepted2, accepted3)
	mustBeInOrder(t, "monica's DMs", dm2, dm3)
	var thread []string
	for _, m := range w.Channel().Replies(cards[0].TS) {
		thread = append(thread, m.Text())
	}
	if len(thread) != 2 || !strings.Contains(thread[0], "accepted it") || !strings.Contains(thread[1], "logged the first touch") {
		t.Errorf("thread under %s: %q, want the accept then the first touch", names[0], thread)
	}
	w.Finish() // and nothing twice
}

// mustNotHavePostedDuring checks that Slack took no message between from
// and to, and that the bot kept trying.
func mustNotHavePostedDuring(t *testing.T, fs *fakeslack.Server, from, to time.Time) {
	t.Helper()
	limited := 0
	for _, c := range fs.Calls("") {
		if c.At.Before(from) || c.At.After(to) {
			continue
		}
		if c.Status == 429 {
			limited++
		} else if c.Method == "chat.postMessage" || c.Method == "chat.update" {
			t.Errorf("%s went through during the storm: %d %s", c.Method, c.Status, c.Error)
		}
	}
	if limited == 0 {
		t.Error("the bot made no Web API call during the storm")
	}
	t.Logf("%d calls refused with 429 during the storm", limited)
}

// mustBeInOrder checks that msgs were posted in this order.
func mustBeInOrder(t *testing.T, what string, msgs ...*fakeslack.Message) {
	t.Helper()
	for i := 1; i < len(msgs); i++ {
		if msgs[i-1] == nil || msgs[i] == nil {
			return // already reported
		}
		if msgs[i-1].TS >= msgs[i].TS {
			t.Errorf("%s out of order: %q (ts %s) came after %q (ts %s)", what,
				msgs[i-1].Text(), msgs[i-1].TS, msgs[i].Text(), msgs[i].TS)
		}
	}
}

// clickSaved clicks and waits until the click is saved: lead's handoff is
// in state. Clicks are acked before they are handled, so without the wait
// two clicks may be saved in either order.
func (w *world) clickSaved(user string, on *fakeslack.Message, button, lead, state string) {
	w.T.Helper()
	w.User(user).Click(w.T, on, button)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		var got string
		err := w.DB.SQL().QueryRowContext(ctx, `SELECT h.state FROM handoffs h JOIN leads l ON l.id = h.lead_id WHERE l.name = $1`, lead).Scan(&got)
		if err == nil && got == state {
			return
		}
		select {
		case <-ctx.Done():
			w.T.Fatalf("%s on %s: state %q (%v), want %q", button, lead, got, err, state)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
