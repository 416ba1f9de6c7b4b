package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// Feedback: anyone may give it, from the command, the message shortcut or
// a card's button, about any handoff they can find; it is theirs.
func permGiveFeedback(t *testing.T) {
	w := newFeedbackWorld(t, nil)
	card := w.handOffToFox(lead)
	w.user(krycek).Click(t, card, "Give feedback")
	form := w.user(krycek).ExpectModal(t)
	if found := form.Search(t, "Related handoff", "scully"); len(found) != 1 || !strings.Contains(found[0], "Dana Scully") {
		t.Errorf("an outsider's search found %q", found)
	}
	form.Select("Category", "Lead quality").Fill("Feedback", "wrong phone number").Submit(t)
	w.feedbackChannel().ExpectMessage(t, "wrong phone number")
	card.ExpectThreadReply(t, "<@"+krycek+"> gave feedback")
	w.user(krycek).ExpectEphemeral(t, "Sent your feedback")
	if f := w.lastFeedback(); f.CreatedBy != krycek || f.HandoffID != w.onlyHandoff().ID {
		t.Errorf("feedback saved as %+v", f)
	}
	w.user(krycek).Slash(t, handoffChannel, "/handoff feedback they like us")
	w.user(krycek).ExpectModal(t).Close(t)
	w.user(krycek).MessageShortcut(t, card, handlers.ShortcutFeedbackFromMessage)
	w.user(krycek).ExpectModal(t).Close(t)
	w.finish()
}

// /handoff feedback list: marketers see everyone's open feedback, anyone
// else only their own.
func permFeedbackList(t *testing.T) {
	w := newFeedbackWorld(t, nil)
	w.sendFeedback(fox, "Pricing", "too expensive for small teams")
	w.user(krycek).Slash(t, handoffChannel, "/handoff feedback list")
	w.user(krycek).ExpectEphemeral(t, "No open feedback")
	w.user(walter).Slash(t, handoffChannel, "/handoff feedback list")
	w.user(walter).ExpectEphemeral(t, "No open feedback")
	w.user(fox).Slash(t, handoffChannel, "/handoff feedback list")
	w.user(fox).ExpectEphemeral(t, "too expensive")
	w.user(john).Slash(t, handoffChannel, "/handoff feedback list")
	w.user(john).ExpectEphemeral(t, "too expensive")
	w.finish()
}

// Acknowledge (the button, or the first reply in the thread): marketing,
// but not the author; anyone else's reply is recorded and acknowledges
// nothing.
func permAcknowledge(t *testing.T) {
	w := newFeedbackWorld(t, nil)
	root := w.sendFeedback(fox, "Pricing", "too expensive")
	for _, who := range []string{krycek, fox} {
		w.user(who).Click(t, root, "Acknowledge")
		w.user(who).ExpectEphemeral(t, "Only someone in Marketing can acknowledge feedback.")
	}
	w.user(walter).Reply(t, root, "same here")
	f := w.lastFeedback()
	w.eventually("Walter's reply recorded", func() bool { return strings.Contains(w.feedbackEvents(f.ID), "replied:"+walter) })
	if f = w.lastFeedback(); f.State != domain.FeedbackOpen || w.feedbackEvents(f.ID) != "created:"+fox+" replied:"+walter {
		t.Fatalf("refused responses moved the feedback: %+v, events %s", f, w.feedbackEvents(f.ID))
	}
	w.user(monica).Slash(t, handoffChannel, "/handoff feedback our case studies are old")
	w.user(monica).ExpectModal(t).Select("Category", "Content").Submit(t)
	w.user(monica).ExpectEphemeral(t, "feedback") // "Sent your feedback", or "Saved" if Slack is slower
	own := w.feedbackChannel().ExpectMessage(t, "our case studies are old")
	w.user(monica).Click(t, own, "Acknowledge")
	w.user(monica).ExpectEphemeral(t, "Someone in Marketing other than you needs to acknowledge your feedback.")
	w.user(john).Click(t, root, "Acknowledge")
	mustContain(t, "root", root.ExpectUpdate(t).Text(), "Acknowledged", "<@"+john+">")
	w.user(fox).ExpectDM(t, "acknowledged your feedback")
	w.finish()
}

// Resolve: marketing; checked again when "What changed" is submitted.
func permResolve(t *testing.T) {
	w := newFeedbackWorld(t, nil)
	root := w.sendFeedback(fox, "Product", "customers want SSO")
	f := w.lastFeedback()
	w.user(fox).Click(t, root, "Resolve")
	w.user(fox).ExpectEphemeral(t, "Only someone in Marketing can resolve feedback.")
	errs := w.forgeSubmit(fox, handlers.CallbackFeedbackResolve, map[string]any{"id": f.ID},
		map[string]map[string]any{"what_changed": typed("nothing, really")})
	refusal(t, errs, "what_changed", "Only someone in Marketing can resolve feedback.")
	if got := w.lastFeedback(); got.State != domain.FeedbackOpen {
		t.Fatalf("a refused resolution moved the feedback: %+v", got)
	}
	w.user(john).Click(t, root, "Resolve")
	w.user(john).ExpectModal(t).Fill("What changed", "added an SSO page").Submit(t)
	mustContain(t, "root", root.ExpectUpdate(t).Text(), "Resolved", "added an SSO page")
	w.user(fox).ExpectDM(t, "resolved your feedback")
	w.finish()
}

// Stats, by command or mention: managers; nothing is posted for anyone else.
func permStats(t *testing.T) {
	w := newWorld(t, nil)
	for _, who := range []string{fox, krycek} {
		w.user(who).Slash(t, handoffChannel, "/handoff stats")
		w.user(who).ExpectEphemeral(t, "only managers (MANAGERS) can ask for them")
	}
	w.user(fox).Mention(t, handoffChannel, "stats 7d")
	w.user(fox).ExpectEphemeral(t, "only managers (MANAGERS) can ask for them")
	w.user(skinner).Slash(t, handoffChannel, "/handoff stats")
	w.channel().ExpectMessage(t, "Alignment stats")
	w.channel().ExpectMessage(t, "[file: ")
	w.user(skinner).Mention(t, handoffChannel, "stats 7d")
	w.channel().ExpectMessage(t, "Alignment stats")
	w.channel().ExpectMessage(t, "[file: ")
	w.finish()
}

// Export: managers; the CSV goes to their DM, never a channel.
func permExport(t *testing.T) {
	w := newWorld(t, nil)
	w.handOffToFox(lead)
	w.user(fox).Slash(t, handoffChannel, "/handoff export")
	w.user(fox).ExpectEphemeral(t, "Only managers can export handoffs")
	if n := len(w.slack.Calls("files.completeUploadExternal")); n != 0 {
		t.Fatalf("%d uploads for a refused export", n)
	}
	w.user(skinner).Slash(t, handoffChannel, "/handoff export 7d")
	w.user(skinner).ExpectEphemeral(t, "to your DMs")
	csv := w.user(skinner).ExpectDM(t, "")
	mustContain(t, "exported file", csv.Text(), ".csv")
	w.finish()
}

// Digest DMs on and off, by command or App Home: anyone, for themselves
// only (the button carries no one's ID).
func permDigest(t *testing.T) {
	w := newWorld(t, nil)
	w.user(krycek).Slash(t, handoffChannel, "/handoff digest unsubscribe")
	w.user(krycek).ExpectEphemeral(t, "No more weekly digest DMs")
	w.expectUnsubscribed(krycek)
	w.forgeClick(krycek, handlers.ActionDigestToggle, "off")
	home := w.user(monica).OpenHome(t)
	w.user(monica).Click(t, home, "Turn off")
	w.expectHome(monica, func(home string) bool { return strings.Contains(home, "digest DMs are off") })
	w.expectUnsubscribed(krycek, monica)
	w.user(krycek).Slash(t, handoffChannel, "/handoff digest preview")
	w.user(krycek).ExpectEphemeral(t, "")
	w.finish()
}

// expectUnsubscribed checks exactly who has turned the digest DM off.
func (w *world) expectUnsubscribed(users ...string) {
	w.t.Helper()
	off, err := w.db.Unsubscribed(context.Background(), []string{monica, john, fox, walter, skinner, krycek})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(off) != len(users) {
		w.t.Errorf("unsubscribed: %v, want %v", off, users)
	}
	for _, u := range users {
		if !off[u] {
			w.t.Errorf("%s is still subscribed (%v)", u, off)
		}
	}
}

// Answering the survey: the sales and marketing teams; checked when the
// modal opens (command or button) and when it is submitted.
func permSurvey(t *testing.T) {
	w := newWorld(t, nil)
	const notInATeam = "you are in neither"
	w.user(krycek).Slash(t, handoffChannel, "/handoff survey")
	w.user(krycek).ExpectEphemeral(t, notInATeam)
	w.openSurveyRound()
	w.forgeClick(krycek, handlers.ActionSurveyAnswer, "")
	w.user(krycek).ExpectEphemeral(t, notInATeam)
	values := map[string]map[string]any{}
	for i := range domain.SurveyItems {
		values[fmt.Sprintf("statement_%02d", i+1)] = pickedOption("3")
	}
	refusal(t, w.forgeSubmit(krycek, handlers.CallbackSurvey, map[string]any{"r": w.surveyRound()}, values), "statement_01", notInATeam)
	if n := w.surveyAnswers(); n != 0 {
		t.Fatalf("%d answers after refusals", n)
	}
	invite := w.expectInvitations()
	w.user(fox).Click(t, invite, "Answer the survey")
	w.answerSurvey(w.user(fox).ExpectModal(t), scores(4, nil))
	if n := w.surveyAnswers(); n != 1 {
		t.Errorf("%d answers, want fox's", n)
	}
	w.finish()
}

// Opening a survey round: managers.
func permSurveyStart(t *testing.T) {
	w := newWorld(t, nil)
	w.user(fox).Slash(t, handoffChannel, "/handoff survey start")
	w.user(fox).ExpectEphemeral(t, "Only managers (MANAGERS) can open a survey round.")
	if _, err := w.db.CurrentSurveyRound(context.Background()); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a round after a refusal: %v", err)
	}
	w.openSurveyRound()
	w.expectInvitations()
	w.finish()
}

// Survey results: anyone may post them in a channel they are in.
func permSurveyResults(t *testing.T) {
	w := newWorld(t, nil)
	w.openSurveyRound()
	w.expectInvitations()
	w.user(fox).Slash(t, handoffChannel, "/handoff survey")
	w.answerSurvey(w.user(fox).ExpectModal(t), scores(4, nil))
	w.user(krycek).Slash(t, handoffChannel, "/handoff survey results")
	w.channel().ExpectMessage(t, "Alignment survey round")
	w.finish()
}

// Help: anyone.
func permHelp(t *testing.T) {
	w := newWorld(t, nil)
	w.user(krycek).Slash(t, handoffChannel, "/handoff help")
	w.user(krycek).ExpectEphemeral(t, "/handoff list")
	w.finish()
}

// openSurveyRound has the manager open a round and consumes his answer.
func (w *world) openSurveyRound() {
	w.t.Helper()
	w.user(skinner).Slash(w.t, handoffChannel, "/handoff survey start")
	w.user(skinner).ExpectEphemeral(w.t, "is open")
}

// expectInvitations takes in the invitation DMs of both teams and returns
// Fox's.
func (w *world) expectInvitations() *fakeslack.Message {
	w.t.Helper()
	for _, u := range []string{walter, monica, john} {
		w.user(u).ExpectDM(w.t, "opened a round")
	}
	return w.user(fox).ExpectDM(w.t, "opened a round")
}

func (w *world) surveyRound() int64 {
	w.t.Helper()
	r, err := w.db.CurrentSurveyRound(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID
}

func (w *world) surveyAnswers() int {
	w.t.Helper()
	answers, err := w.db.SurveyAnswers(context.Background(), w.surveyRound())
	if err != nil {
		w.t.Fatal(err)
	}
	return len(answers)
}
