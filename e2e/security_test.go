package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/config"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// A button's value names a handoff and the state it showed, but whoever
// sends the click may write any value there. The bot trusts neither part:
// who may act is checked against the handoff in the database, and a move
// applies only from the state the database holds. Handoff A is Walter's,
// B is Fox's; clicks are sent by hand by an outsider and by Fox, with A's
// id, with B's id and a state B is not in, with an id that does not exist
// and with no id at all. Each is refused in words; nothing changes but a
// redraw of B's card, whose click showed an old state.
func TestForgedButtonValuesCannotMoveAHandoff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.HandOffTo(monica, walter, "Alex Krycek (Consortium)")
	a := w.onlyHandoff()
	cardB := w.HandOffToFox(lead)
	b := w.onlyHandoff()
	beforeA, beforeB := w.snapshot(a.ID), w.snapshot(b.ID)

	value := func(h domain.Handoff, s domain.State) string { return fmt.Sprintf("%d:%s", h.ID, s) }
	for _, c := range []struct {
		who, action, value, want string
	}{
		{krycek, handlers.ActionAccept, value(a, domain.StatePending), "Only <@" + walter + "> or someone in Sales can accept this handoff."},
		{krycek, handlers.ActionReassign, value(a, domain.StatePending), "Only <@" + walter + ">, someone in Sales or a manager can reassign this handoff."},
		{krycek, handlers.ActionReject, value(b, domain.StatePending), "Only <@" + fox + "> or someone in Sales can reject this handoff."},
		{fox, handlers.ActionWin, value(a, domain.StateQualified), ownerOnly(walter)},
		{fox, handlers.ActionLose, value(a, domain.StateAccepted), ownerOnly(walter)},
		{fox, handlers.ActionTouch + ":" + fmt.Sprint(b.ID), value(a, domain.StateAccepted), ownerOnly(walter)},
		{fox, handlers.ActionAccept, value(b, domain.StateAccepted), "cannot be moved that way"},
		{fox, handlers.ActionAccept, "999999:pending", "Handoff #999999 does not exist."},
		{fox, handlers.ActionAccept, "-1:pending", "That button is broken"},
		{fox, handlers.ActionAccept, fmt.Sprint(b.ID), "That button is broken"},
		{fox, handlers.ActionAccept, value(b, "teleported"), "That button is broken"},
	} {
		w.forgeClick(c.who, c.action, c.value)
		w.User(c.who).ExpectEphemeral(t, c.want)
	}
	w.forgeChoice(fox, handlers.ActionSnooze, fmt.Sprintf("%d:accept:30m", a.ID))
	w.User(fox).ExpectEphemeral(t, "Only the owner, <@"+walter+">, can snooze this reminder.")
	errs := w.forgeSubmit(krycek, handlers.CallbackReason, map[string]any{"id": a.ID, "m": "reject", "s": "pending"},
		map[string]map[string]any{"reason": pickedOption("no_budget"), "note": typed("")})
	refusal(t, errs, "reason", "Only <@"+walter+"> or someone in Sales can reject this handoff.")
	w.expectUnchanged(a.ID, beforeA)
	w.expectUnchanged(b.ID, beforeB)

	// Fox's own handoff, but the value claims it is qualified: the move is
	// checked against the state in the database, refused as stale, and the
	// card redrawn as it is.
	w.forgeClick(fox, handlers.ActionWin, value(b, domain.StateQualified))
	w.User(fox).ExpectEphemeral(t, "Someone got there first: this handoff is Pending now.")
	mustContain(t, "redrawn card", cardB.ExpectUpdate(t).Text(), "Pending")
	w.expectUnchanged(b.ID, beforeB)
	w.Finish()
}

// The bot ignores messages from bots, itself included: a bot's reply in a
// feedback thread (with everyone counting as marketing) acknowledges
// nothing, and a bot that mentions it with "stats" gets nothing posted,
// while a person's same reply and mention do what they should.
func TestBotsAreIgnored(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t, e2etest.Configure(func(c *config.Config) { c.MarketingTeam, c.Managers = nil, nil }),
		e2etest.SlackOptions(fakeslack.WithBotMessageEvents()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	send := func(eventID string, event map[string]any) {
		t.Helper()
		d, err := w.Slack.SendEvent(ctx, eventID, event)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.WaitAck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	root := w.sendFeedback(fox, "Pricing", "they say we cost twice the competition")
	f := w.lastFeedback()
	now := time.Now()
	bots := []struct{ user, botID string }{{w.Slack.BotUserID(), w.Slack.BotID()}, {"U0OTHERBOT", "B0OTHERBOT"}}
	for i, b := range bots {
		reply := replyEvent(root, b.user, b.botID, slackTS(now.Add(time.Duration(i)*time.Millisecond)), "Noted")
		reply["subtype"] = "bot_message"
		send(fmt.Sprintf("EvBOTREPLY%d", i), reply)
		unmarked := replyEvent(root, b.user, b.botID, slackTS(now.Add(time.Duration(10+i)*time.Millisecond)), "Noted")
		send(fmt.Sprintf("EvBOTREPLYPLAIN%d", i), unmarked) // bot_id alone is enough
		mention := map[string]any{"type": "app_mention", "user": b.user, "bot_id": b.botID, "channel": handoffChannel,
			"text": "<@" + w.Slack.BotUserID() + "> stats 7d", "ts": slackTS(now.Add(time.Duration(20+i) * time.Millisecond))}
		send(fmt.Sprintf("EvBOTMENTION%d", i), mention)
	}
	// A person's mention and reply do what the bots' did not; any answer
	// to a bot would be a second stats message or a second DM, which
	// finish catches.
	w.User(krycek).Mention(t, handoffChannel, "stats 7d")
	w.Channel().ExpectMessage(t, "Alignment stats")
	w.Channel().ExpectMessage(t, "[file: ")
	w.User(john).Reply(t, root, "On it")
	mustContain(t, "root", root.ExpectUpdate(t).Text(), "Acknowledged", "<@"+john+">")
	w.User(fox).ExpectDM(t, "acknowledged your feedback")
	w.Finish() // drains the workers: a bot's event handled late shows now
	if got := w.feedbackEvents(f.ID); got != "created:"+fox+" replied:"+john+" acknowledged:"+john {
		t.Errorf("events %q: a bot's reply counted", got)
	}
}

// The database password, like both tokens, appears nowhere the bot writes:
// not in the logs of a whole story at debug level (start-up configuration
// included), and not in the error of a database that refuses or cannot be
// reached, nor in the answer to a DATABASE_URL that does not parse.
func TestDatabasePasswordIsNeverShown(t *testing.T) {
	t.Parallel()
	const password = "PWSECRET-7f3a"
	u, err := url.Parse(storagetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := "postgres"
	if u.User != nil && u.User.Username() != "" {
		name = u.User.Username()
	}
	u.User = url.UserPassword(name, password) // the test server trusts local connections: any password works
	w := newWorld(t, e2etest.OnDatabase(u.String()), e2etest.Configure(func(c *config.Config) { c.LogLevel, c.LogFormat = "debug", "json" }))
	card := w.HandOffToFox(lead)
	w.User(fox).Click(t, card, "Accept")
	card.ExpectThreadReply(t, "accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")
	w.Finish()
	logs := w.Logs.String()
	mustContain(t, "logs", logs, "handoffbot starting")
	if strings.Contains(logs, password) {
		t.Errorf("the database password is in the logs:\n%s", lineWith(logs, password))
	}

	for _, dsn := range []string{
		"postgres://bot:" + password + "@127.0.0.1:1/handoff?sslmode=disable",               // nothing listens
		"host=127.0.0.1 port=1 user=bot password=" + password + " dbname=x sslmode=disable", // key=value form
		"postgres://bot:" + password + "@[::1:5432/handoff",                                 // does not parse
	} {
		cfg := &config.Config{DatabaseURL: dsn, BusinessHours: "always", TimeZone: "UTC", DigestSchedule: "@weekly", LogLevel: "debug", LogFormat: "text"}
		var out, logs string
		err := cfg.ValidateFor(config.NeedDatabase)
		if err == nil {
			out, logs, err = e2etest.Command(cfg, "migrate")
		}
		if err == nil {
			t.Fatalf("migrate against %q succeeded", dsn)
		}
		if shown := err.Error() + out + logs; strings.Contains(shown, password) {
			t.Errorf("the password is shown for a failing database:\n%s", shown)
		}
	}
}
