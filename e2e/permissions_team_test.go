package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
)

// Feedback: anyone may give it, from the command, the message shortcut or
// a card's button; it is theirs. The Related handoff (search by name or
// #number, the card's button, the submitted form) reaches only handoffs
// the person handed off, owns, or can see in the handoff channel: Krycek,
// a member of the channel, finds Dana Scully; Marita, who is not, finds
// only the handoff she made, whose card is not posted, and is refused
// Dana's however she names it.
func permGiveFeedback(t *testing.T) {
	w := newFeedbackWorld(t, e2etest.Workspace(func(fs *fakeslack.Server) {
		fs.AddUser(fakeslack.User{ID: marita, Name: "marita", RealName: "Marita Covarrubias"})
	}))
	w.Slack.AddChannel(fakeslack.Channel{ID: feedbackChannel, Name: "feedback", BotIsMember: true,
		Members: []string{monica, john, fox, walter, skinner, krycek, marita}})
	card := w.HandOffToFox(lead)
	dana := w.onlyHandoff()
	hers := w.seedOwnHandoff(marita, "Marita's Lead")
	w.User(krycek).Click(t, card, "Give feedback")
	form := w.User(krycek).ExpectModal(t)
	if found := form.Search(t, "Related handoff", "scully"); len(found) != 1 || !strings.Contains(found[0], "Dana Scully") {
		t.Errorf("a channel member's search found %q", found)
	}
	if found := form.Search(t, "Related handoff", "marita"); len(found) != 0 {
		t.Errorf("a handoff without a card, not his, was found: %q", found)
	}
	form.Select("Category", "Lead quality").Fill("Feedback", "wrong phone number").Submit(t)
	w.feedbackChannel().ExpectMessage(t, "wrong phone number")
	card.ExpectThreadReply(t, "<@"+krycek+"> gave feedback")
	w.User(krycek).ExpectEphemeral(t, "Sent your feedback")
	if f := w.lastFeedback(); f.CreatedBy != krycek || f.HandoffID != dana.ID {
		t.Errorf("feedback saved as %+v", f)
	}

	const notHers = "You can only pick a handoff you handed off, own, or can see in <#" + handoffChannel + ">."
	w.User(marita).Slash(t, feedbackChannel, "/handoff feedback they like us")
	form = w.User(marita).ExpectModal(t)
	for _, q := range []string{"scully", "#" + strconv.FormatInt(dana.ID, 10), "fbi"} {
		if found := form.Search(t, "Related handoff", q); len(found) != 0 {
			t.Errorf("an outsider of the channel searching %q found %q", q, found)
		}
	}
	if found := form.Search(t, "Related handoff", "#"+strconv.FormatInt(hers.ID, 10)); len(found) != 1 {
		t.Errorf("Marita did not find her own handoff: %q", found)
	}
	form.Close(t)
	w.forge(map[string]any{ // a Give feedback button with Dana's number, where Marita is
		"type": "block_actions", "user": map[string]any{"id": marita}, "channel": map[string]any{"id": feedbackChannel},
		"container":  map[string]any{"type": "message", "message_ts": "1.000001", "channel_id": feedbackChannel},
		"trigger_id": "forged-trigger", "actions": []map[string]any{{"action_id": handlers.ActionFeedbackGive,
			"block_id": "forged", "type": "button", "value": strconv.FormatInt(dana.ID, 10)}},
	}, false)
	w.User(marita).ExpectEphemeral(t, notHers)
	refusal(t, w.forgeFeedback(marita, dana.ID), "feedback_handoff", notHers)
	if f := w.lastFeedback(); f.CreatedBy != krycek {
		t.Errorf("a refused feedback was saved: %+v", f)
	}
	if n := len(w.Slack.Calls("conversations.members")); n != 1 {
		t.Errorf("the handoff channel's members were read %d times, want once (remembered)", n)
	}
	w.User(krycek).Slash(t, handoffChannel, "/handoff feedback they like us")
	w.User(krycek).ExpectModal(t).Close(t)
	w.User(krycek).MessageShortcut(t, card, handlers.ShortcutFeedbackFromMessage)
	w.User(krycek).ExpectModal(t).Close(t)
	w.Finish()
}

// marita is in no team and not in the handoff channel.
const marita = "UMARITA"

// seedOwnHandoff saves a handoff made by creator, whose card is not posted.
func (w *world) seedOwnHandoff(creator, name string) domain.Handoff {
	w.T.Helper()
	now := w.Clock.Now().UTC().Truncate(time.Microsecond)
	c, err := w.DB.CreateHandoff(context.Background(), domain.NewHandoff{Handoff: domain.Handoff{
		Lead: domain.Lead{Name: name}, Direction: domain.ToSales, State: domain.StatePending, Priority: domain.Warm,
		CreatedBy: creator, Assignee: fox, CreatedAt: now, AcceptDueAt: now.Add(4 * time.Hour), FirstTouchDueAt: now.Add(24 * time.Hour),
	}})
	if err != nil {
		w.T.Fatal(err)
	}
	return c.Handoff
}

// forgeFeedback submits a Feedback form naming handoff id as its Related
// handoff, as a hand-made payload can, and returns the answer's errors.
func (w *world) forgeFeedback(userID string, id int64) map[string]string {
	w.T.Helper()
	picked := map[string]any{"type": "external_select", "selected_option": map[string]any{
		"value": strconv.FormatInt(id, 10), "text": map[string]any{"type": "plain_text", "text": "#" + strconv.FormatInt(id, 10)}}}
	ack := w.forge(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": userID}, "trigger_id": "forged-trigger",
		"view": map[string]any{"id": "VFORGEDFEEDBACK", "type": "modal", "callback_id": handlers.CallbackFeedback, "private_metadata": "{}",
			"blocks": []map[string]any{{"type": "input", "block_id": "feedback_category", "label": map[string]any{"type": "plain_text", "text": "Category"},
				"element": map[string]any{"type": "static_select", "action_id": "value"}}},
			"state": map[string]any{"values": map[string]any{
				"feedback_category": map[string]any{"value": pickedOption("pricing")},
				"feedback_text":     map[string]any{"value": typed("forged")},
				"feedback_handoff":  map[string]any{"feedback_handoff": picked},
			}}},
	}, true)
	var resp struct {
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil {
		w.T.Fatalf("ack %s: %v", ack.Payload, err)
	}
	return resp.Errors
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
// only (the button carries no one's ID). The preview: the whole digest,
// with everyone's feedback and overdue leads, for marketing and managers;
// anyone else sees their own part, their handoffs and those of theirs
// that are overdue.
func permDigest(t *testing.T) {
	w := newFeedbackWorld(t)
	w.User(krycek).Slash(t, handoffChannel, "/handoff digest unsubscribe")
	w.User(krycek).ExpectEphemeral(t, "No more weekly digest DMs")
	w.expectUnsubscribed(krycek)
	w.forgeClick(krycek, handlers.ActionDigestToggle, "off")
	home := w.User(monica).OpenHome(t)
	w.User(monica).Click(t, home, "Turn off")
	w.expectHome(monica, func(home string) bool { return strings.Contains(home, "digest DMs are off") })
	w.expectUnsubscribed(krycek, monica)

	w.seedHandoff(w.Clock.Now(), 5*time.Hour, "web") // Monica's, owned by Fox, past its accept SLA
	w.sendFeedback(walter, "Pricing", "they want a cheaper plan")
	preview := func(who string) string {
		t.Helper()
		w.User(who).Slash(t, handoffChannel, "/handoff digest preview")
		return w.User(who).ExpectEphemeral(t, "digest").Text()
	}
	for _, who := range []string{skinner, john} {
		mustContain(t, who+"'s preview", preview(who), "Weekly handoff digest", "Needs attention", "Seeded web", "cheaper plan")
	}
	for who, own := range map[string]bool{fox: true, krycek: false} {
		got := preview(who)
		mustContain(t, who+"'s preview", got, "Your part of the weekly handoff digest", "<@"+who+">")
		if strings.Contains(got, "cheaper plan") || strings.Contains(got, "Seeded web") != own {
			t.Errorf("%s's preview shows others' part:\n%s", who, got)
		}
	}
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
// modal opens (command or button) and when it is submitted, when an
// answer for a round that is over is refused too.
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

	w.User(walter).Slash(t, handoffChannel, "/handoff survey")
	stale := w.User(walter).ExpectModal(t) // round 1's form, still open when round 2 starts
	w.openSurveyRound()
	w.expectInvitations()
	for i, s := range domain.Statements {
		stale.Select(fmt.Sprintf("%d. %s", i+1, s.Text), ratingText[3])
	}
	sub := stale.Submit(t)
	mustContain(t, "an answer to round 1", sub.Errors[fmt.Sprintf("1. %s", domain.Statements[0].Text)],
		"Survey round 2 has started since this form was opened")
	if n := w.surveyAnswers(); n != 0 {
		t.Errorf("%d answers in round 2 after a round 1 form", n)
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

// Survey results: anyone may post them in a channel they are in, but a
// team's figures only once five of it answered, to keep answers
// anonymous: with one answer nothing is posted; with five from sales and
// one from marketing, sales' figures are, and marketing's are not.
func permSurveyResults(t *testing.T) {
	w := newWorld(t, withReps("sales"))
	w.openSurveyRound()
	invites := w.expectInvitationsTo(fox, walter, "USALES1", "USALES2", "USALES3", monica, john)
	w.User(fox).Click(t, invites[fox], "Answer the survey")
	w.answerSurvey(w.User(fox).ExpectModal(t), scores(4, nil))
	w.User(krycek).Slash(t, handoffChannel, "/handoff survey results")
	w.User(krycek).ExpectEphemeral(t, "Not enough answers yet to keep them anonymous: survey round 1 has 1 from sales and 0 from marketing")
	for _, who := range []string{walter, "USALES1", "USALES2", "USALES3", monica} {
		w.User(who).Click(t, invites[who], "Answer the survey")
		w.answerSurvey(w.User(who).ExpectModal(t), scores(4, nil))
	}
	w.User(krycek).Slash(t, handoffChannel, "/handoff survey results")
	res := w.Channel().ExpectMessage(t, "Alignment survey round").Text()
	mustContain(t, "results", res, "sales 5 responses, median 80 of 100",
		"marketing not enough answers yet to keep them anonymous (1 of the 5 needed)", "rated: sales 4.0, marketing —")
	w.Finish()
}

// withReps adds three people to the user group of each team named
// ("sales": USALES1…, "marketing": UMARKETING1…) and to the handoff
// channel: teams big enough for survey results.
func withReps(teams ...string) e2etest.Option {
	return e2etest.Workspace(func(fs *fakeslack.Server) {
		channel := []string{monica, john, fox, walter, skinner, krycek}
		for _, team := range teams {
			group, members := e2etest.SalesGroup, []string{fox, walter}
			if team == "marketing" {
				group, members = e2etest.MarketingGroup, []string{monica, john}
			}
			for i := 1; i <= 3; i++ {
				id := fmt.Sprintf("U%s%d", strings.ToUpper(team), i)
				fs.AddUser(fakeslack.User{ID: id, Name: fmt.Sprintf("%s%d", team, i)})
				members, channel = append(members, id), append(channel, id)
			}
			fs.AddUserGroup(group, team, members...)
		}
		fs.AddChannel(fakeslack.Channel{ID: handoffChannel, Name: "handoffs", BotIsMember: true, Members: channel})
	})
}

// expectInvitationsTo takes in the invitation DMs of people, by person.
func (w *world) expectInvitationsTo(people ...string) map[string]*fakeslack.Message {
	w.T.Helper()
	dms := map[string]*fakeslack.Message{}
	for _, u := range people {
		dms[u] = w.User(u).ExpectDM(w.T, "opened a round")
	}
	return dms
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
