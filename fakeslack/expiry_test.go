package fakeslack

import (
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// A response_url works for 30 minutes on the fake's clock, then answers
// 404 expired_url, even with posts left.
func TestResponseURLExpiresAfter30Minutes(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1764190000, 0)}
	s := newServer(t, WithClock(clock.Now))
	startBot(t, s, nil)
	api := newAPI(s, s.BotToken())
	inv := s.User(alice).Slash(t, general, "/handoff")
	post := func(text string) error {
		_, _, err := api.PostMessageContext(testCtx(t), "", slack.MsgOptionResponseURL(inv.ResponseURL, slack.ResponseTypeEphemeral),
			slack.MsgOptionText(text, false))
		return err
	}
	clock.Advance(30 * time.Minute)
	if err := post("just in time"); err != nil {
		t.Fatalf("at 30 minutes: %v", err)
	}
	s.User(alice).ExpectEphemeral(t, "just in time")
	clock.Advance(time.Second)
	var sc slack.StatusCodeError
	if err := post("too late"); !asStatus(err, &sc) || sc.Code != 404 {
		t.Fatalf("after 30 minutes: %T %v", err, err)
	}
	calls := s.Calls("response_url")
	if last := calls[len(calls)-1]; last.Error != "expired_url" {
		t.Errorf("recorded %+v", last)
	}
	s.ExpectNothingElse(t)
}

// Every trigger a person's action hands the bot expires after 3 s on the
// fake's clock: slash commands, both kinds of shortcut, button clicks.
func TestTriggersExpireOnTheClock(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1764190000, 0)}
	s := newServer(t, WithClock(clock.Now))
	startBot(t, s, nil)
	api := newAPI(s, s.BotToken())
	if _, _, err := api.PostMessageContext(testCtx(t), general, slack.MsgOptionText("card", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", button("accept", "Accept")))); err != nil {
		t.Fatal(err)
	}
	card := s.Channel(general).ExpectMessage(t, "card")
	a := s.User(alice)
	for name, act := range map[string]func(TB) *Invocation{
		"slash command":    func(t TB) *Invocation { return a.Slash(t, general, "/handoff") },
		"global shortcut":  func(t TB) *Invocation { return a.GlobalShortcut(t, "handoff_global") },
		"message shortcut": func(t TB) *Invocation { return a.MessageShortcut(t, card, "handoff_msg") },
		"button":           func(t TB) *Invocation { return a.Click(t, card, "Accept") },
	} {
		t.Run(name, func(t *testing.T) {
			late, inTime := act(t), act(t)
			clock.Advance(3 * time.Second)
			if _, err := api.OpenViewContext(testCtx(t), inTime.TriggerID, handoffModal(general, "")); err != nil {
				t.Fatalf("at 3 s: %v", err)
			}
			a.ExpectModal(t)
			clock.Advance(time.Millisecond)
			_, err := api.OpenViewContext(testCtx(t), late.TriggerID, handoffModal(general, ""))
			wantSlackError(t, err, "expired_trigger_id")
		})
	}
}
