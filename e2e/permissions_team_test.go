package e2e

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
	w := newFeedbackWorld(t)
	card := w.HandOffToFox(lead)
	w.User(krycek).Click(t, card, "Give feedback")
	form := w.User(krycek).ExpectModal(t)
	if found := form.Search(t, "Related handoff", "scully"); len(found) != 1 || !strings.Contains(found[0], "Dana Scully") {
		t.Errorf("an outsider's search found %q", found)
	}
	form.Select("Category", "Lead quality").Fill("Feedback", "wrong phone number").Submit(t)
	w.feedbackChannel().ExpectMessage(t, "wrong phone number")
	card.ExpectThreadReply(t, "<@"+krycek+"> gave feedback")
	w.User(krycek).ExpectEphemeral(t, "Sent your feedback")
	if f := w.lastFeedback(); f.CreatedBy != krycek || f.HandoffID != w.onlyHandoff().ID {
		t.Errorf("feedback saved as %+v", f)
	}
	w.User(krycek).Slash(t, handoffChannel, "/handoff feedback they like us")
	w.User(krycek).ExpectModal(t).Close(t)
	w.User(krycek).MessageShortcut(t, card, handlers.ShortcutFeedbackFromMessage)
	w.User(krycek).ExpectModal(t).Close(t)
	w.Finish()
}

// /handoff feedback list: marketers see everyone's open feedback, anyone
// else only their own.
func permFeedbackList(t *testing.T) {
	w := newFeedbackWorld(t)
	w.sendFeedback(fox, "Pricing", "too expensive for small teams")
	w.User(krycek).Slash(t, handoffChannel, "/handoff feedback list")
	w.User(krycek).ExpectEphemeral(t, "No open feedback")
	w.User(walter).Slash(t, handoffChannel, "/handoff feedback list")
	w.User(walter).ExpectEphemeral(t, "No open feedback")
	w.User(fox).Slash(t, handoffChannel, "/handoff feedback list")
	w.User(fox).ExpectEphemeral(t, "too expensive")
	w.User(john).Slash(t, handoffChannel, "/handoff feedback list")
	w.User(john).ExpectEphemeral(t, "too expensive")
	w.Finish()
}

// Acknowledge (the button, or the first reply in the thread): marketing,
// but not the author; anyone else's reply is recorded and acknowledges
// nothing.
func permAcknowledge(t *testing.T) {
	w := newFeedbackWorld(t)
	root := w.sendFeedback(fox, "Pricing", "too expensive")
	for _, who := range []string{krycek, fox} {
		w.User(who).Click(t, root, "Acknowledge")
		w.User(who).ExpectEphemeral(t, "Only someone in Marketing can acknowledge feedback.")
	}
	w.User(walter).Reply(t, root, "same here")
	f := w.lastFeedback()
	w.eventually("Walter's reply recorded", func() bool { return strings.Contains(w.feedbackEvents(f.ID), "replied:"+walter) })
	if f = w.lastFeedback(); f.State != domain.FeedbackOpen || w.feedbackEvents(f.ID) != "created:"+fox+" replied:"+walter {
		t.Fatalf("refused responses moved the feedback: %+v, events %s", f, w.feedbackEvents(f.ID))
	}
	w.User(monica).Slash(t, handoffChannel, "/handoff feedback our case studies are old")
	w.User(monica).ExpectModal(t).Select("Category", "Content").Submit(t)
	w.User(monica).ExpectEphemeral(t, "feedback") // "Sent your feedback", or "Saved" if Slack is slower
	own := w.feedbackChannel().ExpectMessage(t, "our case studies are old")
	w.User(monica).Click(t, own, "Acknowledge")
	w.User(monica).ExpectEphemeral(t, "Someone in Marketing other than you needs to acknowledge your feedback.")
	w.User(john).Click(t, root, "Acknowledge")
	mustContain(t, "root", root.ExpectUpdate(t).Text(), "Acknowledged", "<@"+john+">")
	w.User(fox).ExpectDM(t, "acknowledged your feedback")
	w.Finish()
}

// Resolve: marketing; checked again when "What changed" is submitted.
func permResolve(t *testing.T) {
	w := newFeedbackWorld(t)
	root := w.sendFeedback(fox, "Product", "customers want SSO")
	f := w.lastFeedback()
	w.User(fox).Click(t, root, "Resolve")
	w.User(fox).ExpectEphemeral(t, "Only someone in Marketing can resolve feedback.")
	errs := w.forgeSubmit(fox, handlers.CallbackFeedbackResolve, map[string]any{"id": f.ID},
		map[string]map[string]any{"what_changed": typed("nothing, really")})
	refusal(t, errs, "what_changed", "Only someone in Marketing can resolve feedback.")
	if got := w.lastFeedback(); got.State != domain.FeedbackOpen {
		t.Fatalf("a refused resolution moved the feedback: %+v", got)
	}
	w.User(john).Click(t, root, "Resolve")
	w.User(john).ExpectModal(t).Fill("What changed", "added an SSO page").Submit(t)
	mustContain(t, "root", root.ExpectUpdate(t).Text(), "Resolved", "added an SSO page")
	w.User(fox).ExpectDM(t, "resolved your feedback")
	w.Finish()
}

// Stats, by command or mention: managers; nothing is posted for anyone else.
func permStats(t *testing.T) {
	w := newWorld(t)
	for _, who := range []string{fox, krycek} {
		w.User(who).Slash(t, handoffChannel, "/handoff stats")
		w.User(who).ExpectEphemeral(t, "only managers (MANAGERS) can ask for them")
	}
	w.User(fox).Mention(t, handoffChannel, "stats 7d")
	w.User(fox).ExpectEphemeral(t, "only managers (MANAGERS) can ask for them")
	w.User(skinner).Slash(t, handoffChannel, "/handoff stats")
	w.Channel().ExpectMessage(t, "Alignment stats")
	w.Channel().ExpectMessage(t, "[file: ")
	w.User(skinner).Mention(t, handoffChannel, "stats 7d")
	w.Channel().ExpectMessage(t, "Alignment stats")
	w.Channel().ExpectMessage(t, "[file: ")
	w.Finish()
}

// Export: managers; the CSV goes to their DM, never a channel.
func permExport(t *testing.T) {
	w := newWorld(t)
	w.HandOffToFox(lead)
	w.User(fox).Slash(t, handoffChannel, "/handoff export")
	w.User(fox).ExpectEphemeral(t, "Only managers can export handoffs")
	if n := len(w.Slack.Calls("files.completeUploadExternal")); n != 0 {
		t.Fatalf("%d uploads for a refused export", n)
	}
	w.User(skinner).Slash(t, handoffChannel, "/handoff export 7d")
	w.User(skinner).ExpectEphemeral(t, "to your DMs")
	csv := w.User(skinner).ExpectDM(t, "")
	mustContain(t, "exported file", csv.Text(), ".csv")
	w.Finish()
}

// Digest DMs on and off, by command or App Home: anyone, for themselves
// only (the button carries no one's ID).
func permDigest(t *testing.T) {
	w := newWorld(t)
	w.User(krycek).Slash(t, handoffChannel, "/handoff digest unsubscribe")
	w.User(krycek).ExpectEphemeral(t, "No more weekly digest DMs")
	w.expectUnsubscribed(krycek)
	w.forgeClick(krycek, handlers.ActionDigestToggle, "off")
	home := w.User(monica).OpenHome(t)
	w.User(monica).Click(t, home, "Turn off")
	w.expectHome(monica, func(home string) bool { return strings.Contains(home, "digest DMs are off") })
	w.expectUnsubscribed(krycek, monica)
	w.User(krycek).Slash(t, handoffChannel, "/handoff digest preview")
	w.User(krycek).ExpectEphemeral(t, "")
	w.Finish()
}

// expectUnsubscribed checks exactly who has turned the digest DM off.
func (w *world) expectUnsubscribed(users ...string) {
	w.T.Helper()
	off, err := w.DB.Unsubscribed(context.Background(), []string{monica, john, fox, walter, skinner, krycek})
	if err != nil {
		w.T.Fatal(err)
	}
	if len(off) != len(users) {
		w.T.Errorf("unsubscribed: %v, want %v", off, users)
	}
	for _, u := range users {
		if !off[u] {
			w.T.Errorf("%s is still subscribed (%v)", u, off)
		}
	}
}

// Answering the survey: the sales and marketing teams; checked when the
// modal opens (command or button) and when it is submitted.
func permSurvey(t *testing.T) {
	w := newWorld(t)
	const notInATeam = "you are in neither"
	w.User(krycek).Slash(t, handoffChannel, "/handoff survey")
	w.User(krycek).ExpectEphemeral(t, notInATeam)
	w.openSurveyRound()
	w.forgeClick(krycek, handlers.ActionSurveyAnswer, "")
	w.User(krycek).ExpectEphemeral(t, notInATeam)
	values := map[string]map[string]any{}
	for i := range domain.SurveyItems {
		values[fmt.Sprintf("statement_%02d", i+1)] = pickedOption("3")
	}
	refusal(t, w.forgeSubmit(krycek, handlers.CallbackSurvey, map[string]any{"r": w.surveyRound()}, values), "statement_01", notInATeam)
	if n := w.surveyAnswers(); n != 0 {
		t.Fatalf("%d answers after refusals", n)
	}
	invite := w.expectInvitations()
	w.User(fox).Click(t, invite, "Answer the survey")
	w.answerSurvey(w.User(fox).ExpectModal(t), scores(4, nil))
	if n := w.surveyAnswers(); n != 1 {
		t.Errorf("%d answers, want fox's", n)
	}
	w.Finish()
}

// Opening a survey round: managers.
func permSurveyStart(t *testing.T) {
	w := newWorld(t)
	w.User(fox).Slash(t, handoffChannel, "/handoff survey start")
	w.User(fox).ExpectEphemeral(t, "Only managers (MANAGERS) can open a survey round.")
	if _, err := w.DB.CurrentSurveyRound(context.Background()); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a round after a refusal: %v", err)
	}
	w.openSurveyRound()
	w.expectInvitations()
	w.Finish()
}

// Survey results: anyone may post them in a channel they are in.
func permSurveyResults(t *testing.T) {
	w := newWorld(t)
	w.openSurveyRound()
	w.expectInvitations()
	w.User(fox).Slash(t, handoffChannel, "/handoff survey")
	w.answerSurvey(w.User(fox).ExpectModal(t), scores(4, nil))
	w.User(krycek).Slash(t, handoffChannel, "/handoff survey results")
	w.Channel().ExpectMessage(t, "Alignment survey round")
	w.Finish()
}

// Help: anyone.
func permHelp(t *testing.T) {
	w := newWorld(t)
	w.User(krycek).Slash(t, handoffChannel, "/handoff help")
	w.User(krycek).ExpectEphemeral(t, "/handoff list")
	w.Finish()
}

// openSurveyRound has the manager open a round and consumes his answer.
func (w *world) openSurveyRound() {
	w.T.Helper()
	w.User(skinner).Slash(w.T, handoffChannel, "/handoff survey start")
	w.User(skinner).ExpectEphemeral(w.T, "is open")
}

// expectInvitations takes in the invitation DMs of both teams and returns
// Fox's.
func (w *world) expectInvitations() *fakeslack.Message {
	w.T.Helper()
	for _, u := range []string{walter, monica, john} {
		w.User(u).ExpectDM(w.T, "opened a round")
	}
	return w.User(fox).ExpectDM(w.T, "opened a round")
}

func (w *world) surveyRound() int64 {
	w.T.Helper()
	r, err := w.DB.CurrentSurveyRound(context.Background())
	if err != nil {
		w.T.Fatal(err)
	}
	return r.ID
}

func (w *world) surveyAnswers() int {
	w.T.Helper()
	answers, err := w.DB.SurveyAnswers(context.Background(), w.surveyRound())
	if err != nil {
		w.T.Fatal(err)
	}
	return len(answers)
}
