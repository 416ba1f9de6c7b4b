package faults

import (
	"context"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
)

// Monica replies in a feedback thread while Postgres is down for two
// seconds. The bot cannot record the reply, so it does not acknowledge the
// event; Slack delivers it again once its ack deadline has passed, the
// database is back by then, and the reply acknowledges the feedback: one
// update of the thread root, one DM to its author, and no second one.
func TestThreadReplyDuringAnOutageIsRecordedOnce(t *testing.T) {
	t.Parallel()
	skipInShortMode(t, "about 15 s")
	pg := startOwnPostgres(t)
	const feedback = "CFEEDBACK"
	w := newWorld(t, e2etest.OnDatabase(pg.DatabaseURL("postgres")), e2etest.Configure(func(c *config.Config) {
		c.FeedbackChannel, c.DigestSchedule = feedback, "0 0 1 1 *"
	}), e2etest.SlackOptions(fakeslack.WithWaitTimeout(30*time.Second)))
	w.Slack.AddChannel(fakeslack.Channel{ID: feedback, Name: "feedback", BotIsMember: true, Members: []string{monica, fox}})

	w.User(fox).Slash(t, handoffChannel, "/handoff feedback Customers keep asking about SSO")
	w.User(fox).ExpectModal(t).Select("Category", "Product").Submit(t)
	w.User(fox).ExpectEphemeral(t, "Sent your feedback")
	root := w.Slack.Channel(feedback).ExpectMessage(t, "Customers keep asking about SSO")

	ctx := context.Background()
	if err := pg.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	halted := time.Now()
	w.User(monica).Reply(t, root, "On it: an SSO page this week")
	time.Sleep(2*time.Second - time.Since(halted)) // the outage lasts its two seconds
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}

	mustContain(t, "thread root", root.ExpectUpdate(t).Text(), "Acknowledged")
	w.User(fox).ExpectDM(t, "acknowledged your feedback")
	w.Finish() // no second acknowledgement, no second DM
	var acks int
	if err := w.DB.SQL().QueryRow(`SELECT count(*) FROM feedback_events WHERE kind = 'acknowledged'`).Scan(&acks); err != nil || acks != 1 {
		t.Errorf("%d acknowledgements recorded (%v), want 1", acks, err)
	}
	// The reply was handled on a redelivery, not before the outage ended.
	mustContain(t, "bot logs", w.Logs.String(), "left for Slack to deliver again")
}
