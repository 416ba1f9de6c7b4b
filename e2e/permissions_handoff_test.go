package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/handlers"
)

// Anyone in the workspace may hand a lead off, from the command or either
// shortcut; the handoff is the submitter's.
func permNewHandoff(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffTo(krycek, fox, lead)
	if h := w.onlyHandoff(); h.CreatedBy != krycek || h.Assignee != fox {
		t.Errorf("handed off by an outsider: %+v", h)
	}
	w.User(krycek).GlobalShortcut(t, handlers.ShortcutHandoffNew)
	w.User(krycek).ExpectModal(t).Close(t)
	w.User(krycek).MessageShortcut(t, card, handlers.ShortcutHandoffFromMessage)
	if form := w.User(krycek).ExpectModal(t); form.Title() != "New handoff" {
		t.Errorf("message shortcut opened %q", form.Title())
	}
	w.Finish()
}

// "Hand off anyway" hands off the form it is on, in the clicker's name; a
// click that comes without the form creates nothing.
func permHandOffAnyway(t *testing.T) {
	w := newWorld(t)
	w.HandOffToFox("Jane Doe jane@acme.example")

	w.forgeClick(krycek, handlers.ActionAnyway, "")
	w.User(krycek).ExpectEphemeral(t, "That button only works in the New handoff form.")
	w.User(john).Slash(t, handoffChannel, "/handoff Jane D. jane@acme.example")
	sub := w.User(john).ExpectModal(t).SelectUser("Assignee", walter).Submit(t)
	if sub.View == nil {
		t.Fatalf("no duplicate warning: %+v", sub)
	}
	w.User(john).Click(t, sub.View, "Hand off anyway")
	w.Channel().ExpectMessage(t, "Jane D.")
	w.User(walter).ExpectDM(t, "handed you a lead")
	w.User(john).ExpectEphemeral(t, "Handed off")
	h := w.onlyHandoff()
	if h.CreatedBy != john || h.Lead.Name != "Jane D." {
		t.Errorf("handed off anyway: %+v", h)
	}
	w.replayAnyway(john, sub.View) // once per form
	mustContain(t, "a second click", w.User(john).ExpectEphemeral(t, "This form was already handed off: *Jane D.*").Text(), fmt.Sprintf("#%d", h.ID))
	w.Finish()
	if n := w.handoffsNamed("Jane D."); n != 1 {
		t.Errorf("%d handoffs from one form", n)
	}
}

// Accept: the owner or anyone in the receiving team (who then owns it).
func permAccept(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffToFox(lead)
	h := w.onlyHandoff()
	w.refusedClicks(card, "Accept", "Only <@"+fox+"> or someone in Sales can accept this handoff.", h.ID, krycek, monica)
	w.User(walter).Click(t, card, "Accept")
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Accepted", "<@"+walter+">")
	card.ExpectThreadReply(t, "<@"+walter+"> accepted it")
	w.User(monica).ExpectDM(t, "accepted your handoff")
	if h := w.onlyHandoff(); h.State != domain.StateAccepted || h.Assignee != walter {
		t.Errorf("accepted by a teammate: %+v", h)
	}
	w.Finish()
}

// Reject: as Accept, checked again when the reason is submitted.
func permReject(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffToFox(lead)
	h := w.onlyHandoff()
	want := "Only <@" + fox + "> or someone in Sales can reject this handoff."
	w.refusedClicks(card, "Reject", want, h.ID, krycek, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(krycek, handlers.CallbackReason, map[string]any{"id": h.ID, "m": "reject", "s": "pending"},
		map[string]map[string]any{"reason": pickedOption("no_budget"), "note": typed("")})
	refusal(t, errs, "reason", want)
	w.expectUnchanged(h.ID, before)

	w.User(fox).Click(t, card, "Reject")
	w.User(fox).ExpectModal(t).Select("Reason", "No budget").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Rejected", "No budget")
	card.ExpectThreadReply(t, "rejected it")
	w.User(monica).ExpectDM(t, "rejected your handoff")
	w.Finish()
}

// Reassign: the owner, the receiving team or a manager; checked again at
// submit.
func permReassign(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffToFox(lead)
	h := w.onlyHandoff()
	want := "Only <@" + fox + ">, someone in Sales or a manager can reassign this handoff."
	w.refusedClicks(card, "Reassign", want, h.ID, krycek, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(krycek, handlers.CallbackReassign, map[string]any{"id": h.ID, "s": "pending"},
		map[string]map[string]any{"new_owner": pickedUser(krycek)})
	refusal(t, errs, "new_owner", want)
	w.expectUnchanged(h.ID, before)

	w.User(skinner).Click(t, card, "Reassign")
	w.User(skinner).ExpectModal(t).SelectUser("New owner", walter).Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "<@"+walter+">")
	card.ExpectThreadReply(t, "<@"+skinner+"> reassigned it to <@"+walter+">")
	w.User(walter).ExpectDM(t, "passed you a lead")
	if h := w.onlyHandoff(); h.Assignee != walter {
		t.Errorf("reassigned by a manager: %+v", h)
	}
	w.Finish()
}

// permOwnerMove: only the owner makes the moves after Accept; a teammate
// and the creator are refused. after are the owner's presses that bring
// the card to where button shows.
func permOwnerMove(button, state, thread, creatorDM string, after ...string) func(t *testing.T) {
	return func(t *testing.T) {
		w := newWorld(t)
		card := w.HandOffToFox(lead)
		w.press(fox, card, after...)
		h := w.onlyHandoff()
		w.refusedClicks(card.Latest(), button, ownerOnly(fox), h.ID, walter, monica, krycek)
		w.User(fox).Click(t, card.Latest(), button)
		mustContain(t, "card", card.ExpectUpdate(t).Text(), state)
		card.ExpectThreadReply(t, thread)
		if creatorDM != "" {
			w.User(monica).ExpectDM(t, creatorDM)
		}
		w.Finish()
	}
}

// Lost: the owner only, checked again when the reason is submitted.
func permLose(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffToFox(lead)
	w.press(fox, card, "Accept")
	h := w.onlyHandoff()
	w.refusedClicks(card.Latest(), "Lost", ownerOnly(fox), h.ID, walter, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(walter, handlers.CallbackReason, map[string]any{"id": h.ID, "m": "lose", "s": "accepted"},
		map[string]map[string]any{"reason": pickedOption("price"), "note": typed("")})
	refusal(t, errs, "reason", ownerOnly(fox))
	w.expectUnchanged(h.ID, before)

	w.User(fox).Click(t, card.Latest(), "Lost")
	w.User(fox).ExpectModal(t).Select("Reason", "Price").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Lost", "Price")
	card.ExpectThreadReply(t, "marked it lost")
	w.User(monica).ExpectDM(t, "marked as lost")
	w.Finish()
}

// Return to marketing: the owner only.
func permReturn(t *testing.T) {
	w := newWorld(t)
	card := w.HandOffToFox(lead)
	w.press(fox, card, "Accept")
	h := w.onlyHandoff()
	w.refusedClicks(card.Latest(), "Return to marketing", ownerOnly(fox), h.ID, walter, monica)
	w.User(fox).Click(t, card.Latest(), "Return to marketing")
	w.User(fox).ExpectModal(t).Select("Reason", "No response").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Returned", "No response")
	card.ExpectThreadReply(t, "returned it to marketing")
	w.User(monica).ExpectDM(t, "returned to marketing")
	w.Finish()
}

// Snooze (on the reminder DM, which only the owner sees): the owner only;
// a choice sent by anyone else is refused and not counted.
func permSnooze(t *testing.T) {
	w := slaWorld(t)
	w.HandOffToFox(lead)
	w.Advance(2 * time.Hour)
	reminder := w.User(fox).ExpectDM(t, "Reminder")
	h := w.onlyHandoff()
	w.forgeChoice(walter, handlers.ActionSnooze, fmt.Sprintf("%d:accept:30m", h.ID))
	w.User(walter).ExpectEphemeral(t, "Only the owner, <@"+fox+">, can snooze this reminder.")
	if n := w.count(h.ID, "snoozed"); n != 0 {
		t.Fatalf("%d snoozes after a refusal", n)
	}
	w.User(fox).Select(t, reminder, "30 minutes")
	w.User(fox).ExpectEphemeral(t, "Snoozed")
	if n := w.count(h.ID, "snoozed"); n != 1 {
		t.Errorf("%d snoozes, want the owner's", n)
	}
	w.Advance(30 * time.Minute)
	w.User(fox).ExpectDM(t, "Reminder")
	w.Advance(90 * time.Minute)
	w.User(fox).ExpectDM(t, "SLA breached")
	w.Slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.Finish()
}

// /handoff list: anyone, and it lists only what they own or handed off.
func permList(t *testing.T) {
	w := newWorld(t)
	w.HandOffToFox(lead)
	w.User(krycek).Slash(t, handoffChannel, "/handoff list")
	w.User(krycek).ExpectEphemeral(t, "You have no open handoffs.")
	w.User(walter).Slash(t, handoffChannel, "/handoff list")
	w.User(walter).ExpectEphemeral(t, "You have no open handoffs.")
	w.User(fox).Slash(t, handoffChannel, "/handoff list")
	mustContain(t, "owner's list", w.User(fox).ExpectEphemeral(t, "You have 1 open").Text(), "Dana Scully", "you own it")
	w.User(monica).Slash(t, handoffChannel, "/handoff list")
	mustContain(t, "creator's list", w.User(monica).ExpectEphemeral(t, "You have 1 open").Text(), "Dana Scully", "with <@"+fox+">")
	w.Finish()
}

// App Home: everyone sees their own queue, with buttons only on what they
// own; the undelivered-messages list is for managers only (shown in
// TestUndeliverableEscalationIsShownToManagers).
func permAppHome(t *testing.T) {
	w := newWorld(t)
	w.HandOffToFox(lead)
	if home := w.User(krycek).OpenHome(t); strings.Contains(home.Text(), "Dana Scully") || !strings.Contains(home.Text(), "Nothing open") {
		t.Errorf("an outsider's App Home:\n%s", home.Text())
	}
	home := w.User(monica).OpenHome(t)
	mustContain(t, "creator's App Home", home.Text(), "Dana Scully", "with <@"+fox+">")
	if len(home.Buttons()) > 0 && strings.Contains(strings.Join(home.Buttons(), ","), "Accept") {
		t.Errorf("the creator gets the owner's buttons: %v", home.Buttons())
	}
	home = w.User(fox).OpenHome(t)
	mustContain(t, "owner's App Home", home.Text(), "Dana Scully", "you own it")
	mustContain(t, "owner's buttons", strings.Join(home.Buttons(), ","), "Accept", "Reject")
	if h := w.onlyHandoff(); h.State != domain.StatePending {
		t.Errorf("opening App Home moved the handoff: %+v", h)
	}
	w.Finish()
}
