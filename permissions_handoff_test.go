package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// Anyone in the workspace may hand a lead off, from the command or either
// shortcut; the handoff is the submitter's.
func permNewHandoff(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOff(krycek, lead, func(f *fakeslack.View) { f.SelectUser("Assignee", fox) })
	w.user(fox).ExpectDM(t, "handed you a lead")
	w.user(krycek).ExpectEphemeral(t, "Handed off")
	if h := w.onlyHandoff(); h.CreatedBy != krycek || h.Assignee != fox {
		t.Errorf("handed off by an outsider: %+v", h)
	}
	w.user(krycek).GlobalShortcut(t, handlers.ShortcutHandoffNew)
	w.user(krycek).ExpectModal(t).Close(t)
	w.user(krycek).MessageShortcut(t, card, handlers.ShortcutHandoffFromMessage)
	if form := w.user(krycek).ExpectModal(t); form.Title() != "New handoff" {
		t.Errorf("message shortcut opened %q", form.Title())
	}
	w.finish()
}

// "Hand off anyway" hands off the form it is on, in the clicker's name; a
// click that comes without the form creates nothing.
func permHandOffAnyway(t *testing.T) {
	w := newWorld(t, nil)
	w.handOff(monica, "Jane Doe jane@acme.example", func(f *fakeslack.View) { f.SelectUser("Assignee", fox) })
	w.user(fox).ExpectDM(t, "handed you a lead")
	w.user(monica).ExpectEphemeral(t, "Handed off")

	w.forgeClick(krycek, handlers.ActionAnyway, "")
	w.user(krycek).ExpectEphemeral(t, "That button only works in the New handoff form.")
	w.user(john).Slash(t, handoffChannel, "/handoff Jane D. jane@acme.example")
	sub := w.user(john).ExpectModal(t).SelectUser("Assignee", walter).Submit(t)
	if sub.View == nil {
		t.Fatalf("no duplicate warning: %+v", sub)
	}
	w.user(john).Click(t, sub.View, "Hand off anyway")
	w.channel().ExpectMessage(t, "Jane D.")
	w.user(walter).ExpectDM(t, "handed you a lead")
	w.user(john).ExpectEphemeral(t, "Handed off")
	if h := w.onlyHandoff(); h.CreatedBy != john || h.Lead.Name != "Jane D." {
		t.Errorf("handed off anyway: %+v", h)
	}
	w.finish()
}

// Accept: the owner or anyone in the receiving team (who then owns it).
func permAccept(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOffToFox(lead)
	h := w.onlyHandoff()
	w.refusedClicks(card, "Accept", "Only <@"+fox+"> or someone in Sales can accept this handoff.", h.ID, krycek, monica)
	w.user(walter).Click(t, card, "Accept")
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Accepted", "<@"+walter+">")
	card.ExpectThreadReply(t, "<@"+walter+"> accepted it")
	w.user(monica).ExpectDM(t, "accepted your handoff")
	if h := w.onlyHandoff(); h.State != domain.StateAccepted || h.Assignee != walter {
		t.Errorf("accepted by a teammate: %+v", h)
	}
	w.finish()
}

// Reject: as Accept, checked again when the reason is submitted.
func permReject(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOffToFox(lead)
	h := w.onlyHandoff()
	want := "Only <@" + fox + "> or someone in Sales can reject this handoff."
	w.refusedClicks(card, "Reject", want, h.ID, krycek, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(krycek, handlers.CallbackReason, map[string]any{"id": h.ID, "m": "reject", "s": "pending"},
		map[string]map[string]any{"reason": pickedOption("no_budget"), "note": typed("")})
	refusal(t, errs, "reason", want)
	w.expectUnchanged(h.ID, before)

	w.user(fox).Click(t, card, "Reject")
	w.user(fox).ExpectModal(t).Select("Reason", "No budget").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Rejected", "No budget")
	card.ExpectThreadReply(t, "rejected it")
	w.user(monica).ExpectDM(t, "rejected your handoff")
	w.finish()
}

// Reassign: the owner, the receiving team or a manager; checked again at
// submit.
func permReassign(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOffToFox(lead)
	h := w.onlyHandoff()
	want := "Only <@" + fox + ">, someone in Sales or a manager can reassign this handoff."
	w.refusedClicks(card, "Reassign", want, h.ID, krycek, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(krycek, handlers.CallbackReassign, map[string]any{"id": h.ID, "s": "pending"},
		map[string]map[string]any{"new_owner": pickedUser(krycek)})
	refusal(t, errs, "new_owner", want)
	w.expectUnchanged(h.ID, before)

	w.user(skinner).Click(t, card, "Reassign")
	w.user(skinner).ExpectModal(t).SelectUser("New owner", walter).Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "<@"+walter+">")
	card.ExpectThreadReply(t, "<@"+skinner+"> reassigned it to <@"+walter+">")
	w.user(walter).ExpectDM(t, "passed you a lead")
	if h := w.onlyHandoff(); h.Assignee != walter {
		t.Errorf("reassigned by a manager: %+v", h)
	}
	w.finish()
}

// permOwnerMove: only the owner makes the moves after Accept; a teammate
// and the creator are refused. after are the owner's presses that bring
// the card to where button shows.
func permOwnerMove(button, state, thread, creatorDM string, after ...string) func(t *testing.T) {
	return func(t *testing.T) {
		w := newWorld(t, nil)
		card := w.handOffToFox(lead)
		w.press(fox, card, after...)
		h := w.onlyHandoff()
		w.refusedClicks(card.Latest(), button, ownerOnly(fox), h.ID, walter, monica, krycek)
		w.user(fox).Click(t, card.Latest(), button)
		mustContain(t, "card", card.ExpectUpdate(t).Text(), state)
		card.ExpectThreadReply(t, thread)
		if creatorDM != "" {
			w.user(monica).ExpectDM(t, creatorDM)
		}
		w.finish()
	}
}

// Lost: the owner only, checked again when the reason is submitted.
func permLose(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOffToFox(lead)
	w.press(fox, card, "Accept")
	h := w.onlyHandoff()
	w.refusedClicks(card.Latest(), "Lost", ownerOnly(fox), h.ID, walter, monica)
	before := w.snapshot(h.ID)
	errs := w.forgeSubmit(walter, handlers.CallbackReason, map[string]any{"id": h.ID, "m": "lose", "s": "accepted"},
		map[string]map[string]any{"reason": pickedOption("price"), "note": typed("")})
	refusal(t, errs, "reason", ownerOnly(fox))
	w.expectUnchanged(h.ID, before)

	w.user(fox).Click(t, card.Latest(), "Lost")
	w.user(fox).ExpectModal(t).Select("Reason", "Price").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Lost", "Price")
	card.ExpectThreadReply(t, "marked it lost")
	w.user(monica).ExpectDM(t, "marked as lost")
	w.finish()
}

// Return to marketing: the owner only.
func permReturn(t *testing.T) {
	w := newWorld(t, nil)
	card := w.handOffToFox(lead)
	w.press(fox, card, "Accept")
	h := w.onlyHandoff()
	w.refusedClicks(card.Latest(), "Return to marketing", ownerOnly(fox), h.ID, walter, monica)
	w.user(fox).Click(t, card.Latest(), "Return to marketing")
	w.user(fox).ExpectModal(t).Select("Reason", "No response").Submit(t)
	mustContain(t, "card", card.ExpectUpdate(t).Text(), "Returned", "No response")
	card.ExpectThreadReply(t, "returned it to marketing")
	w.user(monica).ExpectDM(t, "returned to marketing")
	w.finish()
}

// Snooze (on the reminder DM, which only the owner sees): the owner only;
// a choice sent by anyone else is refused and not counted.
func permSnooze(t *testing.T) {
	w := slaWorld(t, "6s")
	w.handOffToFox(lead)
	reminder := w.user(fox).ExpectDM(t, "Reminder")
	h := w.onlyHandoff()
	w.forgeChoice(walter, handlers.ActionSnooze, fmt.Sprintf("%d:accept:30m", h.ID))
	w.user(walter).ExpectEphemeral(t, "Only the owner, <@"+fox+">, can snooze this reminder.")
	if n := w.count(h.ID, "snoozed"); n != 0 {
		t.Fatalf("%d snoozes after a refusal", n)
	}
	w.user(fox).Select(t, reminder, "30 minutes")
	w.user(fox).ExpectEphemeral(t, "Snoozed")
	if n := w.count(h.ID, "snoozed"); n != 1 {
		t.Errorf("%d snoozes, want the owner's", n)
	}
	w.user(fox).ExpectDM(t, "SLA breached")
	w.slack.Channel(managerChannel).ExpectMessage(t, "SLA breached")
	w.finish()
}

// /handoff list: anyone, and it lists only what they own or handed off.
func permList(t *testing.T) {
	w := newWorld(t, nil)
	w.handOffToFox(lead)
	w.user(krycek).Slash(t, handoffChannel, "/handoff list")
	w.user(krycek).ExpectEphemeral(t, "You have no open handoffs.")
	w.user(walter).Slash(t, handoffChannel, "/handoff list")
	w.user(walter).ExpectEphemeral(t, "You have no open handoffs.")
	w.user(fox).Slash(t, handoffChannel, "/handoff list")
	mustContain(t, "owner's list", w.user(fox).ExpectEphemeral(t, "You have 1 open").Text(), "Dana Scully", "you own it")
	w.user(monica).Slash(t, handoffChannel, "/handoff list")
	mustContain(t, "creator's list", w.user(monica).ExpectEphemeral(t, "You have 1 open").Text(), "Dana Scully", "with <@"+fox+">")
	w.finish()
}

// App Home: everyone sees their own queue, with buttons only on what they
// own; the undelivered-messages list is for managers only (shown in
// TestUndeliverableEscalationIsShownToManagers).
func permAppHome(t *testing.T) {
	w := newWorld(t, nil)
	w.handOffToFox(lead)
	if home := w.user(krycek).OpenHome(t); strings.Contains(home.Text(), "Dana Scully") || !strings.Contains(home.Text(), "Nothing open") {
		t.Errorf("an outsider's App Home:\n%s", home.Text())
	}
	home := w.user(monica).OpenHome(t)
	mustContain(t, "creator's App Home", home.Text(), "Dana Scully", "with <@"+fox+">")
	if len(home.Buttons()) > 0 && strings.Contains(strings.Join(home.Buttons(), ","), "Accept") {
		t.Errorf("the creator gets the owner's buttons: %v", home.Buttons())
	}
	home = w.user(fox).OpenHome(t)
	mustContain(t, "owner's App Home", home.Text(), "Dana Scully", "you own it")
	mustContain(t, "owner's buttons", strings.Join(home.Buttons(), ","), "Accept", "Reject")
	if h := w.onlyHandoff(); h.State != domain.StatePending {
		t.Errorf("opening App Home moved the handoff: %+v", h)
	}
	w.finish()
}
